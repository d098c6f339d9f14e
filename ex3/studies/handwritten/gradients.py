"""G1: the page's hand-derived gradients of the toy CNN against torch autograd.

Also the torch side shared with G2 (:mod:`ex3.studies.handwritten.dead_filters`):
one float64 ``ToyCNN`` and the random cases both studies draw. The protocol is
declared in :mod:`ex3.studies.handwritten.study`.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import torch

from ex3.models import toy_numpy
from ex3.models.toy import ToyCNN, squared_loss, toy_cnn_features
from ex3.models.toy_numpy import GradientFn, ToyCNNParams
from ex3.studies.contract import RunContext
from ex3.studies.handwritten.evidence import GradientEvidence
from ex3.studies.handwritten.study import HandwrittenProtocol, protocol_for
from ex3.training.seeding import build_seeded
from ex3.training.threads import intra_op_threads


def torch_model() -> ToyCNN:
    """A float64 ``ToyCNN`` whose weights each check overwrites (one per measurement)."""
    return build_seeded(ToyCNN, 0).double()


def torch_gradients(params: ToyCNNParams, x: np.ndarray, y: np.ndarray,
                    model: ToyCNN | None = None) -> ToyCNNParams:
    """dl/dfilters and dl/du of ``squared_loss`` by torch autograd on ``ToyCNN``, float64.

    ``model`` is overwritten with ``params`` (a new one is built when None).
    """
    model = torch_model() if model is None else model
    with torch.no_grad():
        model.filters.copy_(torch.from_numpy(params.filters))
        model.u.copy_(torch.from_numpy(params.u))
    model.zero_grad(set_to_none=True)
    squared_loss(model(torch.from_numpy(np.atleast_2d(x))),
                 torch.from_numpy(np.atleast_1d(y))).backward()
    assert model.filters.grad is not None and model.u.grad is not None
    return ToyCNNParams(model.filters.grad.numpy().copy(), model.u.grad.numpy().copy())


def draw_case(rng: np.random.Generator, protocol: HandwrittenProtocol, max_batch: int
               ) -> tuple[ToyCNNParams, np.ndarray, np.ndarray]:
    params = ToyCNNParams.random(rng)
    batch = int(rng.integers(1, max_batch + 1))
    x = rng.uniform(-protocol.input_bound, protocol.input_bound, (batch, 4))
    return params, x, rng.standard_normal(batch)


def relative(a: np.ndarray, b: np.ndarray) -> float:
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
        params, x, y = draw_case(rng, protocol, 4)
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
    return relative(np.concatenate([g.filters.ravel(), g.u]), numeric)


def _measure_g1(ctx: RunContext, gradient_fn: GradientFn) -> GradientEvidence:
    protocol = protocol_for(ctx)
    model = torch_model()
    rng = np.random.default_rng([protocol.seed, 1])
    worst = {"abs_u": 0.0, "rel_u": 0.0, "abs_w": 0.0, "rel_w": 0.0, "abs_p": 0.0}
    checked = skipped = 0
    for _ in range(protocol.n_cases):
        params, x, y = draw_case(rng, protocol, protocol.max_batch)
        if toy_numpy.tie_margin(params, x) < protocol.tie_margin:
            skipped += 1
            continue
        checked += 1
        hand = gradient_fn(params, x, y)
        auto = torch_gradients(params, x, y, model)
        with torch.no_grad():
            p_torch = model(torch.from_numpy(x)).numpy()
        worst["abs_p"] = max(worst["abs_p"],
                             float(np.max(np.abs(toy_numpy.predict(params, x) - p_torch))))
        worst["abs_u"] = max(worst["abs_u"], float(np.max(np.abs(hand.u - auto.u))))
        worst["abs_w"] = max(worst["abs_w"], float(np.max(np.abs(hand.filters - auto.filters))))
        worst["rel_u"] = max(worst["rel_u"], relative(hand.u, auto.u))
        worst["rel_w"] = max(worst["rel_w"], relative(hand.filters, auto.filters))
    passed, tried, fd = _gradcheck(rng, protocol)
    return GradientEvidence(protocol=asdict(protocol), cases=protocol.n_cases, checked=checked,
                            skipped_ties=skipped,
                            max_abs_diff_u=worst["abs_u"], max_rel_diff_u=worst["rel_u"],
                            max_abs_diff_w=worst["abs_w"], max_rel_diff_w=worst["rel_w"],
                            max_abs_diff_p=worst["abs_p"],
                            gradcheck_points=tried, gradcheck_passed=passed,
                            hand_vs_finite_difference_max_rel=fd)


def measure_g1(ctx: RunContext, gradient_fn: GradientFn = toy_numpy.gradients
               ) -> GradientEvidence:
    """Evidence for G1: hand-derived gradients against autograd over random cases; gradcheck.

    ``gradient_fn`` is the derivation under test (the page's unless a test
    passes another).
    """
    with intra_op_threads(1):  # tiny tensors: more threads only add overhead
        return _measure_g1(ctx, gradient_fn)
