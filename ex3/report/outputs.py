"""An output set (verdicts, report, figures) that is written whole or not at all.

``verdicts.json``, ``verdicts.md``, ``report.html``, ``stability.md`` and the
figures describe one run together; a reader who finds a new ``verdicts.json``
beside an old ``report.html`` is misled. So the paths are checked before any
training (:func:`check_outputs`: an existing path that is a folder, a FIFO or
anything else but a file would make the last write fail after hours of work),
and the files are written by :func:`commit_outputs`: every file to a temporary
name first, then each renamed into place, ``verdicts.json`` last. A failure
while writing leaves the previous set untouched.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from ex3.config import OUT_ENV
from ex3.errors import OutputError
from ex3.report.atomic import ensure_writable_dir, stage

#: Renamed last, so a set with a new verdicts.json has every other new file beside it.
ANCHOR = "verdicts.json"

_KINDS = {stat.S_ISDIR: "a folder", stat.S_ISFIFO: "a FIFO", stat.S_ISSOCK: "a socket",
          stat.S_ISCHR: "a device", stat.S_ISBLK: "a device"}


def _blocker(path: Path) -> str | None:
    """What stands at ``path`` that a file cannot replace, or None when the path is usable.

    A regular file or a symbolic link is replaced by the rename (the link itself,
    never its target); anything else is reported by kind.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
        return None
    return next((kind for test, kind in _KINDS.items() if test(mode)), "not a regular file")


def check_outputs(out: Path, names: Iterable[str]) -> None:
    """Raise OutputError unless every output file ``out/<name>`` can be (re)written."""
    for name in names:
        path = out / name
        kind = _blocker(path)
        if kind is not None:
            raise OutputError(f"output file {path} is {kind}, which the run cannot replace; "
                              f"remove it or choose another output folder (--out or {OUT_ENV})")


def commit_outputs(out: Path, files: Mapping[str, bytes | str]) -> list[Path]:
    """Write ``files`` (name -> contents) into ``out`` as one set; return their paths.

    Each file goes to a temporary name first; only when all are written are
    they renamed into place, ``verdicts.json`` last. Any failure before the
    renames removes the temporary files and leaves the old set as it was; an
    OSError becomes an OutputError that names the file.
    """
    ensure_writable_dir(out)
    check_outputs(out, files)
    order = sorted(files, key=lambda name: (name == ANCHOR, name))
    staged: dict[str, str] = {}
    try:
        for name in order:
            staged[name] = stage(out, name, files[name])
        for name in order:
            os.replace(staged.pop(name), out / name)
    except OSError as exc:
        raise OutputError(f"cannot write {out / name}: {exc.strerror or exc}; free some space or "
                          f"choose another output folder (--out or {OUT_ENV})") from None
    finally:
        for tmp in staged.values():
            Path(tmp).unlink(missing_ok=True)
    return [out / name for name in order]
