"""Robustness: does a verdict survive the other reasonable fillings of the report's gaps?

Seeds are one source of variance; the choices a protocol makes where the
report is silent are another, as large in published benchmarks (Bouthillier
et al., "Accounting for Variance in Machine Learning Benchmarks", MLSys 2021).
Each study declares its open choices (``ex3.studies.neighbourhood``) beside its
protocol. ``run_robustness`` measures every claim under the declared protocol
and under each protocol of its neighbourhood, with the same judge, and
``qualify`` (pure) turns the verdicts into a qualifier:

* ROBUST: the same verdict in every protocol of the neighbourhood;
* FRAGILE: some protocol gives another verdict; the qualifier names the
  choices and values that flip it, with the numbers of the first flip;
* NOT VARIED: the claim has no open choice (an exact derivation, or a
  section whose every choice the report fixes), said with the reason.

"Holds in k of n" counts the declared protocol too: n = neighbours + 1.
Verdicts are compared as the judge gives them (before the reduced-budget
rule of ``ex3.engine.agreement``): in the quick profile the qualifier is the
quick protocol's neighbourhood, an estimate like every quick verdict.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ex3.engine.claim import Claim, ClaimResult, Evidence, Judgement, RunContext, Verdict
from ex3.engine.evaluate import evaluate_claim
from ex3.engine.registry import studies
from ex3.studies.contract import Study
from ex3.studies.neighbourhood import Neighbour, Neighbourhood, neighbours

ROBUST, FRAGILE, NOT_VARIED = "ROBUST", "FRAGILE", "NOT VARIED"
QUALIFIERS = (ROBUST, FRAGILE, NOT_VARIED)


@dataclass(frozen=True)
class Outcome:
    """A claim's verdict under one protocol of its neighbourhood."""

    changes: tuple[tuple[str, str], ...]
    verdict: Verdict
    reason: str

    @property
    def label(self) -> str:
        return ", ".join(f"{name} = {value}" for name, value in self.changes)


def qualify(declared: Verdict, outcomes: Sequence[Outcome], choices: Sequence[str],
            no_choice: str | None = None) -> dict[str, Any]:
    """The robustness object of one claim, from its verdicts (pure; no measuring).

    ``declared`` is the judge's verdict under the declared protocol,
    ``outcomes`` those under each neighbour, ``choices`` the names of the
    choices varied. A value "flips" the verdict in the share of the
    protocols taking it whose verdict differs from the declared one.
    """
    if not outcomes:
        reason = no_choice or "no open choice to vary"
        return {"qualifier": NOT_VARIED, "holds": None, "of": None,
                "declared_verdict": str(declared), "reason": reason, "choices": [],
                "flips_with": [], "protocols": []}
    flips = [o for o in outcomes if o.verdict != declared]
    n = len(outcomes) + 1
    k = n - len(flips)
    tally: dict[tuple[str, str], list[int]] = {}
    for outcome in outcomes:
        for change in outcome.changes:
            counts = tally.setdefault(change, [0, 0])
            counts[0] += outcome.verdict != declared
            counts[1] += 1
    flips_with = [{"choice": c, "value": v, "flipped": f, "protocols": t}
                  for (c, v), (f, t) in tally.items() if f]
    flips_with.sort(key=lambda e: (-e["flipped"] / e["protocols"], -e["flipped"]))
    protocols = [{"changes": dict(o.changes), "verdict": str(o.verdict), "reason": o.reason}
                 for o in outcomes]
    if not flips:
        reason = (f"{declared} in all {n} protocols (declared + {n - 1} neighbours varying "
                  f"{', '.join(choices)})")
        qualifier = ROBUST
    else:
        named = "; ".join(f"{e['choice']} = {e['value']} flips {e['flipped']}/{e['protocols']}"
                          for e in flips_with[:4])
        first = min(flips, key=lambda o: len(o.changes))
        reason = (f"{declared} in {k} of {n} protocols; {named}; e.g. {first.label}: "
                  f"{first.verdict} ({first.reason})")
        qualifier = FRAGILE
    return {"qualifier": qualifier, "holds": k, "of": n, "declared_verdict": str(declared),
            "reason": reason, "choices": list(choices), "flips_with": flips_with,
            "protocols": protocols}


def declared_neighbourhoods(profile: str) -> dict[str, tuple[Study, Neighbourhood]]:
    """Every claim id with its study and that study's neighbourhood in ``profile``."""
    out: dict[str, tuple[Study, Neighbourhood]] = {}
    for study in studies():
        declared = study.neighbourhood(profile)
        if declared is None:
            continue
        for claim_id in declared.claims:
            if claim_id in out:
                raise ValueError(f"claim {claim_id} is in two neighbourhoods")
            out[claim_id] = (study, declared)
    return out


