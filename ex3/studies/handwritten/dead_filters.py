"""G2: with every ReLU output zero, a filter gets no gradient and never moves.

Checked three ways: at w1 = w2 = 0, along gradient descent from there (numpy
and ``torch.optim.SGD``), and on random draws with a dead filter. The protocol
is declared in :mod:`ex3.studies.handwritten.study`.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import torch

from ex3.models import toy_numpy
from ex3.models.toy import ToyCNN, squared_loss
from ex3.models.toy_numpy import GradientFn, ToyCNNParams
from ex3.studies.contract import RunContext
from ex3.studies.handwritten.evidence import DeadFilterEvidence, DeadFilters, Descent, ZeroWeights
from ex3.studies.handwritten.gradients import draw_case, torch_gradients, torch_model
from ex3.studies.handwritten.study import protocol_for
from ex3.training.seeding import build_seeded
from ex3.training.threads import intra_op_threads


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


def _measure_g2(ctx: RunContext, gradient_fn: GradientFn) -> DeadFilterEvidence:
    protocol = protocol_for(ctx)
    model = torch_model()
    rng = np.random.default_rng([protocol.seed, 2])

    # (a) w1 = w2 = 0: every pre-activation is exactly 0, every ReLU output 0.
    relu_out = hand_w = auto_w = hand_u = auto_u = 0.0
    for _ in range(protocol.zero_weight_draws):
        params, x, y = draw_case(rng, protocol, protocol.max_batch)
        params = ToyCNNParams(np.zeros((2, 3)), params.u)
        hand, auto = gradient_fn(params, x, y), torch_gradients(params, x, y, model)
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
        params, x, y = draw_case(rng, protocol, 2)
        pre = toy_numpy.forward(params, x).pre                  # [B, filter, position]
        dead_filters = [k for k in range(2) if np.all(pre[:, k, :] <= 0)]
        if not dead_filters:
            continue
        hand, auto = gradient_fn(params, x, y), torch_gradients(params, x, y, model)
        for k in dead_filters:
            dead += 1
            dead_hand += int(np.any(hand.filters[k] != 0))
            dead_auto += int(np.any(auto.filters[k] != 0))

    return DeadFilterEvidence(
        protocol=asdict(protocol),
        zero_weights=ZeroWeights(draws=protocol.zero_weight_draws, max_relu_output=relu_out,
                                 max_abs_grad_w_hand=hand_w, max_abs_grad_w_torch=auto_w,
                                 max_abs_grad_u_hand=hand_u, max_abs_grad_u_torch=auto_u),
        descent=Descent(steps=protocol.gd_steps, lr=protocol.gd_lr,
                        max_abs_w_after_numpy=float(np.max(np.abs(via_numpy.filters))),
                        max_abs_w_after_torch=float(np.max(np.abs(via_torch.filters))),
                        max_abs_u_change_numpy=float(np.max(np.abs(via_numpy.u - start.u))),
                        max_abs_u_change_torch=float(np.max(np.abs(via_torch.u - start.u))),
                        max_abs_w_after_one_step_if_relu_grad_at_zero_is_1=float(
                            np.max(np.abs(other.filters)))),
        dead_filters=DeadFilters(draws=protocol.dead_filter_draws, checked=dead,
                                 nonzero_hand=dead_hand, nonzero_torch=dead_auto),
    )


def measure_g2(ctx: RunContext, gradient_fn: GradientFn = toy_numpy.gradients
               ) -> DeadFilterEvidence:
    """Evidence for G2: with every ReLU output zero the filter gradients and updates are 0.

    ``gradient_fn`` is the derivation under test, used for the numpy gradients
    and the numpy descent.
    """
    with intra_op_threads(1):  # tiny tensors: more threads only add overhead
        return _measure_g2(ctx, gradient_fn)
