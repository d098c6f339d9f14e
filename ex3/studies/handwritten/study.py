"""Measuring the handwritten page: the sigmoid's derivative and the toy CNN's gradients.

The protocol is declared here, before any measurement; it is the same in both
profiles because everything takes a few seconds on a CPU:

* S1: a sympy proof of each step of the page, then numerics on a grid of x
  that spans every finite float: |x| log-spaced (2,000 points per sign, from
  the smallest subnormal to the largest finite number) plus a linear grid of
  step 0.01 on [-110, 110] (where sigma' goes from normal numbers to zero in
  float32 and where 1 - sigma cancels in both types) and of step 0.5 on
  [-800, 800] (float64's subnormal tail). The reference is
  sigma'(x) = e^{-|x|} / (1 + e^{-|x|})^2 in mpmath at 113 bits (quad
  precision) at the exact float value of each x. Float64 and float32 grids are
  separate (float32 rounds the grid points).
* G1: 500 random cases, each with N(0, 1) weights, a batch of 1-8 inputs
  uniform on [-2.5, 2.5] (the toy data's range) and N(0, 1) targets; the
  hand-derived numpy gradients against torch autograd on ``ToyCNN`` in float64.
  Cases within 1e-9 of a ReLU kink or a max-pool tie are skipped and counted
  (a set of measure zero). ``torch.autograd.gradcheck`` at 5 points at least
  1e-2 from any kink.
* G2: 100 draws with w1 = w2 = 0; 100 steps of gradient descent (lr 0.01,
  batch 32 of 256 points with target max_i x_i) from w1 = w2 = 0, in numpy and
  with ``torch.optim.SGD``; 2,000 random draws (batches of 1-2) in which every
  filter whose pre-activations are all <= 0 is checked.
* All randomness comes from one numpy Generator seeded by the context's
  master seed.
"""

from __future__ import annotations

import contextlib
import functools
import math
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass

import mpmath
import numpy as np
import sympy as sp
import torch

from ex3.engine.claim import Evidence, RunContext
from ex3.models import toy_numpy
from ex3.models.sigmoid import sigmoid, sigmoid_derivative_direct, sigmoid_derivative_product
from ex3.models.toy import ToyCNN, squared_loss, toy_cnn_features
from ex3.models.toy_numpy import GradientFn, ToyCNNParams
from ex3.training.seeding import build_seeded

DTYPES = {"float64": np.float64, "float32": np.float32}
Derivative = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class HandwrittenProtocol:
    """Everything needed to reproduce the handwritten-page study."""

    seed: int = 0
    log_points: int = 2000
    fine_step: float = 0.01
    fine_limit: float = 110.0
    coarse_step: float = 0.5
    coarse_limit: float = 800.0
    reference_bits: int = 113
    outside_x: tuple[float, ...] = (20.0, 40.0, 100.0, 700.0)
    n_cases: int = 500
    max_batch: int = 8
    input_bound: float = 2.5
    tie_margin: float = 1e-9
    gradcheck_points: int = 5
    gradcheck_margin: float = 1e-2
    zero_weight_draws: int = 100
    gd_steps: int = 100
    gd_lr: float = 0.01
    gd_batch: int = 32
    gd_points: int = 256
    dead_filter_draws: int = 2000


def protocol_for(ctx: RunContext) -> HandwrittenProtocol:
    """The declared protocol, seeded by the context's master seed."""
    return HandwrittenProtocol(seed=ctx.master_seed)


