"""S1: the page's sigmoid derivative identity, proved step by step and measured in floats.

The protocol (the grid of x, the 113-bit reference) is declared in
:mod:`ex3.studies.handwritten.study`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import asdict

import mpmath
import numpy as np
import sympy as sp
import torch

from ex3.models.sigmoid import sigmoid, sigmoid_derivative_direct, sigmoid_derivative_product
from ex3.studies.contract import RunContext, SessionCache
from ex3.studies.handwritten.evidence import (
    S1_DECLARED_ABS_X,
    S1_TOLERANCE,
    AccurateRange,
    NumericCheck,
    OutsidePoint,
    SigmoidEvidence,
    Silence,
    TorchCheck,
)
from ex3.studies.handwritten.study import HandwrittenProtocol, protocol_for
from ex3.training.threads import intra_op_threads

DTYPES = {"float64": np.float64, "float32": np.float32}


Derivative = Callable[[np.ndarray], np.ndarray]


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


def _reference(values: tuple[float, ...], bits: int) -> tuple[mpmath.mpf, ...]:
    """sigma'(x) at each exact float x, in mpmath at ``bits`` bits."""
    with mpmath.workprec(bits):
        one = mpmath.mpf(1)
        out = []
        for v in values:
            e = mpmath.exp(-abs(mpmath.mpf(v)))
            out.append(e / (one + e) ** 2)
        return tuple(out)


def reference_derivative(x: np.ndarray, bits: int = 113, cache: SessionCache | None = None
                         ) -> list[mpmath.mpf]:
    """The high-precision sigma'(x) for each element of ``x`` (exact float inputs).

    With a session ``cache`` each grid is computed once per session (a
    falsification world re-measures S1 on the same grids).
    """
    values = tuple(float(v) for v in np.ravel(x))
    if cache is None:
        return list(_reference(values, bits))
    return list(cache.get(("handwritten.reference", values, bits),
                          lambda: _reference(values, bits)))


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


def accurate_range(x: np.ndarray, errors: np.ndarray, tolerance: float) -> AccurateRange:
    """The run of grid points around x = 0 where ``errors <= tolerance``.

    Returns its end points ``lo`` and ``hi``, the symmetric bound
    ``abs_x = min(-lo, hi)``, and the first grid points outside the run on each
    side (None where the run reaches the end of the grid).
    """
    ok = errors <= tolerance
    i0 = int(np.argmin(np.abs(x)))
    if not ok[i0]:
        return AccurateRange(lo=None, hi=None, abs_x=0.0, first_bad_below=float(x[i0]),
                             first_bad_above=float(x[i0]))
    left = i0
    while left > 0 and ok[left - 1]:
        left -= 1
    right = i0
    while right < len(x) - 1 and ok[right + 1]:
        right += 1
    return AccurateRange(lo=float(x[left]), hi=float(x[right]),
                         abs_x=float(min(-x[left], x[right])),
                         first_bad_below=float(x[left - 1]) if left > 0 else None,
                         first_bad_above=float(x[right + 1]) if right < len(x) - 1 else None)


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
                  ) -> Silence:
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
    return Silence(points=len(xs), failures=failures, keeps_dtype=sane,
                   in_unit_interval=in_unit, monotone=monotone, exact_at_0_and_inf=ends)


def _measure_s1(ctx: RunContext, derivative: Derivative) -> SigmoidEvidence:
    protocol = protocol_for(ctx)
    bits = protocol.reference_bits
    numeric: dict[str, NumericCheck] = {}
    for name, dtype in DTYPES.items():
        x = x_grid(protocol, dtype)
        ref = reference_derivative(x, bits, ctx.cache)
        with np.errstate(all="ignore"):
            product = np.asarray(derivative(x))
        err = relative_errors(product, ref, bits)
        direct_err = relative_errors(sigmoid_derivative_direct(x), ref, bits)
        inside = np.abs(x) <= S1_DECLARED_ABS_X[name]
        tol = S1_TOLERANCE[name]
        outside = {}
        for v in protocol.outside_x:
            xv = np.array([v], dtype=dtype)
            r = reference_derivative(xv, bits, ctx.cache)
            pv = np.asarray(derivative(xv))
            outside[f"{v:g}"] = OutsidePoint(
                product=float(pv[0]), reference=float(r[0]),
                direct=float(sigmoid_derivative_direct(xv)[0]),
                product_rel_err=float(relative_errors(pv, r, bits)[0]))
        torch_check = None
        if name == "float64":
            auto = torch_autograd_derivative(x)
            auto_err = relative_errors(auto, ref, bits)
            with np.errstate(all="ignore"):
                vs = np.abs(product - auto) / np.abs(auto)
            torch_check = TorchCheck(
                autograd_max_rel_err_declared=float(auto_err[inside].max()),
                product_vs_autograd_max_rel_declared=float(vs[inside].max()),
                autograd_accurate_range=accurate_range(x, auto_err, tol),
                autograd_outside={f"{v:g}": float(torch_autograd_derivative(np.array([v]))[0])
                                  for v in protocol.outside_x})
        numeric[name] = NumericCheck(
            grid_points=len(x),
            tolerance=tol,
            declared_abs_x=S1_DECLARED_ABS_X[name],
            max_rel_err_declared=float(err[inside].max()),
            argmax_rel_err_declared=float(x[inside][np.argmax(err[inside])]),
            accurate_range=accurate_range(x, err, tol),
            direct_max_rel_err_declared=float(direct_err[inside].max()),
            direct_accurate_range=accurate_range(x, direct_err, tol),
            product_first_zero_x=_first_zero_above(x, product),
            outside=outside,
            silence=silence_check(dtype, x, derivative),
            torch=torch_check,
        )
    return SigmoidEvidence(protocol=asdict(protocol), symbolic=prove_sigmoid_derivative(),
                           numeric=numeric)


def measure_s1(ctx: RunContext, derivative: Derivative = sigmoid_derivative_product
               ) -> SigmoidEvidence:
    """Evidence for S1: the proof's steps, then the product formula's accuracy per float type.

    Each type is summarised at the evidence's declared tolerance and range
    (``ex3.studies.handwritten.evidence``); ``derivative`` is the formula
    under test (the page's sigma (1 - sigma) unless a test passes another).
    """
    with intra_op_threads(1):  # tiny tensors: more threads only add overhead
        return _measure_s1(ctx, derivative)
