"""What ``ex3 data`` reports: the files :func:`~ex3.data.mnist.load_mnist` would use.

Unlike loading, a diagnosis never stops at the first damaged file, so that
one listing shows everything that is wrong.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from ex3.data import files
from ex3.data.official import FILE_FIX, OFFICIAL_FILES
from ex3.data.sample import MNIST_ATTRIBUTION, SAMPLE_PATH, sample_fix
from ex3.data.sources import cache_complete, cache_root, explicit_dir, resolve_raw_dir
from ex3.errors import DataError


def _describe_file(path: Path, source: str) -> dict[str, Any]:
    """Report one official file without raising, so a diagnosis can list every problem."""
    size, sha = OFFICIAL_FILES[path.name]
    entry: dict[str, Any] = {
        "source": source,
        "file": path.name,
        "path": str(path),
        "size": None,
        "sha256": None,
        "expected_size": size,
        "expected_sha256": sha,
        "official": False,
        "problem": None,
    }
    try:
        found = files.kind(path, "MNIST file")
        if found == files.MISSING:
            gz = files.present(path.with_name(path.name + ".gz"))
            entry["problem"] = "missing (a .gz copy is beside it: gunzip it)" if gz else "missing"
            return entry
        if found != files.FILE:
            entry["problem"] = f"{found}, not a regular file"
            return entry
        entry["size"] = path.stat().st_size
        entry["sha256"] = files.sha256_regular(path, "MNIST file", FILE_FIX)
    except files.Unreadable as exc:
        entry["problem"] = f"unreadable: {exc.reason}"
        return entry
    except OSError as exc:
        entry["problem"] = f"unreadable: {exc.strerror or exc}"
        return entry
    entry["official"] = entry["size"] == size and entry["sha256"] == sha
    if not entry["official"]:
        entry["problem"] = "size differs" if entry["size"] != size else "sha256 differs"
    return entry


def describe_source(data_dir: str | os.PathLike[str] | None = None,
                    origin: str | None = None) -> list[dict[str, Any]]:
    """Describe the files :func:`load_mnist` would use (without downloading), one dict each.

    For a folder (explicit or the cache): ``source``, ``file``, ``path``,
    ``size``, ``sha256``, ``expected_size``, ``expected_sha256``, ``official``
    and ``problem`` (None when the file is the official one). Damaged files
    are reported, not raised, so that one listing shows everything wrong. For
    the bundled sample: ``source``, ``file``, ``path``, ``size``, ``sha256``,
    ``official`` (False), ``attribution`` and ``licence``. A missing or
    wrongly laid out explicit folder still raises DataError (naming ``data_dir``
    by ``origin``, as :func:`load_mnist` does).
    """
    explicit = explicit_dir(data_dir, origin)
    if explicit is not None:
        raw_dir = resolve_raw_dir(*explicit)
        return [_describe_file(raw_dir / n, "directory") for n in OFFICIAL_FILES]
    root = cache_root()
    if cache_complete(root):
        return [_describe_file(root / "MNIST" / "raw" / n, "cache") for n in OFFICIAL_FILES]
    entry: dict[str, Any] = {
        "source": "sample",
        "file": SAMPLE_PATH.name,
        "path": str(SAMPLE_PATH),
        "size": None,
        "sha256": None,
        "official": False,
        "attribution": MNIST_ATTRIBUTION,
        "licence": "CC BY-SA 3.0",
    }
    try:
        entry["size"] = SAMPLE_PATH.stat().st_size
        with open(SAMPLE_PATH, "rb") as handle:
            entry["sha256"] = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise DataError(
            f"The bundled MNIST sample {SAMPLE_PATH} cannot be read ({exc.strerror or exc}); "
            f"{sample_fix()}."
        ) from exc
    return [entry]
