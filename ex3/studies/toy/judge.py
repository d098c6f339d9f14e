"""Judging the toy claims: pure functions of the evidence and declared thresholds.

Thresholds, declared once, on normalised MSE (NMSE = MSE / Var(y) = 1 - R^2):

* NEAR_ZERO = 0.01: "zero loss" / "learned well" means test NMSE <= 0.01,
  i.e. the model explains at least 99% of the target's variance;
* FAR_FROM_ZERO = 0.1: "values not close to zero" means NMSE >= 0.1, ten
  times the near-zero bound;
* FAST = 0.25: "fast convergence" means the test NMSE falls to NEAR_ZERO
  within the first quarter of the training epochs;
* PLATEAU_WINDOW = 10 epochs and PLATEAU_TOL = 0.1: "converges / levels
  off" means the mean test NMSE of the last 10 epochs differs from that of the
  10 before by less than 10%;
* T4, "The loss of the linear model reduces ... and also converges ... but
  to values not close to zero": "the loss", unqualified, is the loss the
  model is trained on (the train NMSE, evaluated on the whole training set
  after each epoch), as in A1. It "reduces" when its final value is below
  its initial one (the weakest reading: it ends lower), "converges" when it
  levels off (PLATEAU_TOL below) and is "not close to zero" when it ends
  >= FAR_FROM_ZERO. Stricter properties are sub-checks beside the verdict,
  never deciding it: whether it halves (final <= DECREASE = 0.5 x initial),
  and whether the test NMSE ends lower too;
* "better" means lower final test NMSE in every seed.

NEAR_ZERO and PLATEAU_WINDOW are the points at which the measurement
summarises each run (``ex3.studies.toy.evidence`` declares them with the
evidence, which records ``epochs_to_near_zero`` and the plateau changes at
them); the judges read them from there.
"""

from __future__ import annotations

from ex3.studies.contract import Judgement
from ex3.studies.toy.evidence import NEAR_ZERO, PLATEAU_WINDOW, ToyEvidence, ToyRun

__all__ = ["DECREASE", "FAR_FROM_ZERO", "FAST", "NEAR_ZERO", "PLATEAU_TOL", "PLATEAU_WINDOW"]

FAR_FROM_ZERO = 0.1
FAST = 0.25
PLATEAU_TOL = 0.1
DECREASE = 0.5


def _runs(evidence: ToyEvidence, function: str, model: str) -> list[ToyRun]:
    return evidence.runs(function, model)


def _fmt(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.3g}" for v in values) + "]"


def judge_t1(evidence: ToyEvidence) -> Judgement:
    """T1: the CNN reaches NMSE <= NEAR_ZERO on y0, y1 and y2, within FAST of the epochs."""
    failures = []
    for f in ("y0", "y1", "y2"):
        runs = _runs(evidence, f, "cnn")
        finals = [r.final_test_nmse for r in runs]
        budget = FAST * runs[0].epochs
        slow = [r for r in runs
                if r.epochs_to_near_zero is None or r.epochs_to_near_zero > budget]
        if max(finals) > NEAR_ZERO or slow:
            failures.append(f"{f}: CNN test NMSE per seed {_fmt(finals)}")
    if failures:
        return Judgement.holds(False, f"CNN not near zero (NMSE <= {NEAR_ZERO}) fast: "
                               + "; ".join(failures))
    return Judgement.holds(True, f"CNN test NMSE <= {NEAR_ZERO} on y0, y1, y2 in every seed, "
                           f"within {FAST:.0%} of the epochs")


