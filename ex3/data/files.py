"""Looking at and reading data files without ever blocking or crashing on odd ones.

``Path.exists()`` raises on a folder that cannot be searched, calls a symbolic
link loop "missing", and ``open()`` on a FIFO waits forever for a writer. The
data source resolution asks these questions of folders a user named, so it
asks them here: :func:`kind` names what is at a path, :func:`read_regular`
reads only regular files (a FIFO is refused without being opened), and every
failure is a :class:`~ex3.errors.DataError` that says what to fix.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from ex3.errors import DataError

FILE, FOLDER, MISSING = "file", "folder", "missing"
LOOP, BROKEN_LINK = "a symbolic link loop", "a symbolic link to nothing"


class Unreadable(DataError):
    """A path that exists but cannot be looked at or read; ``reason`` says why, in a few words."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def kind(path: Path, what: str = "MNIST path") -> str:
    """What is at ``path``: FILE, FOLDER, MISSING, LOOP, BROKEN_LINK or a special file's kind.

    Only looks (``stat``), never opens. A folder on the way that cannot be
    searched is a DataError naming that folder and the fix.
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return BROKEN_LINK if os.path.islink(path) else MISSING
    except PermissionError:
        folder = path.parent
        raise Unreadable(f"folder {folder} cannot be searched (permission denied), so {what} "
                         f"{path} cannot be checked; make the folder readable "
                         f"(e.g. chmod a+rx {folder})", "permission denied") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return LOOP
        reason = exc.strerror or str(exc)
        raise Unreadable(f"{what} {path} cannot be looked at ({reason}); check the path",
                         reason) from None
    if stat.S_ISREG(mode):
        return FILE
    if stat.S_ISDIR(mode):
        return FOLDER
    return _special(mode)


def present(path: Path) -> bool:
    """True when anything at all is at ``path`` (for "found k of 4 files"); never raises."""
    try:
        return kind(path) != MISSING
    except DataError:
        return False


def _open_regular(path: Path, what: str, fix: str) -> int:
    """A read-only descriptor of ``path``, which must be a regular file."""
    found = kind(path, what)
    if found == MISSING:
        raise DataError(f"{what} {path} does not exist; {fix}.")
    if found == FOLDER:
        raise DataError(f"{what} {path} is a folder, not a file; {fix}.")
    if found != FILE:
        raise DataError(f"{what} {path} is {found}, not a regular file, so it is not read; "
                        f"{fix}.")
    try:
        # O_NONBLOCK: should a FIFO replace the file after the check, open() does not wait.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except PermissionError:
        raise Unreadable(f"{what} {path} exists but cannot be read (permission denied); make it "
                         f"readable (e.g. chmod a+r {path}) or {fix}.",
                         "permission denied") from None
    except OSError as exc:
        raise _unreadable(path, what, fix, exc) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise DataError(f"{what} {path} is not a regular file, so it is not read; {fix}.")
    return fd


def read_regular(path: Path, what: str, fix: str) -> bytes:
    """The whole of a regular file; DataError (with ``fix``) for anything else or any failure."""
    fd = _open_regular(path, what, fix)
    try:
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise _unreadable(path, what, fix, exc) from None


def sha256_regular(path: Path, what: str, fix: str) -> str:
    """The sha256 of a regular file, read in chunks; DataError as :func:`read_regular`."""
    fd = _open_regular(path, what, fix)
    try:
        with os.fdopen(fd, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise _unreadable(path, what, fix, exc) from None


def _unreadable(path: Path, what: str, fix: str, exc: OSError) -> Unreadable:
    reason = exc.strerror or str(exc)
    return Unreadable(f"{what} {path} could not be read ({reason}); {fix}.", reason)
