"""The reduced-budget rule on made-up judgements: the full verdict, or INCONCLUSIVE."""

from __future__ import annotations

import tomllib

import pytest

from ex3.engine import agreement as A
from ex3.engine.claim import Claim, ClaimResult, Judgement, RunContext, Verdict
from ex3.engine.stability import aggregate, recorded_agreement

R, NR, INC = Verdict.REPRODUCED, Verdict.NOT_REPRODUCED, Verdict.INCONCLUSIVE
CLAIM = Claim("X1", "s", "q", "summary", "threshold")
FREE = Claim("X2", "s", "q", "summary", "threshold", budget_free=True)


def agreed(full: Verdict, *per_master: Verdict) -> A.Agreement:
    return A.Agreement(full, tuple(per_master))


def settle(measured: Verdict, budget: str = A.QUICK, full: Verdict | None = R,
           record: A.Agreement | None = None) -> Judgement:
    judgement, _ = A.settle(CLAIM, Judgement(measured, "numbers 0.123"), budget, full, record,
                            "/data")
    return judgement


def test_full_protocol_states_its_verdict_whatever_the_agreement() -> None:
    assert settle(NR, budget=A.FULL, record=None).verdict is NR


def test_reduced_budget_that_agreed_in_every_master_seed_states_the_full_verdict() -> None:
    out = settle(R, record=agreed(R, R, R, R, R, R))
    assert out.verdict is R and out.reason == "numbers 0.123"


@pytest.mark.parametrize(("measured", "record", "full", "why"), [
    (NR, agreed(R, R, R, R, R, R), R, "not here"),                       # disagrees this time
    (R, agreed(R, R, NR, R, R, R), R, "under 4 of 5 master seeds"),      # agreement below 5/5
    (NR, agreed(R, NR, NR, NR, NR, NR), R, "under 0 of 5 master seeds"),  # never the opposite
    (R, agreed(R, R, R, R), R, "3 of 3 master seeds, at least 5"),      # too few master seeds
    (R, None, R, "never measured"),
    (R, agreed(NR, NR, NR, NR, NR, NR), R, "measured against NOT REPRODUCED"),  # stale record
    (R, agreed(R, R, R, R, R, R), None, "no full-protocol verdict"),
])
def test_reduced_budget_says_inconclusive_with_the_deciding_command(measured, record, full, why):
    out = settle(measured, full=full, record=record)
    assert out.verdict is INC
    assert why in out.reason
    assert f"its judge measured {measured}: numbers 0.123" in out.reason
    assert "ex3 verify --profile full --only X1 --data-dir /data" in out.reason


@pytest.mark.parametrize("verdict", [Verdict.SKIPPED, Verdict.NOT_TESTABLE])
def test_skipped_and_not_testable_pass_through(verdict) -> None:
    assert settle(verdict, record=None).verdict is verdict


def test_budget_of_each_run() -> None:
    quick, full = RunContext(profile="quick"), RunContext(profile="full")
    assert A.budget_of(full, "full", CLAIM) == A.FULL
    assert A.budget_of(quick, "full", CLAIM) == A.QUICK
    assert A.budget_of(full, "sample", CLAIM) == A.SAMPLE
    assert A.budget_of(RunContext(profile="full", seeds=1), "full", CLAIM) == A.REDUCED
    assert A.budget_of(quick, None, FREE) == A.SAME


def test_agreement_toml_round_trips() -> None:
    text = A.agreement_toml(A.QUICK, {"X1": [R, NR, R, R, R], "X3": [R] * 5},
                            {"X1": R, "X3": None}, note='quick "run"')
    table = A.parse_table(tomllib.loads(text))
    assert table[A.QUICK]["X1"] == agreed(R, R, NR, R, R, R)
    assert table[A.QUICK]["X1"].agreed == 4 and not table[A.QUICK]["X1"].complete
    assert "X3" not in table[A.QUICK]  # no full verdict pinned: nothing to agree with


def _result(verdict: Verdict, estimate: Verdict) -> ClaimResult:
    return ClaimResult(id="X1", section="s", quote="q", summary="s", threshold="t",
                       verdict=verdict, expected=INC, reason="r", measured_verdict=estimate,
                       agreement={"budget": A.QUICK, "full_verdict": str(R)})


def test_stability_counts_agreement_on_the_judges_estimate() -> None:
    runs = {0: _result(INC, NR), 1: _result(INC, R), 2: _result(INC, R)}
    out = aggregate(runs)
    assert out.verdict is INC  # reported the same under every master seed: stable
    assert out.evidence["agreement"] == {"budget": A.QUICK, "full_verdict": str(R),
                                         "agreed": 2, "master_seeds": 3}
    assert recorded_agreement([out]) == {A.QUICK: {"X1": (str(R), [str(NR), str(R), str(R)])}}


def test_record_agreement_writes_the_measured_budget_and_keeps_the_others(tmp_path) -> None:
    from ex3.cli.stability import write_agreement

    path = tmp_path / "agreement.toml"
    path.write_text(A.agreement_toml(A.SAMPLE, {"M2": [R] * 5}, {"M2": R}, "sample run"))
    runs = {m: ClaimResult(id="M3", section="s", quote="q", summary="s", threshold="t",
                           verdict=INC, expected=INC, reason="r",
                           measured_verdict=R if m else NR,
                           agreement={"budget": A.QUICK, "full_verdict": str(R)})
            for m in range(5)}
    assert write_agreement([aggregate(runs)], path, note="quick run") == [A.QUICK]
    table = A.parse_table(tomllib.loads(path.read_text()))
    assert table[A.QUICK]["M3"] == agreed(R, NR, R, R, R, R)
    assert table[A.SAMPLE]["M2"] == agreed(R, R, R, R, R, R)
    assert tomllib.loads(path.read_text())[A.SAMPLE]["measured"] == "sample run"
