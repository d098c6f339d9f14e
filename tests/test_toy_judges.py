"""The toy judges on made-up evidence: each verdict flips both ways."""

from __future__ import annotations

import copy

import pytest

from ex3.engine.claim import Verdict
from ex3.studies.toy import judge
from ex3.studies.toy.evidence import ToyEvidence


def typed(evidence: dict) -> ToyEvidence:
    return ToyEvidence.from_json(evidence)


def run(final: float, initial: float = 5.0, epochs_to: int | None = 5, plateau: float = 0.01,
        train: float | None = None) -> dict:
    return {"initial_test_nmse": initial, "initial_train_nmse": initial,
            "final_train_nmse": final if train is None else train,
            "final_test_nmse": final, "epochs_to_near_zero": epochs_to,
            "plateau_change": plateau, "train_plateau_change": plateau, "epochs": 100,
            "diverged": False}


def world(cnn: dict[str, dict], linear: dict[str, dict], seeds: int = 3) -> dict:
    """Evidence in which every seed has the same runs."""
    seed = {f: {"cnn": cnn[f], "linear": linear[f]} for f in ("y0", "y1", "y2")}
    return {"per_seed": {str(s): copy.deepcopy(seed) for s in range(seeds)}}


REPORT_WORLD = world(
    cnn={f: run(0.001, epochs_to=3) for f in ("y0", "y1", "y2")},
    linear={"y0": run(0.001, epochs_to=40), "y1": run(0.5, epochs_to=None),
            "y2": run(0.6, epochs_to=None)},
)


@pytest.mark.parametrize("fn", [judge.judge_t1, judge.judge_t2, judge.judge_t3, judge.judge_t4])
def test_the_reports_world_reproduces_every_claim(fn):
    assert fn(typed(REPORT_WORLD)).verdict is Verdict.REPRODUCED


def test_t1_fails_when_the_cnn_stays_above_near_zero_in_one_seed():
    evidence = copy.deepcopy(REPORT_WORLD)
    evidence["per_seed"]["1"]["y1"]["cnn"] = run(0.2, epochs_to=None)
    out = judge.judge_t1(typed(evidence))
    assert out.verdict is Verdict.NOT_REPRODUCED and "0.2" in out.reason


def test_t1_fails_when_the_cnn_is_slow():
    evidence = copy.deepcopy(REPORT_WORLD)
    evidence["per_seed"]["0"]["y0"]["cnn"] = run(0.001, epochs_to=60)
    assert judge.judge_t1(typed(evidence)).verdict is Verdict.NOT_REPRODUCED


def test_t2_fails_when_linear_wins_one_seed():
    evidence = copy.deepcopy(REPORT_WORLD)
    evidence["per_seed"]["2"]["y2"]["cnn"] = run(0.9)
    assert judge.judge_t2(typed(evidence)).verdict is Verdict.NOT_REPRODUCED


def test_t2_fails_when_the_models_differ_on_y0():
    evidence = copy.deepcopy(REPORT_WORLD)
    evidence["per_seed"]["0"]["y0"]["cnn"] = run(0.2)
    assert judge.judge_t2(typed(evidence)).verdict is Verdict.NOT_REPRODUCED


def test_t3_fails_when_linear_is_faster_than_the_cnn():
    evidence = copy.deepcopy(REPORT_WORLD)
    evidence["per_seed"]["0"]["y0"]["linear"] = run(0.001, epochs_to=2)
    assert judge.judge_t3(typed(evidence)).verdict is Verdict.NOT_REPRODUCED


def test_t3_fails_when_linear_train_loss_is_not_near_zero():
    evidence = copy.deepcopy(REPORT_WORLD)
    evidence["per_seed"]["0"]["y0"]["linear"] = run(0.001, epochs_to=40, train=0.5)
    assert judge.judge_t3(typed(evidence)).verdict is Verdict.NOT_REPRODUCED


@pytest.mark.parametrize("bad", [run(0.05), run(5.0, initial=5.0), run(5.2, initial=5.0),
                                 run(0.5, plateau=0.5)])
def test_t4_fails_when_near_zero_not_decreasing_or_still_moving(bad):
    evidence = copy.deepcopy(REPORT_WORLD)
    evidence["per_seed"]["1"]["y1"]["linear"] = bad
    assert judge.judge_t4(typed(evidence)).verdict is Verdict.NOT_REPRODUCED


def test_t4_reads_reduces_as_ends_lower_and_shows_halving_beside_it():
    """A loss that falls by 10% reduces, as the words say; that it does not halve is a
    sub-check beside the verdict, not the verdict."""
    evidence = copy.deepcopy(REPORT_WORLD)
    for seed in evidence["per_seed"].values():
        seed["y1"]["linear"] = run(4.5, initial=5.0)
    out = judge.judge_t4(typed(evidence))
    assert out.verdict is Verdict.REPRODUCED
    assert out.sub_checks["y1: train loss halves (final <= 0.5 x initial)"] == "0 of 3 seeds"
    assert out.sub_checks["y2: train loss halves (final <= 0.5 x initial)"] == "3 of 3 seeds"


def test_t4_reads_the_trained_loss_and_shows_the_test_loss_beside_it():
    """"The loss" is the train loss; a test loss that ends a hair higher is a sub-check."""
    evidence = copy.deepcopy(REPORT_WORLD)
    evidence["per_seed"]["0"]["y2"]["linear"]["final_test_nmse"] = 5.01
    out = judge.judge_t4(typed(evidence))
    assert out.verdict is Verdict.REPRODUCED
    assert out.sub_checks["y2: test loss ends lower too"] == "2 of 3 seeds"
    evidence["per_seed"]["0"]["y2"]["linear"]["final_train_nmse"] = 5.01
    assert judge.judge_t4(typed(evidence)).verdict is Verdict.NOT_REPRODUCED


def test_evidence_round_trips_through_json_and_refuses_unknown_keys():
    evidence = typed(REPORT_WORLD)
    assert ToyEvidence.from_json(evidence.to_json()) == evidence
    assert evidence.runs("y1", "linear")[0].final_test_nmse == 0.5
    with pytest.raises(ValueError, match="per_sed"):
        ToyEvidence.from_json({**REPORT_WORLD, "per_sed": {}})
    unknown = copy.deepcopy(REPORT_WORLD)
    unknown["per_seed"]["0"]["y0"]["cnn"]["final_nmse"] = 0.0
    with pytest.raises(ValueError, match="final_nmse"):
        ToyEvidence.from_json(unknown)
