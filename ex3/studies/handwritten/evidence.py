"""What the handwritten page's checks measure: S1 (sigmoid identity), G1 and G2 (gradients).

S1's numbers are summarised at two declared points per float type, which the
judge reads as its thresholds of the same name (``ex3.studies.handwritten.judge``
explains both):

* S1_TOLERANCE: the relative error whose accurate range around x = 0 the
  evidence records (1e-12 in float64, 1e-5 in float32);
* S1_DECLARED_ABS_X: the range of |x| whose largest relative error the
  evidence records (8 in float64, 4 in float32).
"""

from __future__ import annotations

from dataclasses import dataclass

from ex3.studies.contract import Evidence

S1_TOLERANCE = {"float64": 1e-12, "float32": 1e-5}
S1_DECLARED_ABS_X = {"float64": 8.0, "float32": 4.0}


# --------------------------------------------------------------------------- S1


@dataclass(frozen=True, kw_only=True)
class AccurateRange:
    """The run of grid points around x = 0 within the tolerance (None: nowhere / grid's end)."""

    lo: float | None
    hi: float | None
    abs_x: float
    first_bad_below: float | None
    first_bad_above: float | None


@dataclass(frozen=True, kw_only=True)
class OutsidePoint:
    """The formula at one x past the declared range, against the reference."""

    product: float
    reference: float
    direct: float
    product_rel_err: float


@dataclass(frozen=True, kw_only=True)
class Silence:
    """Our sigmoid and both derivative formulas run on every float of interest, all traps on."""

    points: int
    failures: int
    keeps_dtype: bool
    in_unit_interval: bool
    monotone: bool
    exact_at_0_and_inf: bool


@dataclass(frozen=True, kw_only=True)
class TorchCheck:
    """torch autograd's sigma' in float64 against the same reference."""

    autograd_max_rel_err_declared: float
    product_vs_autograd_max_rel_declared: float
    autograd_accurate_range: AccurateRange
    autograd_outside: dict[str, float]


@dataclass(frozen=True, kw_only=True)
class NumericCheck:
    """sigma (1 - sigma) on one float type's grid against a 113-bit reference."""

    grid_points: int
    tolerance: float
    declared_abs_x: float
    max_rel_err_declared: float
    argmax_rel_err_declared: float
    accurate_range: AccurateRange
    direct_max_rel_err_declared: float
    direct_accurate_range: AccurateRange
    product_first_zero_x: float | None
    outside: dict[str, OutsidePoint]
    silence: Silence
    #: float64 only (left out of the JSON for float32).
    torch: TorchCheck | None = None


@dataclass(frozen=True, kw_only=True)
class SigmoidEvidence(Evidence):
    """Each sympy step of the page (True: holds), and the numerics per float type."""

    symbolic: dict[str, bool]
    numeric: dict[str, NumericCheck]


# --------------------------------------------------------------------------- G1


@dataclass(frozen=True, kw_only=True)
class GradientEvidence(Evidence):
    """Hand-derived gradients against autograd over random cases, and gradcheck."""

    cases: int
    checked: int
    skipped_ties: int
    max_abs_diff_u: float
    max_rel_diff_u: float
    max_abs_diff_w: float
    max_rel_diff_w: float
    max_abs_diff_p: float
    gradcheck_points: int
    gradcheck_passed: int
    hand_vs_finite_difference_max_rel: float


# --------------------------------------------------------------------------- G2


@dataclass(frozen=True, kw_only=True)
class ZeroWeights:
    """w1 = w2 = 0: the largest ReLU output and gradients over the draws."""

    draws: int
    max_relu_output: float
    max_abs_grad_w_hand: float
    max_abs_grad_w_torch: float
    max_abs_grad_u_hand: float
    max_abs_grad_u_torch: float


@dataclass(frozen=True, kw_only=True)
class Descent:
    """Gradient descent from w1 = w2 = 0, numpy and torch SGD on the same batches."""

    steps: int
    lr: float
    max_abs_w_after_numpy: float
    max_abs_w_after_torch: float
    max_abs_u_change_numpy: float
    max_abs_u_change_torch: float
    max_abs_w_after_one_step_if_relu_grad_at_zero_is_1: float


@dataclass(frozen=True, kw_only=True)
class DeadFilters:
    """Filters whose pre-activations are all <= 0, and how many got a nonzero gradient."""

    draws: int
    checked: int
    nonzero_hand: int
    nonzero_torch: int


@dataclass(frozen=True, kw_only=True)
class DeadFilterEvidence(Evidence):
    """G2's three checks."""

    zero_weights: ZeroWeights
    descent: Descent
    dead_filters: DeadFilters
