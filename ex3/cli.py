"""The ``ex3`` command: verify the report's claims, or show which MNIST files would be used.

A thin front over :class:`~ex3.engine.session.Session`, the engine the pytest
suite uses too, so ``ex3 verify`` and ``pytest claims/`` cannot disagree.

Exit codes, for scripts and CI: 0 every verdict is as pinned; 1 at least one
verdict differs from its pin; 2 a usage or data problem, told in one line on
stderr (no traceback), because those are fixed by the person, not the code.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from ex3.engine.claim import Claim, ClaimResult, RunContext, Verdict
from ex3.engine.pinned import PROFILES
from ex3.engine.stability import MIN_MASTER_SEEDS
from ex3.errors import DataError, Ex3Error, UsageError

if TYPE_CHECKING:
    from ex3.report.progress import Progress

EXIT_OK, EXIT_CHANGED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {value}")
    return value


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""
    def parse(text: str) -> int:
        value = _positive(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value
    return parse


def _add_claim_options(command: argparse.ArgumentParser) -> None:
    """The options shared by ``verify`` and ``stability``: which claims, how, on what data."""
    command.add_argument("--profile", choices=PROFILES, default=None,
                         help="protocol profile (default: $EX3_PROFILE or quick)")
    command.add_argument("--only", nargs="+", metavar="IDS",
                         help="claim ids to run, comma or space separated (default: all)")
    command.add_argument("--seeds", type=_positive, metavar="N",
                         help="seeds per study instead of each study's default")
    source = command.add_mutually_exclusive_group()
    source.add_argument("--data-dir", metavar="DIR",
                        help="folder holding the official MNIST files (default: $EX3_DATA_DIR, "
                             "the download cache, else the bundled sample)")
    source.add_argument("--download", action="store_true",
                        help="download the official MNIST into the ex3 cache if it is not there")
    command.add_argument("--out", metavar="DIR",
                         help="output folder (default: $EX3_OUT or ./ex3-out)")


def build_parser() -> argparse.ArgumentParser:
    """The ``ex3`` argument parser with its ``verify``, ``stability`` and ``data`` subcommands."""
    parser = _Parser(
        prog="ex3",
        description="Re-check the claims of the 'Convnets - ex3' report and write the verdicts.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    verify = commands.add_parser(
        "verify", help="measure and judge the claims; write verdicts, figures and report.html",
        description="Measure and judge the report's claims, compare each verdict with the pinned "
                    "one, and write verdicts.json, verdicts.md, report.html and the figures. "
                    "Exit 0: all as pinned; 1: a verdict changed; 2: usage or data error.")
    _add_claim_options(verify)
    verify.add_argument("--workers", type=_positive, default=1, metavar="N",
                        help="train the claims' runs in N processes first (default 1)")
    verify.add_argument("--sensitivity", action="store_true",
                        help="also run each claim's falsification worlds (tiny protocols) and "
                             "report how many flipped the measured verdict")
    verify.set_defaults(handler=_verify)

    stability = commands.add_parser(
        "stability", help="run the claims under several master seeds; flag verdicts that flip",
        description="Run the claims once per master seed (each shifts every seed of every study) "
                    "and report, per claim, how often its verdict held; a verdict that differs "
                    "between master seeds becomes UNSTABLE. Writes verdicts.json, verdicts.md, "
                    "stability.md and report.html. Exit 0: every verdict stable and as pinned; "
                    "1: one flips or changed; 2: usage or data error.")
    _add_claim_options(stability)
    stability.add_argument("--master-seeds", type=_at_least(MIN_MASTER_SEEDS), default=5,
                           metavar="N", help="master seeds 0..N-1 to run "
                                             f"(default 5, at least {MIN_MASTER_SEEDS})")
    stability.set_defaults(handler=_stability)

    data = commands.add_parser(
        "data", help="show the MNIST source and whether its files are the official ones",
        description="Show which MNIST files ex3 would use, with their sizes and sha256, and "
                    "whether each is the official file. Exit 2 when a file is missing or altered.")
    data.add_argument("--data-dir", metavar="DIR",
                      help="folder to check (default: $EX3_DATA_DIR, the download cache, else the "
                           "bundled sample)")
    data.set_defaults(handler=_data)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ex3`` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except Ex3Error as exc:
        message = " ".join(str(exc).split())
        print(f"ex3: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ex3: interrupted", file=sys.stderr)
        return 130


# --------------------------------------------------------------------------- verify


def parse_ids(values: Sequence[str] | None) -> list[str] | None:
    """Claim ids from ``--only`` (``M1,M2``, ``M1 M2`` or both); None when not given."""
    if values is None:
        return None
    ids = [i for v in values for i in re.split(r"[,\s]+", v) if i]
    if not ids:
        raise UsageError("--only was given no claim ids; name some, e.g. --only M1,M2")
    return ids


def _context(args: argparse.Namespace) -> RunContext:
    from ex3.config import profile_from_env

    profile = args.profile or profile_from_env()
    if args.download and os.environ.get("EX3_DATA_DIR", "").strip():
        raise UsageError("--download conflicts with EX3_DATA_DIR, which names a data folder; "
                         "unset EX3_DATA_DIR or drop --download")
    return RunContext(profile=profile, seeds=args.seeds, data_dir=args.data_dir,
                      download=args.download)


def _check_data(ctx: RunContext) -> None:
    """Fail before any training when an explicitly chosen MNIST source is unusable."""
    from ex3.data.mnist import load_mnist

    if ctx.data_dir or ctx.download or os.environ.get("EX3_DATA_DIR", "").strip():
        load_mnist(ctx.data_dir, download=ctx.download)


def _result_line(result: ClaimResult) -> str:
    if result.verdict is Verdict.SKIPPED:
        pin = f"skipped: {result.reason}"
    elif result.expected is None:
        pin = "CHANGED: no pinned verdict"
    elif result.verdict == result.expected:
        pin = "as pinned"
    else:
        pin = f"CHANGED: pinned {result.expected}"
    return f"{result.id:<4}{result.verdict!s:<16}{pin}  ({result.duration_s:.1f} s)"


def changed(results: Sequence[ClaimResult]) -> list[ClaimResult]:
    """Results whose verdict differs from the pin (a SKIPPED claim changed nothing)."""
    return [r for r in results if r.verdict is not Verdict.SKIPPED and not r.as_pinned]


def _verify(args: argparse.Namespace) -> int:
    from ex3.config import out_dir_from_env
    from ex3.engine.parallel import prefetch, runs_to_train
    from ex3.engine.registry import select
    from ex3.engine.session import Session
    from ex3.report.atomic import ensure_writable_dir
    from ex3.report.html import write_html
    from ex3.report.progress import Progress, format_duration, hooked

    ctx = _context(args)
    claims: list[Claim] = select(parse_ids(args.only))
    out = Path(args.out) if args.out else out_dir_from_env()
    ensure_writable_dir(out)
    _check_data(ctx)
    start = time.perf_counter()
    session = Session(ctx)
    with Progress() as progress, hooked(progress):
        if args.workers == 1 and progress.enabled:
            progress.plan(runs_to_train(claims, ctx)[1])
        if args.workers > 1:
            report = prefetch(claims, ctx, args.workers, progress)
            if report.planned:
                progress.message(
                    f"trained {report.trained} of {report.planned} planned runs "
                    f"({report.cached} already cached) in {report.workers} worker processes "
                    f"in {format_duration(report.seconds)}")
            if report.unseen:
                progress.message(
                    f"warning: {report.unseen} runs trained by the workers are under another "
                    "cache key here (was the training code edited meanwhile?); they are "
                    "trained again now")
        for index, claim in enumerate(claims, 1):
            progress.stage(f"{claim.id} ({index}/{len(claims)})")
            progress.message(_result_line(session.run(claim)))
        extra = {"seeds": ctx.seeds, "workers": args.workers, "front_end": "ex3 verify"}
        if args.sensitivity:
            extra["sensitivity"] = _falsify(claims, ctx, progress)
        progress.stage("writing figures and report", "")
        session.write(out, extra=extra)
        write_html(out)
    results = session.ordered()
    differing = changed(results)
    print(f"{len(results) - len(differing)} of {len(results)} verdicts as pinned; wrote "
          f"verdicts.json, verdicts.md, report.html and figures to {out} "
          f"in {format_duration(time.perf_counter() - start)}")
    if differing:
        print("changed: " + ", ".join(f"{r.id} ({r.expected} -> {r.verdict})" for r in differing))
        return EXIT_CHANGED
    return EXIT_OK


def _falsify(claims: Sequence[Claim], ctx: RunContext, progress: Progress) -> dict:
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
        progress.message(f"{world.claim_id:<4}world: {world.description}: {result['measured']}, "
                         f"{outcome}")
    found = summary(results)
    if found["tried"]:
        progress.message(f"sensitivity {found['caught']}/{found['tried']} "
                         f"({found['sensitivity']:.0%}) of the falsification worlds caught")
    return found


# --------------------------------------------------------------------------- stability


def _stability(args: argparse.Namespace) -> int:
    from ex3.config import out_dir_from_env
    from ex3.engine.registry import select
    from ex3.engine.stability import run_stability, stability_table
    from ex3.report.atomic import ensure_writable_dir, write_atomic
    from ex3.report.html import write_html
    from ex3.report.progress import Progress, format_duration, hooked
    from ex3.report.verdicts import build_document, write_verdicts

    ctx = _context(args)
    claims: list[Claim] = select(parse_ids(args.only))
    out = Path(args.out) if args.out else out_dir_from_env()
    ensure_writable_dir(out)
    _check_data(ctx)
    masters = list(range(args.master_seeds))
    sources: list[str] = []
    start = time.perf_counter()
    with Progress() as progress, hooked(progress):
        def on_start(master: int, claim: Claim) -> None:
            progress.stage(f"master seed {master + 1}/{len(masters)}: {claim.id}")

        def on_result(master: int, result: ClaimResult) -> None:
            if result.evidence.get("data_source"):
                sources.append(result.evidence["data_source"])
            progress.message(f"master seed {master}: {_result_line(result)}")

        results = run_stability(claims, ctx, masters, on_result=on_result, on_start=on_start)
        table = stability_table(results)
        doc = build_document(results, profile=ctx.profile,
                             duration_s=time.perf_counter() - start,
                             data_source=sources[0] if sources else None,
                             extra={"seeds": ctx.seeds, "front_end": "ex3 stability",
                                    "stability": {"master_seeds": masters, "table": table}})
        write_verdicts(doc, out)
        write_atomic(out / "stability.md", f"# Stability over master seeds {masters}\n\n"
                                          f"Profile `{ctx.profile}`.\n\n{table}")
        write_html(out)
    print(table, end="")
    flips = [r for r in results if r.verdict is Verdict.UNSTABLE]
    differing = changed(results)
    print(f"{len(results) - len(differing)} of {len(results)} verdicts stable and as pinned over "
          f"{len(masters)} master seeds; wrote verdicts.json, verdicts.md, stability.md and "
          f"report.html to {out} in {format_duration(time.perf_counter() - start)}")
    if flips:
        print("unstable: " + ", ".join(f"{r.id} ({r.evidence['rate']:.0%})" for r in flips))
    return EXIT_CHANGED if differing else EXIT_OK


# --------------------------------------------------------------------------- data


def _data(args: argparse.Namespace) -> int:
    from ex3.data.mnist import describe_source

    entries = describe_source(args.data_dir)
    first = entries[0]
    if first["source"] == "sample":
        print(f"source: the bundled sample {first['path']} (not the official MNIST; "
              "set EX3_DATA_DIR or pass --data-dir for the full data)")
        print(f"  {first['file']}  {first['size']:,} bytes  sha256 {first['sha256']}")
        print(f"  {first['attribution']} ({first['licence']})")
        return EXIT_OK
    folder = Path(first["path"]).parent
    kind = "the ex3 download cache" if first["source"] == "cache" else "folder"
    print(f"source: {kind} {folder}")
    width = max(len(e["file"]) for e in entries)
    for e in entries:
        size = "-" if e["size"] is None else f"{e['size']:,} bytes"
        state = "official" if e["official"] else f"NOT official ({e['problem']})"
        print(f"  {e['file']:<{width}}  {size:>18}  sha256 {e['sha256'] or '-':<64}  {state}")
    bad = [e["file"] for e in entries if not e["official"]]
    if bad:
        raise DataError(f"{len(bad)} of {len(entries)} MNIST files in {folder} are not the "
                         f"official ones ({', '.join(bad)}); replace them with the official files")
    print(f"all {len(entries)} files are the official MNIST")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
