"""What the subcommands share: claim ids, the run context, result lines, exit codes."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ex3.engine.claim import Claim, ClaimResult, RunContext, Verdict
from ex3.errors import UsageError

if TYPE_CHECKING:
    from ex3.report.run_facts import RunFacts

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
    """The run context the arguments ask for, the environment filling the rest
    (``RunContext.resolve``); ``--data-dir ''`` means not given."""
    return RunContext.resolve(profile=args.profile, seeds=args.seeds, data_dir=args.data_dir,
                              download=args.download, device=getattr(args, "device", None),
                              threads=training_threads(args))


def training_threads(args: argparse.Namespace) -> int:
    """Intra-op threads of each run, from the declared inputs only (never the machine's load).

    ``--workers`` processes share this process's cores (``run_threads``); on a
    Dask scheduler's cluster, whose workers are one process per core (see the
    README), each run trains on one thread. The environment's thread count
    (``ex3.config``) overrides both.
    """
    from ex3.training.threads import run_threads

    if executor_of(args)[1] is not None:
        return run_threads(1, cores=1)
    return run_threads(getattr(args, "workers", 1))


def check_data(ctx: RunContext) -> None:
    """Fail before any training when an explicitly chosen MNIST source is unusable."""
    from ex3.config import data_dir_from_env
    from ex3.data.mnist import load_mnist

    if ctx.data_dir or ctx.download or data_dir_from_env():
        load_mnist(ctx.data_dir, download=ctx.download, origin=ctx.data_origin)


def check_executor(args: argparse.Namespace) -> None:
    """Fail before any training when ``--executor``/``--scheduler`` cannot work as given.

    A ``--scheduler`` without ``--executor dask`` would be silently ignored, and
    ``--executor dask`` without ``distributed`` installed would fail only when
    the first run is due; both are one line now instead.
    """
    executor, scheduler = executor_of(args)
    if scheduler is not None and executor != "dask":
        raise UsageError(f"--scheduler {scheduler} names a Dask scheduler, which only "
                         "--executor dask uses; add --executor dask or drop --scheduler")
    if executor == "dask":
        from ex3.engine.dask_executor import require_distributed

        require_distributed()


def executor_of(args: argparse.Namespace) -> tuple[str, str | None]:
    """``(executor, scheduler)`` from the arguments; ``--scheduler ''`` means unset."""
    scheduler = (getattr(args, "scheduler", None) or "").strip() or None
    return getattr(args, "executor", None) or "local", scheduler


def prefetches(args: argparse.Namespace) -> bool:
    """True when the runs are trained before evaluation: several workers, or on Dask."""
    return args.workers > 1 or executor_of(args)[0] == "dask"


def executor_facts(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The header's line about a Dask executor (none for local processes)."""
    executor, scheduler = executor_of(args)
    if executor != "dask":
        return []
    where = (f"scheduler {scheduler}" if scheduler
             else f"a LocalCluster of {args.workers} worker processes")
    return [("executor", f"Dask, {where}; runs come back to this machine's run cache")]


def check_cache() -> None:
    """Fail before any training when the run cache folder cannot be written (unless it is off)."""
    from ex3.training.cache import cache_enabled, check_cache_dir

    if cache_enabled():
        check_cache_dir()


def result_line(result: ClaimResult) -> str:
    """A claim's verdict against its pin, with its time, in one plain line."""
    from ex3.report.terminal import result_line as line

    return line(result)


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
    with ``figures``), the executor, the run cache folder and an explicitly
    chosen data source.
    """
    from ex3.config import out_dir_from_env
    from ex3.engine.registry import select
    from ex3.report.atomic import ensure_writable_dir
    from ex3.report.outputs import check_outputs

    ctx = context(args)
    claims = select(parse_ids(args.only))
    out = Path(args.out).expanduser() if args.out and args.out.strip() else out_dir_from_env()
    check_executor(args)
    check_cache()
    ensure_writable_dir(out)
    check_outputs(out, output_names(claims, extra_outputs, figures))
    check_data(ctx)
    return ctx, claims, out


def needs_mnist(claim: Claim) -> bool:
    """True when the claim's study trains on MNIST (the data are checked before it starts)."""
    from ex3.engine.registry import study_of

    return claim.measure is not None and study_of(claim).needs_mnist


def seed_counts(claims: Sequence[Claim], ctx: RunContext) -> dict[str, int]:
    """Seeds each selected study draws, per claim-id letter (``T``: 5), before any training."""
    from ex3.engine.registry import study_of
    from ex3.report.run_facts import id_letter

    counts: dict[str, int] = {}
    for claim in claims:
        if claim.measure is None:
            continue
        n = study_of(claim).seed_count(ctx)
        if n is not None:
            counts.setdefault(id_letter(claim.id), n)
    return counts


def run_facts(ctx: RunContext, claims: Sequence[Claim], out: Path, front_end: str,
              workers: int = 1, extra: Sequence[tuple[str, str]] = ()) -> RunFacts:
    """What the header states about this run, found before any training.

    The MNIST source is resolved (and verified) only when a selected claim
    needs it; ``load_mnist`` keeps the decoded data for the claims, so this
    costs no second read.
    """
    from ex3.data.mnist import load_mnist
    from ex3.engine.registry import all_claims
    from ex3.report.run_facts import RunFacts, data_facts, reduced_reasons, seeds_text
    from ex3.report.run_facts import threads_text as threads

    data = None
    if any(needs_mnist(c) for c in claims):
        mnist = load_mnist(ctx.data_dir, download=ctx.download, origin=ctx.data_origin)
        data = data_facts(mnist.source, mnist.kind, len(mnist.train_y), len(mnist.test_y))
    ids = tuple(c.id for c in claims)
    bound = any(not c.budget_free for c in claims)  # the toy and page claims have one protocol
    return RunFacts(front_end=front_end, profile=ctx.profile, claim_ids=ids,
                    all_claims=set(ids) >= {c.id for c in all_claims()}, data=data,
                    seeds=seeds_text(seed_counts(claims, ctx), ctx.seeds),
                    threads=threads(ctx.threads, workers, os.cpu_count(), ctx.device),
                    reduced=reduced_reasons(ctx.profile, data, ctx.seeds, bound),
                    out=str(out.resolve()), extra=tuple(extra))


def read_record(path: Path, option: str, kind: str) -> dict:
    """A record file ``option`` names, as TOML; a one-line usage error when it is unreadable."""
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{option} {path}: not a readable {kind} file ({exc}); "
                         "fix or remove it") from None


def record_target(path: str, option: str, kind: str, example: str) -> Path:
    """The record file ``option`` names, checked before any training (an existing TOML or none).

    ``ex3 stability --record-agreement`` and ``ex3 robustness --record`` write
    their measurements into such a file after hours of training: a folder, a
    missing parent or a damaged file must stop the run before it starts.
    """
    target = Path(path)
    if target.exists() and not target.is_file():
        raise UsageError(f"{option} {path}: not a regular file; name a .toml file, e.g. "
                         f"{example}")
    if not target.parent.is_dir():
        raise UsageError(f"{option} {path}: folder {target.parent} does not exist; create it "
                         "or name another file")
    if target.exists():
        read_record(target, option, kind)
    return target
