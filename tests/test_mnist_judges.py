"""The MNIST and learning-rate judges on made-up evidence, both ways."""

from __future__ import annotations

import copy
import math

import pytest

from ex3.engine.claim import Verdict
from ex3.studies.learning_rate import judge as lr_judge
from ex3.studies.mnist import judge as m_judge


def metrics(loss: float, acc: float) -> dict:
    return {"train_loss": loss, "test_loss": loss * 1.1, "train_acc": acc, "test_acc": acc - 0.005,
            "train_loss_first_epoch": loss * 1.5}


def classifiers(kind: str = "full") -> dict:
    seed = {"linear": metrics(0.27, 0.93), "mlp": metrics(0.05, 0.985),
            "convnet": metrics(0.03, 0.99)}
    return {"per_seed": {"0": copy.deepcopy(seed), "1": copy.deepcopy(seed)}, "data_kind": kind,
            "data_source": "test"}


def test_m1_both_ways_and_skipped_on_the_sample():
    assert m_judge.judge_m1(classifiers()).verdict is Verdict.REPRODUCED
    low = classifiers()
    low["per_seed"]["1"]["linear"] = metrics(0.3, 0.91)
    out = m_judge.judge_m1(low)
    assert out.verdict is Verdict.NOT_REPRODUCED and "90.50%" in out.reason
    assert m_judge.judge_m1(classifiers("sample")).verdict is Verdict.SKIPPED


def test_m2_m3_reproduced_in_the_reports_world():
    assert m_judge.judge_m2(classifiers()).verdict is Verdict.REPRODUCED
    assert m_judge.judge_m3(classifiers()).verdict is Verdict.REPRODUCED


def test_m2_fails_when_one_metric_of_one_seed_is_worse():
    ev = classifiers()
    ev["per_seed"]["0"]["mlp"]["train_acc"] = 0.92
    out = m_judge.judge_m2(ev)
    assert out.verdict is Verdict.NOT_REPRODUCED and "train_acc margin min -0.0100" in out.reason


def test_m3_fails_when_the_convnet_is_worse_than_the_mlp():
    ev = classifiers()
    ev["per_seed"]["1"]["convnet"]["test_loss"] = 1.0
    assert m_judge.judge_m3(ev).verdict is Verdict.NOT_REPRODUCED


def test_m3_reads_better_results_on_test_data_and_shows_train_margins_beside_it():
    """A convnet behind the MLP on the train set only still has the better results."""
    ev = classifiers()
    ev["per_seed"]["0"]["convnet"]["train_loss"] = 0.06
    out = m_judge.judge_m3(ev)
    assert out.verdict is Verdict.REPRODUCED
    assert out.sub_checks["better on the train set than the mlp"].startswith("no:")
    assert out.sub_checks["better on the train set than the linear"].startswith("yes:")
    ev["per_seed"]["0"]["convnet"]["test_acc"] = 0.97
    assert m_judge.judge_m3(ev).verdict is Verdict.NOT_REPRODUCED


def curve(start: float, end: float, acc_end: float, diverged: bool = False) -> dict:
    losses = [start + (end - start) * k / 5 for k in range(6)]
    accs = [0.1 + (acc_end - 0.1) * k / 5 for k in range(6)]
    return {"train_loss": losses, "test_loss": losses, "train_acc": accs, "test_acc": accs,
            "diverged": diverged}


def sweep() -> dict:
    seed = {"0.0001": curve(2.3, 2.1, 0.4), "0.001": curve(2.3, 0.6, 0.85),
            "0.01": curve(2.3, 0.15, 0.95), "0.1": curve(2.3, 0.05, 0.985),
            "1.0": curve(2.3, math.nan, math.nan, diverged=True)}
    return {"per_seed": {"0": copy.deepcopy(seed), "1": copy.deepcopy(seed)}}


@pytest.mark.parametrize("fn", [lr_judge.judge_l1, lr_judge.judge_l2, lr_judge.judge_l3])
def test_the_reports_sweep_reproduces_l1_to_l3(fn):
    assert fn(sweep()).verdict is Verdict.REPRODUCED


def test_l1_fails_when_rate_one_is_made_harmless():
    ev = sweep()
    ev["per_seed"]["1"]["1.0"] = curve(2.3, 0.1, 0.97)
    assert lr_judge.judge_l1(ev).verdict is Verdict.NOT_REPRODUCED


def test_l1_holds_when_rate_one_stays_at_chance_without_nan():
    ev = sweep()
    for seed in ev["per_seed"].values():
        seed["1.0"] = curve(2.3, 2.31, 0.11)
    assert lr_judge.judge_l1(ev).verdict is Verdict.REPRODUCED


def test_l2_fails_when_the_smallest_rate_is_not_slow():
    ev = sweep()
    ev["per_seed"]["0"]["0.0001"] = curve(2.3, 0.3, 0.9)
    assert lr_judge.judge_l2(ev).verdict is Verdict.NOT_REPRODUCED


def test_l3_fails_when_another_rate_wins_a_metric():
    ev = sweep()
    ev["per_seed"]["1"]["0.01"] = curve(2.3, 0.04, 0.95)
    out = lr_judge.judge_l3(ev)
    assert out.verdict is Verdict.NOT_REPRODUCED and "best train_loss at lr 0.01" in out.reason


def test_l4_both_ways():
    flat = {"per_seed": {"0": {lr: curve(2.3, 0.05, 0.98) for lr in sweep()["per_seed"]["0"]}}}
    assert lr_judge.judge_l4(flat).verdict is Verdict.REPRODUCED
    assert lr_judge.judge_l4(sweep()).verdict is Verdict.NOT_REPRODUCED