@contextlib.contextmanager
def _one_torch_thread() -> Iterator[None]:
    """Tiny tensors: extra threads only add overhead (and contention with other runs)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


# --------------------------------------------------------------------------- S1


def prove_sigmoid_derivative() -> dict[str, bool]:
    """Each step of the page's derivation, checked by sympy (True: the step holds).

    The page sets F = 1/sigma, differentiates F two ways (chain rule and
    directly) and solves the resulting equation for sigma'.
    """
    x = sp.Symbol("x", real=True)
    sigma = 1 / (1 + sp.exp(-x))
    big_f = 1 / sigma
    g = sp.Function("sigma")(x)
    s = sp.Symbol("sigma", positive=True)   # the page notes sigma(x) > 0
    ds = sp.Symbol("sigma_prime")
    solved = sp.solve(sp.Eq(-ds / s**2, (s - 1) / s), ds)

    def zero(expr: sp.Expr) -> bool:
        return bool(sp.simplify(expr) == 0)

    return {
        "F_equals_1_plus_exp(-x)": zero(big_f - (1 + sp.exp(-x))),
        "F_prime_by_chain_rule_equals_-sigma_prime/sigma^2": zero(
            sp.diff(1 / g, x) + sp.diff(g, x) / g**2),
        "F_prime_equals_-exp(-x)": zero(sp.diff(big_f, x) + sp.exp(-x)),
        "-exp(-x)_equals_1-F": zero(-sp.exp(-x) - (1 - big_f)),
        "1-1/sigma_equals_(sigma-1)/sigma": zero((1 - 1 / s) - (s - 1) / s),
        "solving_gives_sigma(1-sigma)": len(solved) == 1 and zero(solved[0] - s * (1 - s)),
        "sigma_prime_equals_sigma(1-sigma)": zero(sp.diff(sigma, x) - sigma * (1 - sigma)),
    }


def x_grid(protocol: HandwrittenProtocol, dtype: type[np.floating]) -> np.ndarray:
    """The sorted, distinct grid of finite x for one floating type (see the module docstring)."""
    info = np.finfo(dtype)
    lo = math.log2(float(info.smallest_subnormal))
    hi = info.maxexp - 1
    with np.errstate(under="ignore"):
        mags = np.exp2(np.linspace(lo, hi, protocol.log_points))
        fine = np.arange(-round(protocol.fine_limit / protocol.fine_step),
                         round(protocol.fine_limit / protocol.fine_step) + 1) * protocol.fine_step
        coarse = np.arange(-round(protocol.coarse_limit / protocol.coarse_step),
                           round(protocol.coarse_limit / protocol.coarse_step) + 1
                           ) * protocol.coarse_step
        edges = [float(info.max), float(info.smallest_normal), float(info.smallest_subnormal)]
        parts = np.concatenate([mags, -mags, fine, coarse, edges, [-e for e in edges], [0.0]])
        return np.unique(parts.astype(dtype))


@functools.cache
def _reference(values: tuple[float, ...], bits: int) -> tuple[mpmath.mpf, ...]:
    """sigma'(x) at each exact float x, in mpmath at ``bits`` bits."""
    with mpmath.workprec(bits):
        one = mpmath.mpf(1)
        out = []
        for v in values:
            e = mpmath.exp(-abs(mpmath.mpf(v)))
            out.append(e / (one + e) ** 2)
        return tuple(out)


def reference_derivative(x: np.ndarray, bits: int = 113) -> list[mpmath.mpf]:
    """The high-precision sigma'(x) for each element of ``x`` (exact float inputs)."""
    return list(_reference(tuple(float(v) for v in np.ravel(x)), bits))


def relative_errors(values: np.ndarray, reference: list[mpmath.mpf], bits: int = 113
                    ) -> np.ndarray:
    """|value - reference| / reference, computed in mpmath so subnormals are exact.

    For |x| so large that even mpmath's exponent range gives sigma' = 0 the
    true value is positive yet far below any float: a 0 then has relative
    error 1, anything else an infinite one.
    """
    with mpmath.workprec(bits):
        return np.array([
            float(abs(mpmath.mpf(float(v)) - r) / r) if r != 0 else (1.0 if v == 0 else math.inf)
            for v, r in zip(np.ravel(values), reference, strict=True)])


def accurate_range(x: np.ndarray, errors: np.ndarray, tolerance: float) -> dict[str, float | None]:
    """The run of grid points around x = 0 where ``errors <= tolerance``.

    Returns its end points ``lo`` and ``hi``, the symmetric bound
    ``abs_x = min(-lo, hi)``, and the first grid points outside the run on each
    side (None where the run reaches the end of the grid).
    """
    ok = errors <= tolerance
    i0 = int(np.argmin(np.abs(x)))
    if not ok[i0]:
        return {"lo": None, "hi": None, "abs_x": 0.0, "first_bad_below": float(x[i0]),
                "first_bad_above": float(x[i0])}
    left = i0
    while left > 0 and ok[left - 1]:
        left -= 1
    right = i0
    while right < len(x) - 1 and ok[right + 1]:
        right += 1
    return {"lo": float(x[left]), "hi": float(x[right]),
            "abs_x": float(min(-x[left], x[right])),
            "first_bad_below": float(x[left - 1]) if left > 0 else None,
            "first_bad_above": float(x[right + 1]) if right < len(x) - 1 else None}


