"""Atomic file writes: a crash never leaves a half-written file that looks complete."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ex3.config import OUT_ENV
from ex3.errors import OutputError


def ensure_writable_dir(path: Path) -> Path:
    """Create ``path`` if needed and check it can be written; OutputError otherwise."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder {path}: {exc.strerror}; "
                          f"choose another folder (--out or {OUT_ENV})") from None
    if not path.is_dir() or not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"output folder {path} is not a writable folder; "
                          f"choose another folder (--out or {OUT_ENV}) or fix its permissions")
    return path


def stage(folder: Path, name: str, data: bytes | str) -> str:
    """Write ``data`` to a fresh temporary file in ``folder``, on disk (fsync); its path.

    The caller renames it into place, so a reader never sees a half-written file.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide the outputs from other readers
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    ensure_writable_dir(path.parent)
    tmp = stage(path.parent, path.name, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
