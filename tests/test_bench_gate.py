"""The steps-to-target gate fails on a planted slowdown and passes on the baseline itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ex3.bench.gate import Baseline, Measured, allowed_steps, compare
from ex3.bench.targets import MODES, TOY_TARGETS, Target

COMMITTED = Path(__file__).resolve().parent.parent / "benchmarks" / "baseline_steps.json"
TOLERANCE = {"relative": 0.10, "intervals": 1}


def test_the_baseline_itself_passes():
    assert compare("b", Measured(1000, 100), {"steps": 1000}, TOLERANCE).ok


def test_a_planted_slowdown_in_steps_fails():
    limit = allowed_steps(1000, 100, TOLERANCE)
    assert limit == 1200
    assert compare("b", Measured(limit, 100), {"steps": 1000}, TOLERANCE).ok
    outcome = compare("b", Measured(limit + 100, 100), {"steps": 1000}, TOLERANCE)
    assert not outcome.ok and "REGRESSION" in outcome.message


def test_a_target_no_longer_reached_fails_and_a_newly_reached_one_passes():
    assert not compare("b", Measured(None, 100), {"steps": 500}, TOLERANCE).ok
    newly = compare("b", Measured(500, 100), {"steps": None}, TOLERANCE)
    assert newly.ok and "update the baseline" in newly.message
    assert compare("b", Measured(None, 100), {"steps": None}, TOLERANCE).ok


def test_fewer_steps_pass_with_a_note_and_a_missing_entry_passes():
    fewer = compare("b", Measured(400, 100), {"steps": 1000}, TOLERANCE)
    assert fewer.ok and "fewer" in fewer.message
    assert compare("b", Measured(400, 100), None, TOLERANCE).ok


def test_every_committed_entry_passes_against_itself_and_fails_when_slowed():
    baseline = Baseline(COMMITTED)
    checked = 0
    for mode in MODES:
        for name, entry in baseline.data.get(mode, {}).items():
            measured = Measured(entry["steps"], entry["interval"])
            assert baseline.check(mode, name, measured).ok
            if entry["steps"] is not None:
                slowed = allowed_steps(entry["steps"], entry["interval"], baseline.tolerance) + 1
                assert not baseline.check(mode, name, Measured(slowed, entry["interval"])).ok
            checked += 1
    assert checked >= len(TOY_TARGETS), "the committed baseline should cover the toy targets"


def test_updating_keeps_other_modes_and_the_tolerance(tmp_path):
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"tolerance": {"relative": 0.2}, "full": {"x": {"steps": 7}}}))
    baseline = Baseline(path)
    baseline.write("short", {"toy/a": Measured(64, 32), "toy/b": Measured(None, 32)})
    data = json.loads(path.read_text())
    assert data["full"] == {"x": {"steps": 7}}
    assert data["short"] == {"toy/a": {"steps": 64, "interval": 32},
                             "toy/b": {"steps": None, "interval": 32}}
    assert data["tolerance"]["relative"] == 0.2 and data["tolerance"]["intervals"] == 1


@pytest.mark.parametrize(("value", "met"), [(0.009, True), (0.01, True), (0.011, False),
                                            (None, False), (float("nan"), False)])
def test_a_target_is_met_at_or_below_its_threshold(value, met):
    target = Target("t", "test_nmse", 0.01, higher_is_better=False, interval_steps=None)
    assert target.met(value) is met


def test_a_strict_target_needs_to_beat_its_threshold():
    target = Target("t", "test_mse", 0.05, higher_is_better=False, interval_steps=50, strict=True)
    assert not target.met(0.05) and target.met(0.0499)
