"""Judging the handwritten page: pure functions of the evidence and declared thresholds.

Thresholds, declared once:

* S1_TOLERANCE: the relative error, against a 113-bit reference, that the
  product formula sigma (1 - sigma) may have: 1e-12 in float64 (12 significant
  digits, about 10^4 unit roundoffs, u = 2^-53) and 1e-5 in float32 (5 digits,
  about 170 unit roundoffs, u = 2^-24). Both sit far above rounding noise and far below
  any real mistake (a wrong factor or sign is an O(1) error).
* S1_DECLARED_ABS_X: the range of x on which the formula must meet that
  tolerance, fixed *before* measuring from the one known weakness of the
  formula: for x > 0, 1 - sigma(x) is a difference of nearly equal numbers,
  so rounding sigma to the type's precision gives a relative error of about
  u · e^x. Requiring u · e^|x| <= tolerance / 3 (a safety factor of 3) gives
  |x| <= ln(tolerance / (3u)): 8.0 in float64 and 4.0 in float32 (rounded
  down). Beyond that the formula degrades as predicted and is exactly 0 once
  sigma rounds to 1 (x > ~36.7 in float64, ~17.3 in float32); the evidence shows
  where, but the verdict is about the declared range.
* G1_TOLERANCE = 1e-10: the largest relative difference (max-norm, per case)
  allowed between the hand-derived and the autograd gradients. Both are exact
  formulas evaluated in float64 that differ only in the order of summation,
  so honest differences are ~1e-15; an error of derivation is O(1).
* G2: "zero" means exactly 0.0; no tolerance.

S1_TOLERANCE and S1_DECLARED_ABS_X are the points at which the measurement
summarises each float type (``ex3.studies.handwritten.evidence`` declares them
with the evidence); the judge reads them from there.
"""

from __future__ import annotations

from ex3.studies.contract import Judgement
from ex3.studies.handwritten.evidence import (
    S1_DECLARED_ABS_X,
    S1_TOLERANCE,
    AccurateRange,
    DeadFilterEvidence,
    GradientEvidence,
    SigmoidEvidence,
)

__all__ = ["G1_TOLERANCE", "S1_DECLARED_ABS_X", "S1_TOLERANCE"]

G1_TOLERANCE = 1e-10

# Points past the accurate range whose values the S1 reason quotes, per type.
_SHOWN = {"float64": ("40", "100", "700"), "float32": ("20", "40")}


def _range(r: AccurateRange) -> str:
    if r.lo is None or r.hi is None:
        return "nowhere"
    return f"[{r.lo:.4g}, {r.hi:.4g}]"


def judge_s1(evidence: SigmoidEvidence) -> Judgement:
    """S1: every proof step holds; sigma (1 - sigma) meets the tolerance on the declared range.

    Also required: torch autograd (float64) agrees with the reference on that
    range, and our sigmoid ran silently on every float (no trapped floating
    point condition, output in [0, 1], monotone).
    """
    failed_steps = [k for k, ok in evidence.symbolic.items() if not ok]
    parts = ["sympy: all page steps hold" if not failed_steps
             else f"sympy: steps fail: {', '.join(failed_steps)}"]
    ok = not failed_steps
    for name in ("float64", "float32"):
        n = evidence.numeric[name]
        tol, bound = S1_TOLERANCE[name], S1_DECLARED_ABS_X[name]
        meets = n.max_rel_err_declared <= tol
        silence = n.silence
        silent = (silence.failures == 0 and silence.in_unit_interval
                  and silence.monotone and silence.keeps_dtype)
        ok &= meets and silent
        text = (f"{name}: max rel err {n.max_rel_err_declared:.2g} on |x| <= {bound:g} "
                f"({'<=' if meets else '>'} {tol:g}); within {tol:g} on x in "
                f"{_range(n.accurate_range)}")
        zero = n.product_first_zero_x
        if zero is not None:
            text += f", exactly 0 from x = {zero:g}"
        outside = n.outside
        shown = [k for k in _SHOWN[name] if k in outside]
        text += "".join(f"; x={k}: product {outside[k].product:.3g} vs sigma' "
                        f"{outside[k].reference:.3g}" for k in shown)
        if not silent:
            text += f"; sigmoid not silent/sane: {silence}"
        if name == "float64" and n.torch is not None:
            t = n.torch
            torch_ok = t.autograd_max_rel_err_declared <= tol
            ok &= torch_ok
            text += (f"; torch autograd max rel err {t.autograd_max_rel_err_declared:.2g} "
                     f"({'<=' if torch_ok else '>'} {tol:g}), vs product "
                     f"{t.product_vs_autograd_max_rel_declared:.2g}")
        parts.append(text)
    return Judgement.holds(ok, "; ".join(parts[:1]) + " | " + " | ".join(parts[1:]))


def judge_g1(evidence: GradientEvidence) -> Judgement:
    """G1: hand-derived dl/du and dl/dw equal autograd within G1_TOLERANCE; gradcheck passes."""
    rel_u, rel_w = evidence.max_rel_diff_u, evidence.max_rel_diff_w
    agree = evidence.checked > 0 and max(rel_u, rel_w) <= G1_TOLERANCE
    grad_ok = (evidence.gradcheck_points > 0
               and evidence.gradcheck_passed == evidence.gradcheck_points)
    reason = (f"{evidence.checked} of {evidence.cases} random cases "
              f"({evidence.skipped_ties} skipped at ties): hand vs autograd max rel diff "
              f"dl/du {rel_u:.2g}, dl/dw {rel_w:.2g} ({'<=' if agree else 'not <='} "
              f"{G1_TOLERANCE:g}; max abs {evidence.max_abs_diff_u:.2g}, "
              f"{evidence.max_abs_diff_w:.2g}); gradcheck passed "
              f"{evidence.gradcheck_passed}/{evidence.gradcheck_points}")
    return Judgement.holds(agree and grad_ok, reason)


def judge_g2(evidence: DeadFilterEvidence) -> Judgement:
    """G2: with every ReLU output 0 the filter gradients are exactly 0 and descent keeps w = 0."""
    z, d, dead = evidence.zero_weights, evidence.descent, evidence.dead_filters
    zero_grads = (z.max_relu_output == 0 and z.max_abs_grad_w_hand == 0
                  and z.max_abs_grad_w_torch == 0)
    stays = d.max_abs_w_after_numpy == 0 and d.max_abs_w_after_torch == 0
    general = dead.checked > 0 and dead.nonzero_hand == 0 and dead.nonzero_torch == 0
    reason = (f"w1 = w2 = 0 over {z.draws} draws: max ReLU output {z.max_relu_output:g}, "
              f"max |dl/dw| hand {z.max_abs_grad_w_hand:g}, autograd "
              f"{z.max_abs_grad_w_torch:g}; after {d.steps} GD steps (lr {d.lr:g}) "
              f"max |w| numpy {d.max_abs_w_after_numpy:g}, torch SGD "
              f"{d.max_abs_w_after_torch:g}; filters with all pre-activations <= 0: "
              f"{dead.checked} checked, nonzero gradient hand {dead.nonzero_hand}, "
              f"autograd {dead.nonzero_torch}; u moved by {d.max_abs_u_change_numpy:g} "
              f"(numpy), {d.max_abs_u_change_torch:g} (torch): with m = 0, dl/du = 0 too")
    return Judgement.holds(zero_grads and stays and general, reason)
