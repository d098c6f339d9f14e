"""``ex3 stability``: the claims under several master seeds; a verdict that flips is UNSTABLE."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from ex3.cli.common import (
    EXIT_CHANGED,
    EXIT_OK,
    changed,
    executor_facts,
    executor_of,
    prefetches,
    prepare,
    read_record,
    record_target,
    result_line,
    run_facts,
)
from ex3.engine.claim import Claim, ClaimResult, RunContext, Verdict


def run_stability_command(args: argparse.Namespace) -> int:
    from ex3.engine.stability import run_stability, stability_table
    from ex3.report.html import REPORT_NAME, render_html
    from ex3.report.outputs import commit_outputs
    from ex3.report.progress import Progress, format_duration, reporting
    from ex3.report.verdicts import build_document, verdict_files

    # No figures: one master seed's figure would stand for all of them, and a PNG that
    # another run left in the folder must not be linked from this run's report.
    ctx, claims, out = prepare(args, extra_outputs=["stability.md"], figures=False)
    record_to = _agreement_target(args.record_agreement)
    masters = list(range(args.master_seeds))
    _print_header(ctx, claims, out, masters, args.workers, executor_facts(args))
    sources: list[str] = []
    start = time.perf_counter()
    with Progress() as progress, reporting(progress, ctx):
        def on_start(master: int, claim: Claim) -> None:
            progress.stage(f"master seed {master + 1}/{len(masters)}: {claim.id}")

        def on_result(master: int, result: ClaimResult) -> None:
            if result.evidence.get("data_source"):
                sources.append(result.evidence["data_source"])
            progress.message(f"master seed {master}: {result_line(result)}")

        def before_master(master_ctx: RunContext) -> None:
            if prefetches(args):
                from ex3.engine.parallel import prefetch

                prefetch(claims, master_ctx, args.workers, progress, *executor_of(args))

        from ex3.engine.parallel import kept_executor

        with kept_executor(executor_of(args)[0]):
            results = run_stability(claims, ctx, masters, on_result=on_result,
                                    on_start=on_start, before_master=before_master)
        results = [dataclasses.replace(r, figures=[]) for r in results]  # none drawn here
        table = stability_table(results)
        doc = build_document(results, profile=ctx.profile,
                             duration_s=time.perf_counter() - start, train_threads=ctx.threads,
                             device=ctx.device,
                             data_source=sources[0] if sources else None,
                             extra={"seeds": ctx.seeds, "front_end": "ex3 stability",
                                    "stability": {"master_seeds": masters, "table": table}})
        files = verdict_files(doc)
        files["stability.md"] = (f"# Stability over master seeds {masters}\n\n"
                                 f"Profile `{ctx.profile}`.\n\n{table}")
        files[REPORT_NAME] = render_html(json.loads(files["verdicts.json"]), {})
        commit_outputs(out, files)
        if record_to is not None:
            budgets = write_agreement(results, record_to, note=(
                f"ex3 stability --profile {ctx.profile} --master-seeds {len(masters)}; "
                f"{sources[0] if sources else 'no data'}"))
    print(table, end="")
    if record_to is not None:
        print(f"recorded the agreement of {', '.join(budgets) or 'no reduced budget'} with the "
              f"full protocol in {record_to}")
    flips = [r for r in results if r.verdict is Verdict.UNSTABLE]
    differing = changed(results)
    print(f"{len(results) - len(differing)} of {len(results)} verdicts stable and as pinned over "
          f"{len(masters)} master seeds; wrote verdicts.json, verdicts.md, stability.md and "
          f"report.html to {out} in {format_duration(time.perf_counter() - start)}")
    if flips:
        print("unstable: " + ", ".join(f"{r.id} ({r.evidence['rate']:.0%})" for r in flips))
    return EXIT_CHANGED if differing else EXIT_OK


def _agreement_target(path: str | None) -> Path | None:
    """The agreement file to write, checked before any training (an existing TOML or none)."""
    if path is None:
        return None
    return record_target(path, "--record-agreement", "agreement", "ex3/engine/agreement.toml")


def _read_agreement(path: Path) -> dict:
    return read_record(path, "--record-agreement", "agreement")


def write_agreement(results: list[ClaimResult], path: Path, note: str) -> list[str]:
    """Write the measured budgets' agreement into ``path``, keeping its other budgets' sections.

    Returns the budgets written.
    """
    from ex3.engine.agreement import MEASURED_BUDGETS, agreement_toml, parse_table
    from ex3.engine.stability import recorded_agreement
    from ex3.report.atomic import write_atomic

    old = _read_agreement(path) if path.exists() else {}
    kept = parse_table(old)
    measured = {b: v for b, v in recorded_agreement(results).items() if b in MEASURED_BUDGETS}
    sections = ["# The measured agreement of each reduced budget with the full protocol's "
                "verdict:\n# per claim, the judge's verdict under each master seed. Written by "
                "`ex3 stability --record-agreement`;\n# read by ex3/engine/agreement.py. "
                "Reviewed like pinned.toml.\n"]
    for budget in MEASURED_BUDGETS:
        if budget in measured:
            per_claim = {cid: [Verdict(v) for v in vs]
                         for cid, (_, vs) in measured[budget].items()}
            full = {cid: Verdict(f) for cid, (f, _) in measured[budget].items()}
            sections.append(agreement_toml(budget, per_claim, full, note))
        elif kept.get(budget):
            per_claim = {cid: list(a.per_master_seed) for cid, a in kept[budget].items()}
            full = {cid: a.full for cid, a in kept[budget].items()}
            sections.append(agreement_toml(budget, per_claim, full,
                                           str(old.get(budget, {}).get("measured", ""))))
    write_atomic(path, "\n".join(sections))
    return sorted(measured)


def _print_header(ctx: RunContext, claims: list[Claim], out: Path, masters: list[int],
                  workers: int, executor: list[tuple[str, str]]) -> None:
    """What is about to run, on which data, before the first master seed trains anything."""
    from ex3.report.terminal import Screen

    shift = f"{masters[0]}..{masters[-1]}, each shifting every study's seeds by 1000"
    facts = run_facts(ctx, claims, out, "ex3 stability", workers,
                      extra=[("master seeds", shift), *executor])
    screen = Screen(sys.stdout)
    screen.write(screen.header(facts))
