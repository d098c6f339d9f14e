"""Judging the MNIST classifier claims (pure functions of the evidence).

Declared thresholds:

* M1: "accuracy 92%+" means final train and test accuracy >= 0.92 in every
  seed; "the loss converges" means the final train loss is below the loss
  after the first epoch. The 92% bar is about the full data: on the bundled
  sample the claim is SKIPPED.
* M2, "it is better than the linear model as we can see from comparing the
  graphs": the graphs are loss and accuracy on train and test data, so
  "better" means better on all four, in every seed (seeds paired); the
  smallest margin is shown.
* M3, "The convnet achieved better results than MLP and the linear model":
  results are what a classifier is judged by, its loss and accuracy on data
  it did not train on, so "better" means lower test loss and higher test
  accuracy than each, in every seed. The train-set margins are a stricter
  property (how well each fits its training data) and are shown as
  sub-checks beside the verdict, never deciding it.
"""

from __future__ import annotations

from ex3.config import DATA_DIR_ENV
from ex3.studies.contract import Judgement, Verdict
from ex3.studies.mnist.evidence import ClassifierRun, MnistEvidence

ACCURACY_BAR = 0.92
METRICS = (("train_loss", -1), ("test_loss", -1), ("train_acc", +1), ("test_acc", +1))
TEST_METRICS = tuple(m for m in METRICS if m[0].startswith("test"))
TRAIN_METRICS = tuple(m for m in METRICS if m[0].startswith("train"))


def _seeds(evidence: MnistEvidence) -> list[dict[str, ClassifierRun]]:
    return evidence.seeds()


def judge_m1(evidence: MnistEvidence) -> Judgement:
    """M1: the linear model reaches >= 92% on train and test, its loss converging."""
    if evidence.data_kind != "full":
        return Judgement(Verdict.SKIPPED, "the 92% bar needs the full MNIST; this run used "
                         f"{evidence.data_source}: point {DATA_DIR_ENV} at MNIST")
    runs = [s["linear"] for s in _seeds(evidence)]
    train = [r.train_acc for r in runs]
    test = [r.test_acc for r in runs]
    converging = all(r.train_loss < r.train_loss_first_epoch for r in runs)
    ok = min(train + test) >= ACCURACY_BAR and converging
    return Judgement.holds(ok, f"linear train acc {_pct(train)}, test acc {_pct(test)} "
                           f"(bar {ACCURACY_BAR:.0%}); loss still falling after epoch 1: "
                           f"{converging}")


def better(evidence: MnistEvidence, winner: str, loser: str,
           metrics: tuple[tuple[str, int], ...] = METRICS) -> tuple[bool, str]:
    """Whether ``winner`` beats ``loser`` on each of ``metrics`` in every seed, and the margins."""
    ok, parts = True, []
    for metric, sign in metrics:
        margins = [sign * (s[winner].metric(metric) - s[loser].metric(metric))
                   for s in _seeds(evidence)]
        ok &= min(margins) > 0
        parts.append(f"{metric} margin min {min(margins):+.4f}")
    return ok, f"{winner} vs {loser}: " + ", ".join(parts)


def judge_m2(evidence: MnistEvidence) -> Judgement:
    """M2: the MLP is better than the linear model."""
    ok, reason = better(evidence, "mlp", "linear")
    return Judgement.holds(ok, reason + f" ({len(_seeds(evidence))} seeds)")


def judge_m3(evidence: MnistEvidence) -> Judgement:
    """M3: the convnet's test loss and accuracy are better than the MLP's and the linear's."""
    ok1, r1 = better(evidence, "convnet", "mlp", TEST_METRICS)
    ok2, r2 = better(evidence, "convnet", "linear", TEST_METRICS)
    sub_checks = {}
    for loser in ("mlp", "linear"):
        held, margins = better(evidence, "convnet", loser, TRAIN_METRICS)
        sub_checks[f"better on the train set than the {loser}"] = (
            f"{'yes' if held else 'no'}: {margins}")
    return Judgement.holds(ok1 and ok2, f"{r1}; {r2} ({len(_seeds(evidence))} seeds)",
                           sub_checks)


def _pct(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.2%}" for v in values) + "]"


def _pair(evidence: MnistEvidence, winner: str, loser: str
          ) -> tuple[list[float], list[float], bool]:
    return ([s[winner].test_acc for s in _seeds(evidence)],
            [s[loser].test_acc for s in _seeds(evidence)], True)


def comparisons_m2(evidence: MnistEvidence) -> dict[str, tuple[list[float], list[float], bool]]:
    """MLP vs linear final test accuracy per seed."""
    return {"mlp vs linear, test accuracy": _pair(evidence, "mlp", "linear")}


def comparisons_m3(evidence: MnistEvidence) -> dict[str, tuple[list[float], list[float], bool]]:
    """Convnet vs MLP and vs linear, final test accuracy per seed."""
    return {"convnet vs mlp, test accuracy": _pair(evidence, "convnet", "mlp"),
            "convnet vs linear, test accuracy": _pair(evidence, "convnet", "linear")}
