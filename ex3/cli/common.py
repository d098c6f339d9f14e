"""What the subcommands share: claim ids, the run context, result lines, exit codes."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

from ex3.engine.claim import Claim, ClaimResult, RunContext, Verdict
from ex3.errors import UsageError

#: 3 (internal error), 130 (Ctrl-C) and 143 (SIGTERM) are in ``ex3.cli.failures``.
EXIT_OK, EXIT_CHANGED, EXIT_USAGE = 0, 1, 2


def parse_ids(values: Sequence[str] | None) -> list[str] | None:
    """Claim ids from ``--only`` (``M1,M2``, ``M1 M2`` or both); None when not given."""
    if values is None:
        return None
    ids = [i for v in values for i in re.split(r"[,\s]+", v) if i]
    if not ids:
        raise UsageError("--only was given no claim ids; name some, e.g. --only M1,M2")
    return ids


def context(args: argparse.Namespace) -> RunContext:
    """The run context the arguments and environment ask for; ``--data-dir ''`` means unset."""
    from ex3.config import env_setting, profile_from_env

    profile = args.profile or profile_from_env()
    if args.download and env_setting("EX3_DATA_DIR"):
        raise UsageError("--download conflicts with EX3_DATA_DIR, which names a data folder; "
                         "unset EX3_DATA_DIR or drop --download")
    data_dir = (args.data_dir or "").strip() or None
    return RunContext(profile=profile, seeds=args.seeds, data_dir=data_dir,
                      download=args.download)


def check_data(ctx: RunContext) -> None:
    """Fail before any training when an explicitly chosen MNIST source is unusable."""
    from ex3.config import env_setting
    from ex3.data.mnist import load_mnist

    if ctx.data_dir or ctx.download or env_setting("EX3_DATA_DIR"):
        load_mnist(ctx.data_dir, download=ctx.download)


def check_cache() -> None:
    """Fail before any training when the run cache folder cannot be written (unless it is off)."""
    from ex3.training.cache import cache_enabled, check_cache_dir

    if cache_enabled():
        check_cache_dir()


def result_line(result: ClaimResult) -> str:
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


def output_names(claims: Sequence[Claim], extra: Sequence[str] = (),
                 figures: bool = True) -> list[str]:
    """The files a run of ``claims`` writes into its output folder."""
    names = ["verdicts.json", "verdicts.md", "report.html", *extra]
    if figures:
        names += sorted({f"{name}.png" for claim in claims for name in claim.figures})
    return names


def prepare(args: argparse.Namespace, extra_outputs: Sequence[str] = (),
            figures: bool = True) -> tuple[RunContext, list[Claim], Path]:
    """Context, selected claims and a writable output folder, checked before any training.

    Every usage or data problem surfaces here, so a bad argument costs nothing:
    the claim ids, the output folder and every file the run will write there
    (``extra_outputs`` beyond the verdicts and the report; the claims' figures
    with ``figures``), the run cache folder and an explicitly chosen data source.
    """
    from ex3.config import out_dir_from_env
    from ex3.engine.registry import select
    from ex3.report.atomic import ensure_writable_dir
    from ex3.report.outputs import check_outputs

    ctx = context(args)
    claims = select(parse_ids(args.only))
    out = Path(args.out).expanduser() if args.out and args.out.strip() else out_dir_from_env()
    check_cache()
    ensure_writable_dir(out)
    check_outputs(out, output_names(claims, extra_outputs, figures))
    check_data(ctx)
    return ctx, claims, out
