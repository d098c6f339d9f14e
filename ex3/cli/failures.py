"""How the ``ex3`` command ends when something other than a verdict goes wrong.

A CI job reads the exit code, so each kind of ending has its own (see
``ex3.cli``): a user's mistake is one line and 2, Ctrl-C 130, SIGTERM 143
(128 + the signal, as shells report it), and a bug 3, with the traceback kept
in a log file rather than dumped on the terminal, where it would bury the one
line that says what happened.
"""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from ex3.errors import Terminated

EXIT_INTERNAL, EXIT_SIGINT, EXIT_SIGTERM = 3, 130, 143


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while the block runs, so it unwinds like Ctrl-C.

    Workers are stopped and temporary files removed on the way out, as for a
    KeyboardInterrupt. Only the main thread can install a handler; elsewhere
    (a test runner's thread) SIGTERM keeps its meaning.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _log_folders() -> list[Path]:
    from ex3.config import cache_dir

    return [cache_dir() / "logs", Path(tempfile.gettempdir())]


def write_crash_log(exc: BaseException, argv: list[str]) -> Path | None:
    """Write the traceback of ``exc`` to a new log file; its path, or None if none could be."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    text = (f"ex3 {' '.join(argv)}\nPython {platform.python_version()} on {platform.platform()}\n"
            f"at {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n\n"
            + "".join(traceback.format_exception(exc)))
    for folder in _log_folders():
        path = folder / f"ex3-crash-{stamp}-{os.getpid()}.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError:
            continue
        return path
    return None


def report_internal_error(exc: BaseException, argv: list[str]) -> int:
    """One line on stderr naming the error and the log that holds its traceback; exit code 3."""
    text = str(exc).strip()
    what = type(exc).__name__ + (f": {text.splitlines()[0][:300]}" if text else "")
    log = write_crash_log(exc, argv)
    where = (f"the traceback is in {log}" if log is not None
             else "no log file could be written")
    print(f"ex3: internal error: {what}; {where}; this is a bug in ex3, please report it "
          "with that log", file=sys.stderr)
    return EXIT_INTERNAL
