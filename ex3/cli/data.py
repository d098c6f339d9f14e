"""``ex3 data``: which MNIST files would be used, and whether they are the official ones."""

from __future__ import annotations

import argparse
from pathlib import Path

from ex3.cli.common import EXIT_OK
from ex3.config import DATA_DIR_ENV
from ex3.errors import DataError


def run_data(args: argparse.Namespace) -> int:
    from ex3.data.diagnostics import describe_source

    data_dir = (args.data_dir or "").strip() or None
    entries = describe_source(data_dir, origin=f"--data-dir {data_dir}" if data_dir else None)
    first = entries[0]
    if first["source"] == "sample":
        print(f"source: the bundled sample {first['path']} (not the official MNIST; "
              f"set {DATA_DIR_ENV} or pass --data-dir for the full data)")
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
    bad = [e for e in entries if not e["official"]]
    if bad:
        listed = "; ".join(f"{e['file']}: {e['problem']}" for e in bad)
        readable = (" (or make the unreadable ones readable, e.g. chmod a+r)"
                    if any(e["problem"].startswith("unreadable") for e in bad) else "")
        raise DataError(f"{len(bad)} of {len(entries)} MNIST files in {folder} are not the "
                        f"official ones ({listed}); replace them with the official "
                        f"files{readable}")
    print(f"all {len(entries)} files are the official MNIST")
    return EXIT_OK
