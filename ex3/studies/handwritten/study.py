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
* All randomness comes from numpy Generators seeded by the study's one seed
  (``ex3.studies.contract.study_seeds``: 0 for the declared protocol).
"""

from __future__ import annotations

from dataclasses import dataclass

from ex3.studies.contract import RunContext, study_seeds


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
    """The declared protocol, with the one seed ``study_seeds`` gives the context."""
    return HandwrittenProtocol(seed=study_seeds(ctx, 1)[0])

