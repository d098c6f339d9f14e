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

#: The fewest master seeds ``ex3 stability`` accepts: with fewer, a rate says little.
MIN_MASTER_SEEDS = 5


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
    evidence = {"rate": rate, "master_seeds": sorted(runs),
                "per_master_seed": {str(m): {"verdict": str(r.verdict), "reason": r.reason}
                                    for m, r in runs.items()}}
    return dataclasses.replace(first, verdict=verdict, reason=reason, evidence=evidence,
                               duration_s=round(sum(r.duration_s for r in runs.values()), 3))


def run_stability(claims: Sequence[Claim], ctx: RunContext, master_seeds: Sequence[int],
                  on_result: Callable[[int, ClaimResult], None] | None = None,
                  on_start: Callable[[int, Claim], None] | None = None) -> list[ClaimResult]:
    """Evaluate ``claims`` under each master seed and aggregate per claim.

    ``on_start`` and ``on_result`` are called around each claim of each master
    seed (progress display, keeping the data source).
    """
    from ex3.engine.session import Session  # the training stack, only when claims run

    per_claim: dict[str, dict[int, ClaimResult]] = {c.id: {} for c in claims}
    for master in master_seeds:
        session = Session(dataclasses.replace(ctx, master_seed=master))
        for claim in claims:
            if on_start is not None:
                on_start(master, claim)
            result = session.run(claim)
            per_claim[claim.id][master] = result
            if on_result is not None:
                on_result(master, result)
    return [aggregate(runs) for runs in per_claim.values()]


def stability_table(results: Sequence[ClaimResult]) -> str:
    """A Markdown table: claim, verdict, rate over master seeds."""
    lines = ["| claim | verdict | pinned | held | per master seed |", "|---|---|---|---|---|"]
    for r in results:
        per = ", ".join(f"{m}: {v['verdict']}" for m, v in r.evidence["per_master_seed"].items())
        lines.append(f"| {r.id} | {r.verdict} | {r.expected or '-'} | "
                     f"{r.evidence['rate']:.0%} | {per} |")
    return "\n".join(lines) + "\n"
