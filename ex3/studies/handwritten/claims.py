"""The claims of the report's handwritten page (S1, G1, G2) and its untestable line (C1).

Exact checks, the same in every profile and without MNIST: no run of them is
a reduced budget (``budget_free``), and no protocol choice is left open.
"""

from __future__ import annotations

from ex3.studies.contract import Claim
from ex3.studies.handwritten import judge
from ex3.studies.handwritten.dead_filters import measure_g2
from ex3.studies.handwritten.gradients import measure_g1
from ex3.studies.handwritten.sigmoid_identity import measure_s1

SECTION = "The handwritten page"


_TOL64, _TOL32 = judge.S1_TOLERANCE["float64"], judge.S1_TOLERANCE["float32"]
_X64, _X32 = judge.S1_DECLARED_ABS_X["float64"], judge.S1_DECLARED_ABS_X["float32"]

CLAIMS = (
    Claim("S1", SECTION,
          "F(x) = 1/sigma(x) = 1 + e^{-x}, F'(x) = -e^{-x} = 1 - F(x), "
          "sigma'(x) = (1 - sigma(x)) sigma(x)",
          "sigma'(x) = sigma(x) (1 - sigma(x)), derived through F = 1/sigma.",
          f"every step proved by sympy; sigma (1 - sigma) within relative {_TOL64:g} of a "
          f"113-bit reference on |x| <= {_X64:g} in float64 and within {_TOL32:g} on "
          f"|x| <= {_X32:g} in float32; torch autograd likewise in float64",
          measure_s1, judge.judge_s1, budget_free=True),
    Claim("G1", SECTION,
          "dl/du = 2(p - y) m^T, dl/dw_j = dl/dp * dp/dm_ij * dm_ij/do_ij * do_ij/dw_j",
          "The toy CNN's hand-derived gradients (chain rule through ReLU and max-pool) are "
          "correct.",
          f"hand-derived numpy gradients equal torch autograd within relative "
          f"{judge.G1_TOLERANCE:g} on random cases away from ties; torch gradcheck passes",
          measure_g1, judge.judge_g1, budget_free=True),
    Claim("G2", SECTION,
          "o_ij = max{w^T x, 0} = 0, dl/dw1 = dl/dw2 = 0, w1 = w1 - lambda dl/dw1 = 0",
          "With every ReLU output zero (e.g. w1 = w2 = 0) the filter gradients vanish and "
          "gradient descent keeps w1 = w2 = 0.",
          "filter gradients and weights after gradient descent exactly 0.0 (hand and autograd)",
          measure_g2, judge.judge_g2, budget_free=True),
    Claim("C1", SECTION,
          "the function is convex: 3, 7, 10",
          "A line of the page calls some functions, numbered 3, 7 and 10, convex.",
          "none", budget_free=True,
          not_testable="the line answers a question (about functions 3, 7 and 10) that is not "
                       "in the report, so there is nothing to check it against"),
)