@dataclass(frozen=True)
class Plan:
    """The neighbour protocols of one study in one profile, and their run contexts."""

    study: Study
    neighbourhood: Neighbourhood
    neighbours: tuple[Neighbour, ...]
    contexts: tuple[RunContext, ...]


def plan(claims: Sequence[Claim], ctx: RunContext, budget: int = 0, seed: int = 0
         ) -> dict[str, Plan]:
    """Per claim id, the plan of its study (claims of one study share one plan)."""
    by_study: dict[str, Plan] = {}
    out: dict[str, Plan] = {}
    declared = declared_neighbourhoods(ctx.profile)
    for claim in claims:
        if claim.id not in declared:
            continue
        study, nb = declared[claim.id]
        if study.name not in by_study:
            found = tuple(neighbours(nb, budget, seed)) if nb.choices else ()
            contexts = tuple(dataclasses.replace(ctx, overrides=ctx.overrides + n.overrides)
                             for n in found)
            by_study[study.name] = Plan(study, nb, found, contexts)
        out[claim.id] = by_study[study.name]
    return out


def study_groups(claims: Sequence[Claim], ctx: RunContext, plans: dict[str, Plan]
                 ) -> list[tuple[list[Claim], list[RunContext]]]:
    """Per study, its claims and the contexts they run under: the declared one, then each
    neighbour's (a neighbour's overrides belong to its own study's protocol only)."""
    groups: dict[int, tuple[list[Claim], list[RunContext]]] = {}
    for claim in claims:
        p = plans.get(claim.id)
        if p is None:
            continue
        group = groups.setdefault(id(p), ([], [ctx, *p.contexts]))
        group[0].append(claim)
    return list(groups.values())


def judge_under(claim: Claim, ctx: RunContext,
                evidence: dict[tuple[Any, RunContext], Evidence]) -> Judgement:
    """The claim's judgement under ``ctx``; claims sharing a measure share its evidence."""
    assert claim.measure is not None and claim.judge is not None
    key = (claim.measure, ctx)
    if key not in evidence:
        evidence[key] = claim.measure(ctx)
    return claim.judge(evidence[key])


def run_robustness(claims: Sequence[Claim], ctx: RunContext, budget: int = 0, seed: int = 0,
                   workers: int = 1,
                   prepare: Callable[[list[tuple[list[Claim], list[RunContext]]]], None]
                   | None = None,
                   on_claim: Callable[[Claim, int], None] | None = None,
                   on_result: Callable[[ClaimResult], None] | None = None,
                   plans: dict[str, Plan] | None = None) -> list[ClaimResult]:
    """Each claim's declared result with its ``robustness`` object.

    First each study's ``prepare(contexts, workers)`` trains its declared
    protocol and its neighbours its own way (the toy study stacks them; the
    others need nothing there), then ``prepare(groups)`` runs with each study's
    claims and contexts (``study_groups``; the command trains the planned MNIST
    runs in parallel there); ``on_claim`` is told each claim and how many
    neighbours it is judged under. ``plans`` (``plan`` of the same arguments)
    spares planning twice when the caller planned first to print the counts.
    """
    if plans is None:
        plans = plan(claims, ctx, budget, seed)
    for study_plan in {id(p): p for p in plans.values()}.values():
        if study_plan.contexts:
            study_plan.study.prepare([ctx, *study_plan.contexts], workers)
    if prepare is not None:
        prepare(study_groups(claims, ctx, plans))
    evidence: dict[tuple[Any, RunContext], Evidence] = {}
    results = []
    for claim in claims:
        p = plans.get(claim.id)
        if on_claim is not None:
            on_claim(claim, len(p.neighbours) if p else 0)
        result = evaluate_claim(claim, ctx)
        testable = claim.measure is not None and claim.judge is not None \
            and claim.not_testable is None
        if p is None or not testable or result.estimate is Verdict.SKIPPED:
            if not testable:
                why = claim.not_testable or "the claim is not testable"
            elif p is None:
                why = "no neighbourhood declared for this claim"
            else:
                why = "skipped: the data cannot decide this claim"
            robustness = qualify(result.estimate, [], [], why)
        else:
            outcomes = []
            for n, nctx in zip(p.neighbours, p.contexts, strict=True):
                judged = judge_under(claim, nctx, evidence)
                outcomes.append(Outcome(n.changes, judged.verdict, judged.reason))
            robustness = qualify(result.estimate, outcomes,
                                 [c.name for c in p.neighbourhood.choices],
                                 p.neighbourhood.no_choice)
            robustness["design"] = p.neighbourhood.design
        robustness["profile"] = ctx.profile
        result = dataclasses.replace(result, robustness=robustness)
        if on_result is not None:
            on_result(result)
        results.append(result)
    return results
