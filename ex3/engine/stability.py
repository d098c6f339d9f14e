"""Stability: does a verdict survive a change of every seed?

The claims run once per master seed (each master seed shifts every seed of
every study, so the data draws, initialisations and shuffles all change). Per
claim, the rate is the share of master seeds whose verdict equals the pinned
one. A claim whose verdict differs between master seeds is UNSTABLE, with the
rate, instead of whichever verdict the default seed happened to give.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence

from ex3.engine.claim import Claim, ClaimResult, RunContext, Verdict
from ex3.engine.evaluate import evaluate_claim


def aggregate(runs: dict[int, ClaimResult]) -> ClaimResult:
    """One result from the same claim's results under several master seeds."""
    first = next(iter(runs.values()))
    verdicts = {m: r.verdict for m, r in runs.items()}
    counts = Counter(verdicts.values())
    reference = first.expected or counts.most_common(1)[0][0]
    held = sum(v == reference for v in verdicts.values())
    rate = held / len(runs)
    stable = len(counts) == 1
    verdict = first.verdict if stable else Verdict.UNSTABLE
    spread = ", ".join(f"{v}: {n}" for v, n in counts.most_common())
    reason = (f"{'stable' if stable else 'flips'} over {len(runs)} master seeds "
              f"({spread}); {reference} held in {held}/{len(runs)} ({rate:.0%})")
    evidence: dict = {"rate": rate, "master_seeds": sorted(runs),
                      "per_master_seed": {str(m): {"verdict": str(r.verdict),
                                                   "estimate": str(r.estimate),
                                                   "reason": r.reason}
                                          for m, r in runs.items()}}
    full = first.agreement.get("full_verdict")
    budget = first.agreement.get("budget")
    if budget in ("quick", "sample", "reduced") and full is not None:
        agreed = sum(str(r.estimate) == full for r in runs.values())
        evidence["agreement"] = {"budget": budget, "full_verdict": full, "agreed": agreed,
                                 "master_seeds": len(runs)}
        reason += f"; the judge gave the full protocol's {full} in {agreed}/{len(runs)}"
    return dataclasses.replace(first, verdict=verdict, reason=reason, evidence=evidence,
                               duration_s=round(sum(r.duration_s for r in runs.values()), 3))


def run_stability(claims: Sequence[Claim], ctx: RunContext, master_seeds: Sequence[int],
                  on_result: Callable[[int, ClaimResult], None] | None = None,
                  on_start: Callable[[int, Claim], None] | None = None,
                  before_master: Callable[[RunContext], None] | None = None
                  ) -> list[ClaimResult]:
    """Evaluate ``claims`` under each master seed and aggregate per claim.

    ``on_start`` and ``on_result`` are called around each claim of each master
    seed (progress display, keeping the data source); ``before_master`` with
    each master seed's context before its claims run (training their runs in
    worker processes first).
    """
    per_claim: dict[str, dict[int, ClaimResult]] = {c.id: {} for c in claims}
    for master in master_seeds:
        master_ctx = dataclasses.replace(ctx, master_seed=master)
        if before_master is not None:
            before_master(master_ctx)
        done: dict[str, ClaimResult] = {}  # each claim once per master seed
        for claim in claims:
            if on_start is not None:
                on_start(master, claim)
            if claim.id not in done:
                done[claim.id] = evaluate_claim(claim, master_ctx)
            result = done[claim.id]
            per_claim[claim.id][master] = result
            if on_result is not None:
                on_result(master, result)
    return [aggregate(runs) for runs in per_claim.values()]


def stability_table(results: Sequence[ClaimResult]) -> str:
    """A Markdown table: claim, verdict, rate over master seeds, agreement with the full verdict.

    "per master seed" lists the verdict reported; where the judge's own
    estimate differs (a reduced budget's INCONCLUSIVE), it follows in brackets.
    """
    lines = ["| claim | verdict | pinned | held | full verdict | agrees with full | "
             "per master seed (judge's estimate) |", "|---|---|---|---|---|---|---|"]
    for r in results:
        per = ", ".join(f"{m}: {v['verdict']}" + (f" ({v['estimate']})" if v.get(
            "estimate", v["verdict"]) != v["verdict"] else "")
            for m, v in r.evidence["per_master_seed"].items())
        agreement = r.evidence.get("agreement")
        agrees = (f"{agreement['agreed']}/{agreement['master_seeds']}" if agreement
                  else "same protocol")
        full = agreement["full_verdict"] if agreement else (r.agreement.get("full_verdict")
                                                            or "-")
        lines.append(f"| {r.id} | {r.verdict} | {r.expected or '-'} | "
                     f"{r.evidence['rate']:.0%} | {full} | {agrees} | {per} |")
    return "\n".join(lines) + "\n"


def recorded_agreement(results: Sequence[ClaimResult]
                       ) -> dict[str, dict[str, tuple[str, list[str]]]]:
    """Per budget, per claim: the full verdict it was measured against and the judge's verdict
    under each master seed (reduced budgets only)."""
    out: dict[str, dict[str, tuple[str, list[str]]]] = {}
    for r in results:
        agreement = r.evidence.get("agreement")
        if agreement:
            out.setdefault(agreement["budget"], {})[r.id] = (
                agreement["full_verdict"],
                [v["estimate"] for v in r.evidence["per_master_seed"].values()])
    return out
