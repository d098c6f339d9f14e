"""The MNIST and learning-rate judges on made-up evidence, both ways."""

from __future__ import annotations

import copy
import math

import pytest

from ex3.engine.claim import Verdict
from ex3.studies.learning_rate import judge as lr_judge
from ex3.studies.learning_rate.evidence import SweepEvidence
from ex3.studies.mnist import judge as m_judge
from ex3.studies.mnist.evidence import MnistEvidence


def m_typed(evidence: dict) -> MnistEvidence:
    return MnistEvidence.from_json(evidence)


def lr_typed(evidence: dict) -> SweepEvidence:
    return SweepEvidence.from_json(evidence)


def metrics(loss: float, acc: float) -> dict:
    return {"train_loss": loss, "test_loss": loss * 1.1, "train_acc": acc, "test_acc": acc - 0.005,
            "train_loss_first_epoch": loss * 1.5,
            "test_acc_curve": [0.1, acc - 0.02, acc - 0.005], "diverged": False,
            "train_seconds": 1.0}


def classifiers(kind: str = "full") -> dict:
    seed = {"linear": metrics(0.27, 0.93), "mlp": metrics(0.05, 0.985),
            "convnet": metrics(0.03, 0.99)}
    return {"per_seed": {"0": copy.deepcopy(seed), "1": copy.deepcopy(seed)}, "data_kind": kind,
            "data_source": "test"}


def test_m1_both_ways_and_skipped_on_the_sample():
    assert m_judge.judge_m1(m_typed(classifiers())).verdict is Verdict.REPRODUCED
    low = classifiers()
    low["per_seed"]["1"]["linear"] = metrics(0.3, 0.91)
    out = m_judge.judge_m1(m_typed(low))
    assert out.verdict is Verdict.NOT_REPRODUCED and "90.50%" in out.reason
    assert m_judge.judge_m1(m_typed(classifiers("sample"))).verdict is Verdict.SKIPPED


def test_m2_m3_reproduced_in_the_reports_world():
    assert m_judge.judge_m2(m_typed(classifiers())).verdict is Verdict.REPRODUCED
    assert m_judge.judge_m3(m_typed(classifiers())).verdict is Verdict.REPRODUCED


def test_m2_fails_when_one_metric_of_one_seed_is_worse():
    ev = classifiers()
    ev["per_seed"]["0"]["mlp"]["train_acc"] = 0.92
    out = m_judge.judge_m2(m_typed(ev))
    assert out.verdict is Verdict.NOT_REPRODUCED and "train_acc margin min -0.0100" in out.reason


def test_m3_fails_when_the_convnet_is_worse_than_the_mlp():
    ev = classifiers()
    ev["per_seed"]["1"]["convnet"]["test_loss"] = 1.0
    assert m_judge.judge_m3(m_typed(ev)).verdict is Verdict.NOT_REPRODUCED


def test_m3_reads_better_results_on_test_data_and_shows_train_margins_beside_it():
    """A convnet behind the MLP on the train set only still has the better results."""
    ev = classifiers()
    ev["per_seed"]["0"]["convnet"]["train_loss"] = 0.06
    out = m_judge.judge_m3(m_typed(ev))
    assert out.verdict is Verdict.REPRODUCED
    assert out.sub_checks["better on the train set than the mlp"].startswith("no:")
    assert out.sub_checks["better on the train set than the linear"].startswith("yes:")
    ev["per_seed"]["0"]["convnet"]["test_acc"] = 0.97
    assert m_judge.judge_m3(m_typed(ev)).verdict is Verdict.NOT_REPRODUCED


def curve(start: float, end: float, acc_end: float, diverged: bool = False) -> dict:
    losses = [start + (end - start) * k / 5 for k in range(6)]
    accs = [0.1 + (acc_end - 0.1) * k / 5 for k in range(6)]
    return {"train_loss": losses, "test_loss": losses, "train_acc": accs, "test_acc": accs,
            "diverged": diverged}


def sweep() -> dict:
    seed = {"0.0001": curve(2.3, 2.1, 0.4), "0.001": curve(2.3, 0.6, 0.85),
            "0.01": curve(2.3, 0.15, 0.95), "0.1": curve(2.3, 0.05, 0.985),
            "1.0": curve(2.3, math.nan, math.nan, diverged=True)}
    return {"per_seed": {"0": copy.deepcopy(seed), "1": copy.deepcopy(seed)}, "data_kind": "full",
            "data_source": "test"}


@pytest.mark.parametrize("fn", [lr_judge.judge_l1, lr_judge.judge_l2, lr_judge.judge_l3])
def test_the_reports_sweep_reproduces_l1_to_l3(fn):
    assert fn(lr_typed(sweep())).verdict is Verdict.REPRODUCED


def test_l1_fails_when_rate_one_is_made_harmless():
    ev = sweep()
    ev["per_seed"]["1"]["1.0"] = curve(2.3, 0.1, 0.97)
    assert lr_judge.judge_l1(lr_typed(ev)).verdict is Verdict.NOT_REPRODUCED


def test_l1_holds_when_rate_one_stays_at_chance_without_nan():
    ev = sweep()
    for seed in ev["per_seed"].values():
        seed["1.0"] = curve(2.3, 2.31, 0.11)
    assert lr_judge.judge_l1(lr_typed(ev)).verdict is Verdict.REPRODUCED


def test_l2_fails_when_the_smallest_rate_is_not_slow():
    ev = sweep()
    ev["per_seed"]["0"]["0.0001"] = curve(2.3, 0.3, 0.9)
    assert lr_judge.judge_l2(lr_typed(ev)).verdict is Verdict.NOT_REPRODUCED


def test_l3_fails_when_another_rate_wins_a_metric():
    ev = sweep()
    ev["per_seed"]["1"]["0.01"] = curve(2.3, 0.04, 0.95)
    out = lr_judge.judge_l3(lr_typed(ev))
    assert out.verdict is Verdict.NOT_REPRODUCED and "best train_loss at lr 0.01" in out.reason


def test_l4_both_ways():
    flat = {**sweep(),
            "per_seed": {"0": {lr: curve(2.3, 0.05, 0.98) for lr in sweep()["per_seed"]["0"]}}}
    assert lr_judge.judge_l4(lr_typed(flat)).verdict is Verdict.REPRODUCED
    assert lr_judge.judge_l4(lr_typed(sweep())).verdict is Verdict.NOT_REPRODUCED


@pytest.mark.parametrize(("cls", "made_up"), [
    (MnistEvidence, classifiers()),
    (SweepEvidence, {**sweep(), "per_seed": {"0": {"0.1": curve(2.3, 0.05, 0.985)}}}),
])
def test_evidence_round_trips_through_json_and_refuses_unknown_keys(cls, made_up):
    evidence = cls.from_json(made_up)
    assert cls.from_json(evidence.to_json()) == evidence
    assert evidence.data_kind == "full"
    with pytest.raises(ValueError, match="data_kinds"):
        cls.from_json({**made_up, "data_kinds": "full"})
    unknown = copy.deepcopy(made_up)
    next(iter(unknown["per_seed"]["0"].values()))["test_accuracy"] = 0.9
    with pytest.raises(ValueError, match="test_accuracy"):
        cls.from_json(unknown)
