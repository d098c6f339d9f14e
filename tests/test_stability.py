"""Stability aggregation: agreeing verdicts stay, disagreeing ones become UNSTABLE."""

from __future__ import annotations

from ex3.engine.claim import ClaimResult, RunContext, Verdict
from ex3.engine.registry import get_claim
from ex3.engine.stability import aggregate, run_stability, stability_table


def result(verdict: Verdict, expected: Verdict = Verdict.REPRODUCED) -> ClaimResult:
    return ClaimResult(id="X1", section="s", quote="q", summary="s", threshold="t",
                       verdict=verdict, expected=expected, reason="r")


def test_agreeing_master_seeds_keep_the_verdict_with_rate_one():
    out = aggregate({m: result(Verdict.REPRODUCED) for m in range(5)})
    assert out.verdict is Verdict.REPRODUCED and out.evidence["rate"] == 1.0


def test_a_flip_makes_the_claim_unstable_with_its_rate():
    runs = {m: result(Verdict.REPRODUCED) for m in range(4)}
    runs[4] = result(Verdict.NOT_REPRODUCED)
    out = aggregate(runs)
    assert out.verdict is Verdict.UNSTABLE
    assert out.evidence["rate"] == 0.8 and "4/5" in out.reason


def test_a_stable_verdict_that_differs_from_its_pin_has_rate_zero():
    out = aggregate({m: result(Verdict.NOT_REPRODUCED) for m in range(3)})
    assert out.verdict is Verdict.NOT_REPRODUCED and out.evidence["rate"] == 0.0


def test_real_claims_over_master_seeds():
    claims = [get_claim("G1"), get_claim("C1")]
    results = run_stability(claims, RunContext(), master_seeds=[0, 1])
    assert [r.verdict for r in results] == [Verdict.REPRODUCED, Verdict.NOT_TESTABLE]
    assert "G1" in stability_table(results)
