"""The ``ex3`` command: verify the report's claims, check their stability, show the data.

A thin front over :class:`~ex3.report.session.Session`, the engine the pytest
suite uses too, so ``ex3 verify`` and ``pytest claims/`` cannot disagree. One
module per subcommand (``verify``, ``stability``, ``robustness``, ``data``, ``cache``);
``common`` holds what they share, ``failures`` how a run ends badly.

Exit codes, for scripts and CI: 0 every verdict is as pinned; 1 at least one
verdict differs from its pin (``ex3 cache verify``: an entry is damaged); 2 a
usage or data problem, told in one line on stderr (no traceback), because
those are fixed by the person, not the code; 3 an internal error (one line
naming the log file that holds the traceback); 130 Ctrl-C; 143 SIGTERM.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from ex3.cli.cache import add_cache_command
from ex3.cli.common import EXIT_USAGE, parse_ids
from ex3.cli.data import run_data
from ex3.cli.failures import (
    EXIT_SIGINT,
    EXIT_SIGTERM,
    report_internal_error,
    sigterm_raises,
)
from ex3.cli.robustness import run_robustness_command
from ex3.cli.stability import run_stability_command
from ex3.cli.verify import run_verify
from ex3.config import DATA_DIR_ENV, DEFAULT_OUT, DEVICE_ENV, DEVICES, OUT_ENV, PROFILE_ENV
from ex3.engine.agreement import MIN_MASTER_SEEDS
from ex3.engine.pinned import PROFILES
from ex3.errors import Ex3Error, Terminated

__all__ = ["build_parser", "main", "parse_ids"]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _positive(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {value}")
    return value


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""
    def parse(text: str) -> int:
        value = _whole(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value
    return parse


def _add_claim_options(command: argparse.ArgumentParser) -> None:
    """The options shared by ``verify`` and ``stability``: which claims, how, on what data."""
    command.add_argument("--profile", choices=PROFILES, default=None,
                         help=f"protocol profile (default: ${PROFILE_ENV} or quick)")
    command.add_argument("--only", nargs="+", action="extend", metavar="IDS",
                         help="claim ids to run, comma or space separated; repeat to add more "
                              "(default: all)")
    command.add_argument("--seeds", type=_positive, metavar="N",
                         help="seeds per study instead of each study's default")
    source = command.add_mutually_exclusive_group()
    source.add_argument("--data-dir", metavar="DIR",
                        help=f"folder holding the official MNIST files (default: ${DATA_DIR_ENV}, "
                             "the download cache, else the bundled sample; '' means unset)")
    source.add_argument("--download", action="store_true",
                        help="download the official MNIST into the ex3 cache if it is not there")
    command.add_argument("--out", metavar="DIR",
                         help=f"output folder (default: ${OUT_ENV} or ./{DEFAULT_OUT})")
    command.add_argument("--device", choices=DEVICES, default=None,
                         help=f"where MNIST runs train (default: ${DEVICE_ENV} or auto: a CUDA "
                              "GPU when torch sees one, else the CPU); verdicts must not "
                              "depend on it")


def _add_executor_options(command: argparse.ArgumentParser, workers_help: str) -> None:
    """``--workers``, ``--executor`` and ``--scheduler``: where the claims' runs train first."""
    command.add_argument("--workers", type=_positive, default=1, metavar="N", help=workers_help)
    command.add_argument("--executor", choices=("local", "dask"), default="local",
                         help="train the runs in local processes (default) or on a Dask "
                              "cluster; each run trained there comes back to this machine's "
                              "run cache (needs pip install -e \".[dask]\")")
    command.add_argument("--scheduler", metavar="ADDRESS",
                         help="with --executor dask: the Dask scheduler to use, e.g. "
                              "tcp://HOST:8786 (default: a LocalCluster of --workers processes)")


