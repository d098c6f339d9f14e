"""The steps-to-target gate: the median over seeds, a tolerance from their spread.

Made-up numbers show the rule (ex3/bench/gate.py): rounding noise of a few
hundred steps from another CPU passes, a planted slowdown fails, and a
median that no longer reaches its target fails. One real run (the toy
linear model, seconds) plants a slowdown through the real Plan and the
committed baseline.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from ex3.bench import targets as T
from ex3.bench import time_to_target as ttt
from ex3.bench.gate import (
    RULE,
    Baseline,
    Measured,
    allowed_steps,
    compare,
    describe_machine,
    dumps,
    machine,
    median_steps,
    spread_steps,
)
from ex3.bench.targets import MODES, TOY_TARGETS, Target

COMMITTED = Path(__file__).resolve().parent.parent / "benchmarks" / "baseline_steps.json"
SEEDS = (0, 1, 2)


def entry(*steps: int | None, interval: int = 100) -> dict[str, Any]:
    """A baseline entry as ``--ex3-update-baseline`` writes it."""
    return Measured(steps, interval, SEEDS).entry()


def measured(*steps: int | None, interval: int = 100) -> Measured:
    return Measured(steps, interval, SEEDS)


# --------------------------------------------------------------------------- the median


def test_the_median_is_the_middle_seed_and_a_seed_not_reaching_counts_as_the_slowest():
    assert median_steps([1900, 1500, 1600]) == 1600
    assert median_steps([1500, None, 1600]) == 1600
    assert median_steps([1500, None, None]) is None, "reached by 1 of 3 seeds: not reached"
    assert median_steps([None, None, None]) is None
    assert median_steps([100, 200, 300, 400]) == 250
    assert median_steps([100, 200, 300, None]) == 250
    assert median_steps([100, 200, None, None]) is None, "2 of 4: needs more than half"
    assert median_steps([]) is None


def test_the_spread_is_max_minus_min_of_the_seeds_that_reached():
    assert spread_steps([1500, 1900, 1600]) == 400
    assert spread_steps([1500, None, 1600]) == 100
    assert spread_steps([None, None]) is None


def test_one_late_seed_moves_the_median_only_to_the_next_seed():
    base = entry(1500, 1600, 1700)
    assert compare("b", measured(1500, 1600, 9000), base).ok
    assert compare("b", measured(1500, 1600, None), base).ok


# --------------------------------------------------------------------------- the tolerance


def test_the_tolerance_is_the_spread_floored_at_one_interval_plus_one_interval():
    assert allowed_steps(1600, 400, 100) == 1600 + 400 + 100
    assert allowed_steps(1600, 0, 100) == 1600 + 100 + 100
    assert allowed_steps(64, None, 32) == 64 + 32 + 32


def test_the_baseline_itself_passes_and_the_limit_is_inclusive():
    base = entry(1500, 1600, 1900)
    assert compare("b", measured(1500, 1600, 1900), base).ok
    assert compare("b", measured(2000, 2100, 2200), base).ok  # median 2100 = 1600 + 400 + 100
    outcome = compare("b", measured(2100, 2200, 2300), base)
    assert not outcome.ok and "REGRESSION" in outcome.message


def test_a_wider_spread_allows_more_steps():
    narrow, wide = entry(1500, 1600, 1700), entry(1200, 1600, 2000)
    slower = measured(2000, 2100, 2200)
    assert not compare("b", slower, narrow).ok
    assert compare("b", slower, wide).ok


def test_a_baseline_from_another_cpu_with_rounding_noise_passes():
    # The report's case: seed 0 took 1,600 steps to 98% on one machine and
    # 2,000 on another (unchanged code); the other seeds move as much.
    here = entry(1600, 1400, 1800)
    elsewhere = measured(2000, 1600, 1700)
    outcome = compare("mnist/convnet", elsewhere, here)
    assert outcome.ok, outcome.message
    # The old single-seed rule failed on that same first seed.
    assert not compare("mnist/convnet", Measured((2000,), 100),
                       {"steps": 1600, "interval": 100, "rule": "single-seed"}).ok


def test_a_planted_slowdown_fails():
    base = entry(1500, 1600, 1900)
    outcome = compare("b", measured(2600, 2400, 2500), base)  # every seed 900 steps slower
    assert not outcome.ok
    assert "REGRESSION" in outcome.message and "2500" in outcome.message


def test_fewer_steps_pass_with_a_note_and_a_missing_entry_passes():
    fewer = compare("b", measured(400, 500, 600), entry(1000, 1000, 1100))
    assert fewer.ok and "fewer" in fewer.message
    assert compare("b", measured(400, 500, 600), None).ok


def test_a_changed_reading_interval_fails_until_the_baseline_is_remeasured():
    outcome = compare("b", measured(1000, 1000, 1000, interval=50), entry(1000, 1000, 1000))
    assert not outcome.ok and "re-measure" in outcome.message


# --------------------------------------------------------------------------- not reached


def test_a_median_that_no_longer_reaches_the_target_fails():
    outcome = compare("b", measured(500, None, None), entry(500, 600, None))
    assert not outcome.ok and "does not reach" in outcome.message


def test_a_newly_reached_median_passes_with_a_note_and_not_reached_twice_passes():
    newly = compare("b", measured(500, 600, None), entry(500, None, None))
    assert newly.ok and "now reached" in newly.message and "update the baseline" in newly.message
    assert compare("b", measured(None, None, None), entry(None, None, None)).ok
    assert compare("b", measured(500, None, None), entry(None, None, None)).ok


def test_a_single_seed_entry_is_gated_with_the_old_rule():
    old = {"steps": 1000, "interval": 100, "rule": "single-seed"}
    assert compare("b", measured(1100, 1200, 1300), old).ok  # 1200 <= 1000 * 1.1 + 100
    outcome = compare("b", measured(1200, 1300, 1400), old)
    assert not outcome.ok and "re-measure" in outcome.message
    assert not compare("b", measured(None, None, 900), old).ok
    assert compare("b", measured(900, 800, 700),
                   {"steps": None, "interval": 100, "rule": "single-seed"}).ok


# --------------------------------------------------------------------------- the committed file


def test_every_committed_entry_passes_against_itself_and_fails_when_slowed():
    baseline = Baseline(COMMITTED)
    checked = 0
    for mode in MODES:
        for name, recorded in baseline.targets(mode).items():
            steps = recorded["steps"]
            per_seed = tuple(steps) if isinstance(steps, list) else (steps,)
            same = Measured(per_seed, recorded["interval"], tuple(recorded.get("seeds", ())))
            assert baseline.check(mode, name, same).ok
            if same.median is not None:
                slowed = Measured(tuple(s + 10_000 if s is not None else None for s in per_seed),
                                  recorded["interval"])
                assert not baseline.check(mode, name, slowed).ok
            checked += 1
    assert checked >= len(TOY_TARGETS), "the committed baseline should cover the toy targets"


def test_the_short_baseline_records_every_seed_its_median_spread_and_machine():
    baseline = Baseline(COMMITTED)
    assert baseline.data["rule"] == RULE
    names = {t.name for t in (*T.TOY_TARGETS, *T.MNIST_TARGETS)} | {"autoencoder/autoencoder"}
    recorded = baseline.targets("short")
    assert names <= set(recorded)
    for name in names:
        e = recorded[name]
        assert e["seeds"] == list(T.GATE_SEEDS) and len(e["steps"]) == len(e["seeds"]) >= 3
        assert e["median"] == median_steps(e["steps"])
        assert e["spread"] == spread_steps(e["steps"])
    where = baseline.measured_on("short")
    assert where is not None
    assert {"cpu", "avx512f", "torch", "numpy", "threads", "date"} <= set(where)


def test_updating_keeps_other_modes_and_records_the_machine(tmp_path):
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"tolerance": {"relative": 0.2},
                                "full": {"measured_on": {"note": "old"},
                                         "targets": {"x": {"steps": 7, "interval": 1}}}}))
    where = {"cpu": "Some CPU", "avx512f": False, "threads": 1}
    Baseline(path).write("short", {"toy/a": Measured((64, 64, 96), 32, SEEDS),
                                   "toy/b": Measured((None, None, 32), 32, SEEDS)}, where)
    text = path.read_text()
    assert '"steps": [64, 64, 96]' in text, "lists of numbers stay on one line"
    data = json.loads(text)
    assert "tolerance" not in data and data["rule"] == RULE
    assert data["full"] == {"measured_on": {"note": "old"},
                            "targets": {"x": {"steps": 7, "interval": 1}}}
    assert data["short"]["measured_on"] == where
    assert data["short"]["targets"] == {
        "toy/a": {"seeds": [0, 1, 2], "steps": [64, 64, 96], "median": 64, "spread": 32,
                  "interval": 32},
        "toy/b": {"seeds": [0, 1, 2], "steps": [None, None, 32], "median": None, "spread": 0,
                  "interval": 32}}
    assert json.loads(dumps(data)) == data


def test_the_machine_record_names_the_cpu_libraries_and_threads():
    here = machine()
    assert here["cpu"] and isinstance(here["avx512f"], bool) and here["threads"] >= 1
    line = describe_machine(here)
    assert here["cpu"] in line and f"torch {here['torch']}" in line and "thread" in line
    assert describe_machine({"note": "old"}) == "old"
    assert describe_machine(None) == "not recorded"


# --------------------------------------------------------------------------- a real slowdown


def toy_linear_y0(lr_factor: float) -> Measured:
    """The toy linear model on y0 for every seed, through the real Plan, lr scaled."""
    per_seed = []
    for seed in T.TOY_SEEDS:
        plan = ttt.toy_plan("linear", "y0", seed)
        plan.config = dataclasses.replace(plan.config, lr=plan.config.lr * lr_factor)
        per_seed.append(plan.run().steps)
    interval = plan.target.interval_steps or plan.steps_per_epoch
    return Measured(tuple(per_seed), interval, T.TOY_SEEDS)


def test_a_real_planted_slowdown_fails_the_committed_gate():
    baseline = Baseline(COMMITTED)
    assert baseline.entry("short", "toy/linear/y0")["median"] is not None
    unchanged = baseline.check("short", "toy/linear/y0", toy_linear_y0(1.0))
    assert unchanged.ok, unchanged.message
    slowed = baseline.check("short", "toy/linear/y0", toy_linear_y0(0.1))
    assert not slowed.ok and "REGRESSION" in slowed.message, slowed.message


# --------------------------------------------------------------------------- targets


@pytest.mark.parametrize(("value", "met"), [(0.009, True), (0.01, True), (0.011, False),
                                            (None, False), (float("nan"), False)])
def test_a_target_is_met_at_or_below_its_threshold(value, met):
    target = Target("t", "test_nmse", 0.01, higher_is_better=False, interval_steps=None)
    assert target.met(value) is met


def test_a_strict_target_needs_to_beat_its_threshold():
    target = Target("t", "test_mse", 0.05, higher_is_better=False, interval_steps=50, strict=True)
    assert not target.met(0.05) and target.met(0.0499)