def _first_zero_above(x: np.ndarray, values: np.ndarray) -> float | None:
    zero = np.nonzero((x > 0) & (values == 0))[0]
    return float(x[zero[0]]) if zero.size else None


def torch_autograd_derivative(x: np.ndarray) -> np.ndarray:
    """d/dx torch.sigmoid(x) by autograd, float64."""
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(t).sum().backward()
    assert t.grad is not None
    return t.grad.numpy()


def silence_check(dtype: type[np.floating], grid: np.ndarray, derivative: Derivative
                  ) -> dict[str, int | bool]:
    """Run the sigmoid and both derivative formulas on every float of interest, trapping all.

    Every numpy floating-point condition is raised (``errstate(all="raise")``,
    underflow included) and every warning is an error; the count of failures
    must be 0. Also checks sigma stays in [0, 1], is non-decreasing, keeps the
    input's type, and hits 0, 1/2 and 1 at -inf, 0 and +inf.
    """
    info = np.finfo(dtype)
    extremes = [np.inf, float(info.max), float(info.smallest_normal),
                float(info.smallest_subnormal), 0.0]
    xs = np.unique(np.concatenate([grid, np.array(extremes + [-e for e in extremes], dtype)]))
    failures = 0
    outputs: dict[str, np.ndarray] = {}
    for name, fn in (("sigmoid", sigmoid), ("derivative", derivative),
                     ("direct", sigmoid_derivative_direct)):
        try:
            with warnings.catch_warnings(), np.errstate(all="raise"):
                warnings.simplefilter("error")
                outputs[name] = np.asarray(fn(xs))
        except (FloatingPointError, ArithmeticError, Warning):
            failures += 1
    s = outputs.get("sigmoid")
    sane = s is not None and s.dtype == np.dtype(dtype)
    in_unit = sane and bool(np.all((s >= 0) & (s <= 1)))
    monotone = sane and bool(np.all(np.diff(s) >= 0))
    ends = sane and bool(s[0] == 0 and s[-1] == 1 and s[np.searchsorted(xs, 0.0)] == 0.5)
    return {"points": len(xs), "failures": failures, "keeps_dtype": sane,
            "in_unit_interval": in_unit, "monotone": monotone, "exact_at_0_and_inf": ends}


def _measure_s1(ctx: RunContext, tolerance: Mapping[str, float],
                declared_abs_x: Mapping[str, float], derivative: Derivative) -> Evidence:
    protocol = protocol_for(ctx)
    bits = protocol.reference_bits
    evidence: Evidence = {"protocol": asdict(protocol), "symbolic": prove_sigmoid_derivative()}
    numeric: dict[str, dict] = {}
    for name, dtype in DTYPES.items():
        x = x_grid(protocol, dtype)
        ref = reference_derivative(x, bits)
        with np.errstate(all="ignore"):
            product = np.asarray(derivative(x))
        err = relative_errors(product, ref, bits)
        direct_err = relative_errors(sigmoid_derivative_direct(x), ref, bits)
        inside = np.abs(x) <= declared_abs_x[name]
        tol = tolerance[name]
        outside = {}
        for v in protocol.outside_x:
            xv = np.array([v], dtype=dtype)
            r = reference_derivative(xv, bits)
            pv = np.asarray(derivative(xv))
            outside[f"{v:g}"] = {"product": float(pv[0]), "reference": float(r[0]),
                                 "direct": float(sigmoid_derivative_direct(xv)[0]),
                                 "product_rel_err": float(relative_errors(pv, r, bits)[0])}
        numeric[name] = {
            "grid_points": len(x),
            "tolerance": tol,
            "declared_abs_x": declared_abs_x[name],
            "max_rel_err_declared": float(err[inside].max()),
            "argmax_rel_err_declared": float(x[inside][np.argmax(err[inside])]),
            "accurate_range": accurate_range(x, err, tol),
            "direct_max_rel_err_declared": float(direct_err[inside].max()),
            "direct_accurate_range": accurate_range(x, direct_err, tol),
            "product_first_zero_x": _first_zero_above(x, product),
            "outside": outside,
            "silence": silence_check(dtype, x, derivative),
        }
        if name == "float64":
            auto = torch_autograd_derivative(x)
            auto_err = relative_errors(auto, ref, bits)
            with np.errstate(all="ignore"):
                vs = np.abs(product - auto) / np.abs(auto)
            numeric[name]["torch"] = {
                "autograd_max_rel_err_declared": float(auto_err[inside].max()),
                "product_vs_autograd_max_rel_declared": float(vs[inside].max()),
                "autograd_accurate_range": accurate_range(x, auto_err, tol),
                "autograd_outside": {f"{v:g}": float(torch_autograd_derivative(np.array([v]))[0])
                                     for v in protocol.outside_x},
            }
    evidence["numeric"] = numeric
    return evidence