def build_parser() -> argparse.ArgumentParser:
    """The ``ex3`` parser, with the ``verify``, ``stability``, ``data`` and ``cache`` commands."""
    parser = _Parser(
        prog="ex3",
        description="Re-check the claims of the 'Convnets - ex3' report and write the verdicts.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    verify = commands.add_parser(
        "verify", help="measure and judge the claims; write verdicts, figures and report.html",
        description="Measure and judge the report's claims, compare each verdict with the pinned "
                    "one, and write verdicts.json, verdicts.md, report.html and the figures. "
                    "Exit 0: all as pinned; 1: a verdict changed; 2: usage or data error; "
                    "3: internal error.")
    _add_claim_options(verify)
    _add_executor_options(verify, "train the claims' runs in N processes first (default 1)")
    verify.add_argument("--sensitivity", action="store_true",
                        help="also run each claim's falsification worlds (tiny protocols) and "
                             "report how many flipped the measured verdict")
    verify.add_argument("--quiet", action="store_true",
                        help="print only the closing summary (no header, no line per claim)")
    verify.add_argument("--json", action="store_true",
                        help="print verdicts.json to stdout and nothing else there; the "
                             "human-readable text goes to stderr")
    verify.set_defaults(handler=run_verify)

    stability = commands.add_parser(
        "stability", help="run the claims under several master seeds; flag verdicts that flip",
        description="Run the claims once per master seed (each shifts every seed of every study) "
                    "and report, per claim, how often its verdict held; a verdict that differs "
                    "between master seeds becomes UNSTABLE. Writes verdicts.json, verdicts.md, "
                    "stability.md and report.html. Exit 0: every verdict stable and as pinned; "
                    "1: one flips or changed; 2: usage or data error; 3: internal error.")
    _add_claim_options(stability)
    stability.add_argument("--master-seeds", type=_at_least(MIN_MASTER_SEEDS), default=5,
                           metavar="N", help="master seeds 0..N-1 to run "
                                             f"(default 5, at least {MIN_MASTER_SEEDS})")
    _add_executor_options(stability,
                          "train each master seed's runs in N processes first (default 1)")
    stability.add_argument("--record-agreement", metavar="FILE",
                           help="write each reduced budget's measured agreement with the full "
                                "protocol's pinned verdicts into FILE (the project's is "
                                "ex3/engine/agreement.toml)")
    stability.set_defaults(handler=run_stability_command)

    robustness = commands.add_parser(
        "robustness", help="judge each claim over its declared neighbourhood of open choices",
        description="Measure each claim under its declared protocol and under every protocol of "
                    "its study's declared neighbourhood (the choices the report leaves open, "
                    "each with the values a practitioner could have picked), with the same "
                    "judge; qualify each verdict ROBUST, FRAGILE (naming the values that flip "
                    "it) or NOT VARIED, with 'holds in k of n'. Writes verdicts.json, "
                    "verdicts.md, robustness.md, robustness_map.png and report.html. Exit 0: "
                    "every declared verdict as pinned (FRAGILE included); 1: one changed; 2: "
                    "usage or data error; 3: internal error.")
    _add_claim_options(robustness)
    _add_executor_options(robustness,
                          "train the neighbours' runs (and the toy stacks) in N processes "
                          "(default 1)")
    robustness.add_argument("--budget", type=_at_least(0), default=0, metavar="N",
                            help="also judge N random combinations of the choices of each "
                                 "one-at-a-time study (default 0: each value alone)")
    robustness.add_argument("--seed", type=_at_least(0), default=0, metavar="S",
                            help="seed of that random draw (default 0)")
    robustness.add_argument("--record", metavar="FILE",
                            help="write each claim's qualifier into FILE under this profile "
                                 "(the project's is ex3/engine/robustness.toml, which ex3 verify "
                                 "shows beside every verdict)")
    robustness.set_defaults(handler=run_robustness_command)

    data = commands.add_parser(
        "data", help="show the MNIST source and whether its files are the official ones",
        description="Show which MNIST files ex3 would use, with their sizes and sha256, and "
                    "whether each is the official file. Exit 2 when a file is missing or altered.")
    data.add_argument("--data-dir", metavar="DIR",
                      help=f"folder to check (default: ${DATA_DIR_ENV}, the download cache, else "
                           "the bundled sample; '' means unset)")
    data.set_defaults(handler=run_data)
    add_cache_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ex3`` command; returns the exit code (see the module docstring)."""
    args = build_parser().parse_args(argv)
    try:
        with sigterm_raises():
            return args.handler(args)
    except Ex3Error as exc:
        message = " ".join(str(exc).split())
        print(f"ex3: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ex3: interrupted", file=sys.stderr)
        return EXIT_SIGINT
    except Terminated:
        print("ex3: terminated (SIGTERM)", file=sys.stderr)
        return EXIT_SIGTERM
    except Exception as exc:
        return report_internal_error(exc, list(sys.argv[1:] if argv is None else argv))
