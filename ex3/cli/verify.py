"""``ex3 verify``: measure and judge the claims, write the verdicts, figures and report."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ex3.cli.common import (
    EXIT_CHANGED,
    EXIT_OK,
    changed,
    executor_facts,
    executor_of,
    prefetches,
    prepare,
    run_facts,
)
from ex3.engine.claim import Claim, RunContext

if TYPE_CHECKING:
    from ex3.report.progress import Progress


def run_verify(args: argparse.Namespace) -> int:
    """Measure, judge and write; the terminal gets the header, one block per claim, a summary.

    ``--json`` keeps stdout for ``verdicts.json`` alone (the human text goes to
    stderr); ``--quiet`` prints only the summary.
    """
    from ex3.engine.parallel import prefetch, runs_to_train
    from ex3.report.outputs import commit_outputs
    from ex3.report.progress import Progress, format_duration, reporting
    from ex3.report.session import Session
    from ex3.report.terminal import Screen

    ctx, claims, out = prepare(args)
    quiet, as_json = getattr(args, "quiet", False), getattr(args, "json", False)
    human = sys.stderr if as_json else sys.stdout
    screen = Screen(human)
    if not quiet:
        facts = run_facts(ctx, claims, out, "ex3 verify", args.workers,
                          extra=executor_facts(args))
        screen.write(screen.header(facts))
    start = time.perf_counter()
    session = Session(ctx)
    with Progress(stream=human) as progress, reporting(progress, ctx):
        def say(text: str) -> None:
            if not quiet:
                progress.message(text)

        if not prefetches(args) and progress.enabled:
            progress.plan(runs_to_train(claims, ctx)[1])
        if prefetches(args):
            executor, scheduler = executor_of(args)
            report = prefetch(claims, ctx, args.workers, progress, executor, scheduler)
            if report.planned:
                where = (f"{report.workers} Dask workers" if report.executor == "dask"
                         else f"{report.workers} worker processes")
                say(f"trained {report.trained} of {report.planned} planned runs "
                    f"({report.cached} already cached) on {where} "
                    f"in {format_duration(report.seconds)}")
            if report.unseen:
                why = ("do the Dask workers run other ex3 code or read other MNIST files?"
                       if report.executor == "dask"
                       else "was the training code edited meanwhile?")
                progress.message(
                    f"warning: {report.unseen} runs trained by the workers are under another "
                    f"cache key here ({why}); they are trained again now")
        for index, claim in enumerate(claims, 1):
            progress.stage(f"{claim.id} ({index}/{len(claims)})")
            say(screen.result(session.run(claim)))
        extra = {"seeds": ctx.seeds, "workers": args.workers, "front_end": "ex3 verify",
                 "executor": executor_of(args)[0]}
        if args.sensitivity:
            extra["sensitivity"] = _falsify(claims, ctx, progress, say)
        progress.stage("writing figures and report", "")
        commit_outputs(out, session.outputs(extra=extra, html=True))
    results = session.ordered()
    screen.write(screen.summary(results, str(out),
                                     format_duration(time.perf_counter() - start)))
    if as_json:
        sys.stdout.write((out / "verdicts.json").read_text(encoding="utf-8"))
        sys.stdout.flush()
    return EXIT_CHANGED if changed(results) else EXIT_OK


def _falsify(claims: Sequence[Claim], ctx: RunContext, progress: Progress,
             say: Callable[[str], None]) -> dict:
    """Run the falsification worlds of ``claims``; the sensitivity summary for the report."""
    from ex3.engine.sensitivity import all_worlds, falsify, summary

    ids = {c.id for c in claims}
    worlds = [w for w in all_worlds() if w.claim_id in ids]
    results = []
    for index, world in enumerate(worlds, 1):
        progress.stage(f"falsify {world.claim_id} ({index}/{len(worlds)})", world.description)
        result = falsify(world, ctx)
        results.append(result)
        outcome = "caught" if result["caught"] else f"MISSED (expected {result['expected']})"
        say(f"{world.claim_id:<4}world: {world.description}: {result['measured']}, "
            f"{outcome}")
    found = summary(results)
    if found["tried"]:
        say(f"sensitivity {found['caught']}/{found['tried']} "
            f"({found['sensitivity']:.0%}) of the falsification worlds caught")
    return found
