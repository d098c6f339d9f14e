"""``ex3 robustness``: each claim over its declared neighbourhood of open choices.

Exit codes as ``ex3 verify``: 0 when every declared verdict is as pinned
(FRAGILE is a finding about the protocol's choices, reported, not a
failure); 1 when a declared verdict differs from its pin; 2 a usage or data
problem; 3 an internal error; 130/143 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

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
    run_facts,
)
from ex3.engine.claim import Claim, ClaimResult, RunContext

OUTPUTS = ["robustness.md", "robustness_map.png"]


def run_robustness_command(args: argparse.Namespace) -> int:
    from ex3.engine import robustness_record
    from ex3.engine.parallel import kept_executor, prefetch
    from ex3.engine.robustness import plan, run_robustness
    from ex3.report import robustness as report
    from ex3.report.atomic import write_atomic
    from ex3.report.html import REPORT_NAME, render_html
    from ex3.report.outputs import commit_outputs
    from ex3.report.progress import Progress, format_duration, reporting
    from ex3.report.terminal import Screen
    from ex3.report.verdicts import build_document, verdict_files

    ctx, claims, out = prepare(args, extra_outputs=OUTPUTS, figures=False)
    record_to = (None if args.record is None else
                 record_target(args.record, "--record", "robustness",
                               f"ex3/engine/{robustness_record.TABLE}"))
    plans = plan(claims, ctx, args.budget, args.seed)
    screen = Screen(sys.stdout)
    counts = {p.study.name: len(p.neighbours) for p in plans.values()}
    facts = run_facts(ctx, claims, out, "ex3 robustness", args.workers, extra=[
        *executor_facts(args),
        ("neighbours", ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"),
        ("random extra", f"{args.budget} per one-at-a-time study (seed {args.seed})")])
    screen.write(screen.header(facts))
    start = time.perf_counter()
    sources: list[str] = []
    with Progress() as progress, reporting(progress, ctx):
        def train_planned(groups: list[tuple[list[Claim], list[RunContext]]]) -> None:
            if not prefetches(args):
                return
            executor, scheduler = executor_of(args)
            with kept_executor(executor):
                for members, contexts in groups:
                    done = prefetch(members, contexts, args.workers, progress, executor,
                                    scheduler)
                    if done.planned:
                        progress.message(
                            f"{', '.join(c.id for c in members)}: trained {done.trained} of "
                            f"{done.planned} planned runs of the declared protocol and its "
                            f"neighbours ({done.cached} already cached) in "
                            f"{format_duration(done.seconds)}")

        def on_claim(claim: Claim, n: int) -> None:
            progress.stage(f"{claim.id}: declared protocol and {n} neighbours")

        def on_result(result: ClaimResult) -> None:
            if result.evidence.get("data_source"):
                sources.append(result.evidence["data_source"])
            rob = result.robustness
            progress.message(f"{result.id:<4}{result.verdict!s:<16}"
                             f"{report.qualifier_text(rob):<18}{rob.get('reason', '')}")

        progress.stage("training the neighbourhoods")
        results = run_robustness(claims, ctx, args.budget, args.seed, workers=args.workers,
                                 prepare=train_planned, on_claim=on_claim, on_result=on_result,
                                 plans=plans)
        progress.stage("writing the report", "")
        doc = build_document(
            results, profile=ctx.profile, duration_s=time.perf_counter() - start,
            train_threads=ctx.threads, device=ctx.device,
            data_source=sources[0] if sources else None,
            extra={"seeds": ctx.seeds, "workers": args.workers, "front_end": "ex3 robustness",
                   "robustness": report.document_section(plans, ctx.profile, args.budget,
                                                         args.seed)})
        png = report.map_png(doc)
        files: dict[str, bytes | str] = dict(verdict_files(doc))
        files["robustness.md"] = report.robustness_markdown(doc)
        if png is not None:
            files[f"{report.FIGURE_NAME}.png"] = png
        files[REPORT_NAME] = render_html(json.loads(str(files["verdicts.json"])),
                                         {report.FIGURE_NAME: png} if png else {})
        commit_outputs(out, files)
        if record_to is not None:
            old = (read_record(record_to, "--record", "robustness") if record_to.exists()
                   else {})
            note = (f"ex3 robustness --profile {ctx.profile} --budget {args.budget} --seed "
                    f"{args.seed}; {sources[0] if sources else 'no data'}")
            write_atomic(record_to, robustness_record.render(old, ctx.profile, results, note))
    print("\n".join(report.table_lines(doc)))
    if record_to is not None:
        print(f"recorded the {ctx.profile} profile's qualifiers in {record_to}")
    fragile = [r.id for r in results if r.robustness.get("qualifier") == "FRAGILE"]
    print(f"{len(fragile)} FRAGILE ({', '.join(fragile) or 'none'}); wrote verdicts.json, "
          f"verdicts.md, robustness.md and report.html to {out} in "
          f"{format_duration(time.perf_counter() - start)}")
    return EXIT_CHANGED if changed(results) else EXIT_OK
