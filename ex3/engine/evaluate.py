"""Running one claim: measure, judge, compare with the pinned verdict."""

from __future__ import annotations

import time

from ex3.engine.agreement import budget_of, recorded, settle
from ex3.engine.claim import Claim, ClaimResult, RunContext, Verdict
from ex3.engine.pinned import SAMPLE_TABLE, pinned_verdict
from ex3.engine.robustness_record import recorded as recorded_robustness
from ex3.engine.statistics import compare


def evaluate_claim(claim: Claim, ctx: RunContext) -> ClaimResult:
    """Measure and judge ``claim`` under ``ctx``; data and usage errors propagate.

    A claim measured on the bundled MNIST sample is compared with the
    ``[sample]`` pins: its verdicts there are about the sample, not about the
    report's data, and must not be mistaken for (or fail against) the real ones.
    """
    expected = pinned_verdict(ctx.profile, claim.id)
    start = time.perf_counter()
    base = dict(id=claim.id, section=claim.section, quote=claim.quote, summary=claim.summary,
                threshold=claim.threshold, expected=expected, figures=list(claim.figures))
    if claim.not_testable is not None or claim.measure is None or claim.judge is None:
        return ClaimResult(**base, verdict=Verdict.NOT_TESTABLE,
                           reason=claim.not_testable or "no measurement exists for this claim")
    measured = claim.measure(ctx)
    judged = claim.judge(measured)
    evidence = measured.to_json()
    protocol = evidence.pop("protocol", {})
    if claim.comparisons is not None:
        evidence["statistics"] = {name: compare(*pair)
                                  for name, pair in claim.comparisons(measured).items()}
    if judged.sub_checks:
        evidence["sub_checks"] = dict(judged.sub_checks)
    if evidence.get("data_kind") == "sample":
        base["expected"] = pinned_verdict(SAMPLE_TABLE, claim.id)
    judgement, agreement, robustness = judged, {}, {}
    if not ctx.overrides:
        budget = budget_of(ctx, evidence.get("data_kind"), claim)
        judgement, agreement = settle(claim, judged, budget, pinned_verdict("full", claim.id),
                                      recorded(budget, claim.id), ctx.data_dir)
        if ctx.seeds is None and ctx.master_seed == 0:
            robustness = recorded_robustness(ctx.profile, claim, evidence.get("data_kind"))
    return ClaimResult(**base, verdict=judgement.verdict, reason=judgement.reason,
                       evidence=evidence, protocol=protocol,
                       duration_s=round(time.perf_counter() - start, 3),
                       measured_verdict=judged.verdict, agreement=agreement,
                       robustness=robustness)
