"""``ex3 cache list|verify|clear``: look into the run cache, check it, empty it.

The run cache decides whether a verdict comes from a fresh training or from
disk, so a person must be able to see what it holds, whether every entry
still matches its checksums, and throw it away, without knowing its layout.
"""

from __future__ import annotations

import argparse
from typing import Any

from ex3.cli.common import EXIT_CHANGED, EXIT_OK
from ex3.config import CACHE_DIR_ENV


def add_cache_command(commands: Any) -> None:
    """Register ``cache`` and its ``list``, ``verify`` and ``clear`` on the ``ex3`` parser."""
    cache = commands.add_parser(
        "cache", help="list, verify or clear the run cache of trained runs",
        description=f"The run cache holds every trained MNIST run (in ${CACHE_DIR_ENV}/runs, "
                    "default the user cache folder). list: its entries with size, model and "
                    "whether each verifies against its checksums; verify: the same, exit 1 if "
                    "any entry is damaged; clear: remove every entry.")
    actions = cache.add_subparsers(dest="action", metavar="ACTION", parser_class=type(cache))
    actions.required = True
    for name, text in (("list", "show the entries: key, size, model, verified or damaged"),
                       ("verify", "check every entry; exit 1 if any is damaged"),
                       ("clear", "remove every entry")):
        action = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        action.set_defaults(handler=run_cache)


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def run_cache(args: argparse.Namespace) -> int:
    from ex3.training import cache, entries

    root = cache.existing_runs_dir()
    if args.action == "clear":
        removed, busy = cache.clear()
        print(f"removed {len(removed)} entries ({_size(sum(i.size for i in removed))}) "
              f"from {root}")
        if busy:
            print(f"kept {len(busy)} entries another ex3 process is training: {', '.join(busy)}")
        return EXIT_OK
    infos = [entries.describe(p) for p in entries.entry_paths(root)]
    if not infos:
        print(f"run cache {root}: no entries")
        return EXIT_OK
    width = max(len(i.model or "-") for i in infos)
    for info in infos:
        state = "verified" if info.verified else f"DAMAGED: {info.problem}"
        print(f"{info.key}  {_size(info.size):>10}  {info.model or '-':<{width}}  {state}")
    damaged = [i for i in infos if not i.verified]
    print(f"run cache {root}: {len(infos)} entries, {_size(sum(i.size for i in infos))}, "
          f"{len(damaged)} damaged")
    if damaged and args.action == "verify":
        print("a damaged entry is removed and trained again when a run needs it; "
              "`ex3 cache clear` removes every entry now")
        return EXIT_CHANGED
    return EXIT_OK