# --------------------------------------------------------------------------- G1, G2


@functools.cache
def _torch_model() -> ToyCNN:
    return build_seeded(ToyCNN, 0).double()


def torch_gradients(params: ToyCNNParams, x: np.ndarray, y: np.ndarray) -> ToyCNNParams:
    """dl/dfilters and dl/du of ``squared_loss`` by torch autograd on ``ToyCNN``, float64."""
    model = _torch_model()
    with torch.no_grad():
        model.filters.copy_(torch.from_numpy(params.filters))
        model.u.copy_(torch.from_numpy(params.u))
    model.zero_grad(set_to_none=True)
    squared_loss(model(torch.from_numpy(np.atleast_2d(x))),
                 torch.from_numpy(np.atleast_1d(y))).backward()
    assert model.filters.grad is not None and model.u.grad is not None
    return ToyCNNParams(model.filters.grad.numpy().copy(), model.u.grad.numpy().copy())


def _draw_case(rng: np.random.Generator, protocol: HandwrittenProtocol, max_batch: int
               ) -> tuple[ToyCNNParams, np.ndarray, np.ndarray]:
    params = ToyCNNParams.random(rng)
    batch = int(rng.integers(1, max_batch + 1))
    x = rng.uniform(-protocol.input_bound, protocol.input_bound, (batch, 4))
    return params, x, rng.standard_normal(batch)


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a|, |b|), 0 when both are zero: bounded by 2, scale-free."""
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    diff = float(np.max(np.abs(a - b)))
    return diff / scale if scale > 0 else 0.0


def gradcheck_at(params: ToyCNNParams, x: np.ndarray, y: np.ndarray) -> bool:
    """``torch.autograd.gradcheck`` of the torch model's loss in (filters, u), float64."""
    xt, yt = torch.from_numpy(np.atleast_2d(x)), torch.from_numpy(np.atleast_1d(y))
    filters = torch.tensor(params.filters, requires_grad=True)
    u = torch.tensor(params.u, requires_grad=True)

    def loss(f: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return squared_loss(toy_cnn_features(xt, f) @ w, yt)

    return bool(torch.autograd.gradcheck(loss, (filters, u), raise_exception=False))


def _gradcheck(rng: np.random.Generator, protocol: HandwrittenProtocol
               ) -> tuple[int, int, float]:
    """gradcheck at points far from kinks; also the hand gradient against finite differences."""
    passed = tried = 0
    worst_fd = 0.0
    while tried < protocol.gradcheck_points:
        params, x, y = _draw_case(rng, protocol, 4)
        if toy_numpy.tie_margin(params, x) < protocol.gradcheck_margin:
            continue
        tried += 1
        passed += int(gradcheck_at(params, x, y))
        worst_fd = max(worst_fd, _finite_difference_error(params, x, y))
    return passed, tried, worst_fd


def _finite_difference_error(params: ToyCNNParams, x: np.ndarray, y: np.ndarray,
                             h: float = 1e-6) -> float:
    """The hand gradient against central differences of the numpy loss (relative, max norm)."""
    flat = np.concatenate([params.filters.ravel(), params.u])
    numeric = np.empty_like(flat)
    for i in range(flat.size):
        up, down = flat.copy(), flat.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = (toy_numpy.loss(ToyCNNParams(up[:6].reshape(2, 3), up[6:]), x, y)
                      - toy_numpy.loss(ToyCNNParams(down[:6].reshape(2, 3), down[6:]), x, y)
                      ) / (2 * h)
    g = toy_numpy.gradients(params, x, y)
    return _relative(np.concatenate([g.filters.ravel(), g.u]), numeric)


def _measure_g1(ctx: RunContext, gradient_fn: GradientFn) -> Evidence:
    protocol = protocol_for(ctx)
    rng = np.random.default_rng([protocol.seed, 1])
    worst = {"abs_u": 0.0, "rel_u": 0.0, "abs_w": 0.0, "rel_w": 0.0, "abs_p": 0.0}
    checked = skipped = 0
    for _ in range(protocol.n_cases):
        params, x, y = _draw_case(rng, protocol, protocol.max_batch)
        if toy_numpy.tie_margin(params, x) < protocol.tie_margin:
            skipped += 1
            continue
        checked += 1
        hand = gradient_fn(params, x, y)
        auto = torch_gradients(params, x, y)
        with torch.no_grad():
            p_torch = _torch_model()(torch.from_numpy(x)).numpy()
        worst["abs_p"] = max(worst["abs_p"],
                             float(np.max(np.abs(toy_numpy.predict(params, x) - p_torch))))
        worst["abs_u"] = max(worst["abs_u"], float(np.max(np.abs(hand.u - auto.u))))
        worst["abs_w"] = max(worst["abs_w"], float(np.max(np.abs(hand.filters - auto.filters))))
        worst["rel_u"] = max(worst["rel_u"], _relative(hand.u, auto.u))
        worst["rel_w"] = max(worst["rel_w"], _relative(hand.filters, auto.filters))
    passed, tried, fd = _gradcheck(rng, protocol)
    return {"protocol": asdict(protocol), "cases": protocol.n_cases, "checked": checked,
            "skipped_ties": skipped,
            "max_abs_diff_u": worst["abs_u"], "max_rel_diff_u": worst["rel_u"],
            "max_abs_diff_w": worst["abs_w"], "max_rel_diff_w": worst["rel_w"],
            "max_abs_diff_p": worst["abs_p"],
            "gradcheck_points": tried, "gradcheck_passed": passed,
            "hand_vs_finite_difference_max_rel": fd}


def _descend_torch(params: ToyCNNParams, batches: list[tuple[np.ndarray, np.ndarray]],
                   lr: float) -> ToyCNNParams:
    model = build_seeded(ToyCNN, 0).double()
    with torch.no_grad():
        model.filters.copy_(torch.from_numpy(params.filters))
        model.u.copy_(torch.from_numpy(params.u))
    optimiser = torch.optim.SGD(model.parameters(), lr=lr)
    for xb, yb in batches:
        optimiser.zero_grad()
        squared_loss(model(torch.from_numpy(xb)), torch.from_numpy(yb)).backward()
        optimiser.step()
    return ToyCNNParams(model.filters.detach().numpy().copy(), model.u.detach().numpy().copy())


def _measure_g2(ctx: RunContext, gradient_fn: GradientFn) -> Evidence:
    protocol = protocol_for(ctx)
    rng = np.random.default_rng([protocol.seed, 2])

    # (a) w1 = w2 = 0: every pre-activation is exactly 0, every ReLU output 0.
    relu_out = hand_w = auto_w = hand_u = auto_u = 0.0
    for _ in range(protocol.zero_weight_draws):
        params, x, y = _draw_case(rng, protocol, protocol.max_batch)
        params = ToyCNNParams(np.zeros((2, 3)), params.u)
        hand, auto = gradient_fn(params, x, y), torch_gradients(params, x, y)
        relu_out = max(relu_out, float(np.max(np.abs(toy_numpy.forward(params, x).o))))
        hand_w = max(hand_w, float(np.max(np.abs(hand.filters))))
        auto_w = max(auto_w, float(np.max(np.abs(auto.filters))))
        hand_u = max(hand_u, float(np.max(np.abs(hand.u))))
        auto_u = max(auto_u, float(np.max(np.abs(auto.u))))

    # (b) gradient descent from w1 = w2 = 0, numpy and torch, on the same batches.
    x_all = rng.uniform(-protocol.input_bound, protocol.input_bound, (protocol.gd_points, 4))
    y_all = x_all.max(axis=1)
    batches = []
    while len(batches) < protocol.gd_steps:
        order = rng.permutation(protocol.gd_points)
        for i in range(0, protocol.gd_points - protocol.gd_batch + 1, protocol.gd_batch):
            idx = order[i:i + protocol.gd_batch]
            batches.append((x_all[idx], y_all[idx]))
    batches = batches[:protocol.gd_steps]
    start = ToyCNNParams(np.zeros((2, 3)), rng.standard_normal(4))
    via_numpy = start
    for xb, yb in batches:
        via_numpy = toy_numpy.sgd_step(via_numpy, xb, yb, protocol.gd_lr, gradient_fn)
    via_torch = _descend_torch(start, batches, protocol.gd_lr)
    other = toy_numpy.sgd_step(start, batches[0][0], batches[0][1], protocol.gd_lr,
                               lambda p, x, y: toy_numpy.gradients(p, x, y, relu_grad_at_zero=1.0))

    # (c) the general property: a filter whose pre-activations are all <= 0 gets no gradient.
    dead = dead_hand = dead_auto = 0
    for _ in range(protocol.dead_filter_draws):
        params, x, y = _draw_case(rng, protocol, 2)
        pre = toy_numpy.forward(params, x).pre                  # [B, filter, position]
        dead_filters = [k for k in range(2) if np.all(pre[:, k, :] <= 0)]
        if not dead_filters:
            continue
        hand, auto = gradient_fn(params, x, y), torch_gradients(params, x, y)
        for k in dead_filters:
            dead += 1
            dead_hand += int(np.any(hand.filters[k] != 0))
            dead_auto += int(np.any(auto.filters[k] != 0))

    return {
        "protocol": asdict(protocol),
        "zero_weights": {"draws": protocol.zero_weight_draws, "max_relu_output": relu_out,
                         "max_abs_grad_w_hand": hand_w, "max_abs_grad_w_torch": auto_w,
                         "max_abs_grad_u_hand": hand_u, "max_abs_grad_u_torch": auto_u},
        "descent": {"steps": protocol.gd_steps, "lr": protocol.gd_lr,
                    "max_abs_w_after_numpy": float(np.max(np.abs(via_numpy.filters))),
                    "max_abs_w_after_torch": float(np.max(np.abs(via_torch.filters))),
                    "max_abs_u_change_numpy": float(np.max(np.abs(via_numpy.u - start.u))),
                    "max_abs_u_change_torch": float(np.max(np.abs(via_torch.u - start.u))),
                    "max_abs_w_after_one_step_if_relu_grad_at_zero_is_1":
                        float(np.max(np.abs(other.filters)))},
        "dead_filters": {"draws": protocol.dead_filter_draws, "checked": dead,
                         "nonzero_hand": dead_hand, "nonzero_torch": dead_auto},
    }


def measure_s1(ctx: RunContext, tolerance: Mapping[str, float],
               declared_abs_x: Mapping[str, float],
               derivative: Derivative = sigmoid_derivative_product) -> Evidence:
    """Evidence for S1: the proof's steps, then the product formula's accuracy per float type.

    ``tolerance`` and ``declared_abs_x`` (per type name) are the judge's
    declared relative tolerance and range; ``derivative`` is the formula under
    test (the page's sigma (1 - sigma) unless a test passes another).
    """
    with _one_torch_thread():
        return _measure_s1(ctx, tolerance, declared_abs_x, derivative)


def measure_g1(ctx: RunContext, gradient_fn: GradientFn = toy_numpy.gradients) -> Evidence:
    """Evidence for G1: hand-derived gradients against autograd over random cases; gradcheck.

    ``gradient_fn`` is the derivation under test (the page's unless a test
    passes another).
    """
    with _one_torch_thread():
        return _measure_g1(ctx, gradient_fn)


def measure_g2(ctx: RunContext, gradient_fn: GradientFn = toy_numpy.gradients) -> Evidence:
    """Evidence for G2: with every ReLU output zero the filter gradients and updates are 0.

    ``gradient_fn`` is the derivation under test, used for the numpy gradients
    and the numpy descent.
    """
    with _one_torch_thread():
        return _measure_g2(ctx, gradient_fn)
