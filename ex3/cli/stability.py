"""``ex3 stability``: the claims under several master seeds; a verdict that flips is UNSTABLE."""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

from ex3.cli.common import EXIT_CHANGED, EXIT_OK, changed, prepare, result_line
from ex3.engine.claim import Claim, ClaimResult, Verdict


def run_stability_command(args: argparse.Namespace) -> int:
    from ex3.engine.stability import run_stability, stability_table
    from ex3.report.html import REPORT_NAME, render_html
    from ex3.report.outputs import commit_outputs
    from ex3.report.progress import Progress, format_duration, hooked
    from ex3.report.verdicts import build_document, verdict_files

    # No figures: one master seed's figure would stand for all of them, and a PNG that
    # another run left in the folder must not be linked from this run's report.
    ctx, claims, out = prepare(args, extra_outputs=["stability.md"], figures=False)
    masters = list(range(args.master_seeds))
    sources: list[str] = []
    start = time.perf_counter()
    with Progress() as progress, hooked(progress):
        def on_start(master: int, claim: Claim) -> None:
            progress.stage(f"master seed {master + 1}/{len(masters)}: {claim.id}")

        def on_result(master: int, result: ClaimResult) -> None:
            if result.evidence.get("data_source"):
                sources.append(result.evidence["data_source"])
            progress.message(f"master seed {master}: {result_line(result)}")

        results = run_stability(claims, ctx, masters, on_result=on_result, on_start=on_start)
        results = [dataclasses.replace(r, figures=[]) for r in results]  # none drawn here
        table = stability_table(results)
        doc = build_document(results, profile=ctx.profile,
                             duration_s=time.perf_counter() - start,
                             data_source=sources[0] if sources else None,
                             extra={"seeds": ctx.seeds, "front_end": "ex3 stability",
                                    "stability": {"master_seeds": masters, "table": table}})
        files = verdict_files(doc)
        files["stability.md"] = (f"# Stability over master seeds {masters}\n\n"
                                 f"Profile `{ctx.profile}`.\n\n{table}")
        files[REPORT_NAME] = render_html(json.loads(files["verdicts.json"]), {})
        commit_outputs(out, files)
    print(table, end="")
    flips = [r for r in results if r.verdict is Verdict.UNSTABLE]
    differing = changed(results)
    print(f"{len(results) - len(differing)} of {len(results)} verdicts stable and as pinned over "
          f"{len(masters)} master seeds; wrote verdicts.json, verdicts.md, stability.md and "
          f"report.html to {out} in {format_duration(time.perf_counter() - start)}")
    if flips:
        print("unstable: " + ", ".join(f"{r.id} ({r.evidence['rate']:.0%})" for r in flips))
    return EXIT_CHANGED if differing else EXIT_OK