def judge_t2(evidence: ToyEvidence) -> Judgement:
    """T2: CNN better than linear on y1 and y2 in every seed; on y0 both near zero."""
    parts, ok = [], True
    for f in ("y1", "y2"):
        cnn = [r.final_test_nmse for r in _runs(evidence, f, "cnn")]
        lin = [r.final_test_nmse for r in _runs(evidence, f, "linear")]
        better = all(c < b for c, b in zip(cnn, lin, strict=True))
        ok &= better
        parts.append(f"{f}: CNN {_fmt(cnn)} vs linear {_fmt(lin)}"
                     f" ({'better' if better else 'not better'} in every seed)")
    cnn0 = [r.final_test_nmse for r in _runs(evidence, "y0", "cnn")]
    lin0 = [r.final_test_nmse for r in _runs(evidence, "y0", "linear")]
    equal = max(cnn0 + lin0) <= NEAR_ZERO
    ok &= equal
    parts.append(f"y0: CNN {_fmt(cnn0)} vs linear {_fmt(lin0)}"
                 f" ({'both' if equal else 'not both'} <= {NEAR_ZERO})")
    return Judgement.holds(ok, "test NMSE per seed; " + "; ".join(parts))


def judge_t3(evidence: ToyEvidence) -> Judgement:
    """T3: linear reaches NEAR_ZERO on y0 (train and test), later than the CNN in every seed."""
    lin = _runs(evidence, "y0", "linear")
    cnn = _runs(evidence, "y0", "cnn")
    near = all(max(r.final_train_nmse, r.final_test_nmse) <= NEAR_ZERO for r in lin)
    lin_epochs = [r.epochs_to_near_zero for r in lin]
    cnn_epochs = [r.epochs_to_near_zero for r in cnn]
    slower = all(le is not None and (ce is not None and le > ce)
                 for le, ce in zip(lin_epochs, cnn_epochs, strict=True))
    reason = (f"linear y0 final test NMSE {_fmt([r.final_test_nmse for r in lin])}, train "
              f"{_fmt([r.final_train_nmse for r in lin])} ({'<=' if near else 'not all <='} "
              f"{NEAR_ZERO}); epochs to NMSE <= {NEAR_ZERO}: linear {lin_epochs}, CNN {cnn_epochs}"
              f" ({'slower' if slower else 'not slower'} than the CNN in every seed)")
    return Judgement.holds(near and slower, reason)


def judge_t4(evidence: ToyEvidence) -> Judgement:
    """T4: on y1 and y2 the linear model's train NMSE ends below its initial value, levels off
    and stays >= FAR_FROM_ZERO, in every seed."""
    parts, ok, sub_checks = [], True, {}
    for f in ("y1", "y2"):
        runs = _runs(evidence, f, "linear")
        finals = [r.final_train_nmse for r in runs]
        ratios = [r.final_train_nmse / r.initial_train_nmse for r in runs]
        test_ratios = [r.final_test_nmse / r.initial_test_nmse for r in runs]
        decreased = all(ratio < 1 for ratio in ratios)
        levelled = all(r.train_plateau_change < PLATEAU_TOL for r in runs)
        far = min(finals) >= FAR_FROM_ZERO
        ok &= decreased and levelled and far
        parts.append(f"{f}: final {_fmt(finals)}, final/initial {_fmt(ratios)} (ends lower: "
                     f"{decreased}, levelled off <{PLATEAU_TOL:.0%}: {levelled}, "
                     f">= {FAR_FROM_ZERO}: {far}); test final/initial {_fmt(test_ratios)}")
        sub_checks[f"{f}: train loss halves (final <= {DECREASE} x initial)"] = (
            f"{sum(ratio <= DECREASE for ratio in ratios)} of {len(ratios)} seeds")
        sub_checks[f"{f}: test loss ends lower too"] = (
            f"{sum(ratio < 1 for ratio in test_ratios)} of {len(ratios)} seeds")
    return Judgement.holds(ok, "linear train NMSE per seed; " + "; ".join(parts), sub_checks)


def comparisons_t2(evidence: ToyEvidence) -> dict[str, tuple[list[float], list[float], bool]]:
    """CNN vs linear final test NMSE per seed, on each function (lower is better)."""
    return {f"cnn vs linear, {f} test NMSE":
            ([r.final_test_nmse for r in _runs(evidence, f, "cnn")],
             [r.final_test_nmse for r in _runs(evidence, f, "linear")], False)
            for f in ("y0", "y1", "y2")}
