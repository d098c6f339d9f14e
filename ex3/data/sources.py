"""Where the MNIST files are: an explicit folder (argument or environment) or the cache.

A wrong explicit folder is an error that names where it came from, never a
silent fallback, so a typo cannot quietly turn a full-data run into a sample
run.
"""

from __future__ import annotations

import os
from pathlib import Path

from ex3 import config
from ex3.config import DATA_DIR_ENV
from ex3.data import files
from ex3.data.official import OFFICIAL_FILES
from ex3.errors import DataError


def cache_root() -> Path:
    """The torchvision root used as the download cache (``mnist`` in ``ex3.config.cache_dir``)."""
    return config.cache_dir() / "mnist"


#: How messages name a folder passed in code, when the caller does not say where it came from.
ARGUMENT = "the data_dir argument"


def explicit_dir(data_dir: str | os.PathLike[str] | None,
                 origin: str | None) -> tuple[Path, str] | None:
    """The explicitly requested folder and where the request came from, if any.

    ``origin`` is the caller's name for ``data_dir`` (``--data-dir DIR``); the
    environment's folder is named as it was set (``NAME=DIR``, ``ex3.config``), so an
    error points at what the user actually typed.
    """
    if data_dir is not None and str(data_dir).strip():  # "" means unset, as for the variable
        return Path(data_dir).expanduser(), origin or ARGUMENT
    env = config.data_dir_from_env()
    if env is not None:
        return Path(env.value).expanduser(), env.origin
    return None


def _layout_hints(root: Path) -> str:
    """Explain near misses (compressed files, torchvision's legacy .pt files) in a layout error."""
    hints = []
    folders = [root / "MNIST" / "raw", root / "raw", root]
    gz = [f / (n + ".gz") for f in folders for n in OFFICIAL_FILES
          if files.present(f / (n + ".gz"))]
    if gz:
        hints.append(
            f" It holds compressed files such as {gz[0]}; decompress them (gunzip) in place."
        )
    legacy = [root / "MNIST" / "processed", root / "processed"]
    if any(files.present(f / "training.pt") or files.present(f / "test.pt") for f in legacy):
        hints.append(
            " It holds only torchvision's processed training.pt/test.pt files, which ex3 does "
            "not read because they cannot be checked against the official hashes; supply the "
            "raw IDX files."
        )
    return "".join(hints)


def resolve_raw_dir(root: Path, origin: str) -> Path:
    """Find the folder holding the four files under an explicitly given folder.

    Accepts a torchvision root, its ``MNIST`` folder, or the raw folder itself,
    because users point at any of the three. A folder with some but not all of
    the files is returned so that the per-file check can name the missing one.
    """
    unset = (
        f"unset {DATA_DIR_ENV} to use the bundled sample"
        if DATA_DIR_ENV in origin
        else "pass no data folder to use the bundled sample"
    )
    what = f"MNIST data folder {root} (from {origin})"
    found = files.kind(root, "MNIST data folder")
    if found == files.MISSING:
        raise DataError(
            f"{what} does not exist; a folder containing MNIST/raw/ with the four official IDX "
            f"files was expected: fix the path, or {unset}."
        )
    if found in (files.LOOP, files.BROKEN_LINK):
        raise DataError(f"{what} is {found}; fix the link or pass the real folder, or {unset}.")
    if found != files.FOLDER:
        kind = "a file" if found == files.FILE else found
        raise DataError(
            f"{what} is {kind}, not a folder; pass the folder that contains MNIST/raw/ with the "
            f"four official IDX files, or {unset}."
        )
    candidates = []
    for folder in (root / "MNIST" / "raw", root / "raw", root):
        found = files.kind(folder, "MNIST folder")
        if found in (files.LOOP, files.BROKEN_LINK):
            raise DataError(f"MNIST folder {folder} is {found}; fix the link, or {unset}.")
        if found == files.FOLDER:
            candidates.append(folder)
    for folder in candidates:
        if all(files.kind(folder / n, "MNIST file") != files.MISSING for n in OFFICIAL_FILES):
            return folder
    for folder in candidates:
        if any(files.kind(folder / n, "MNIST file") != files.MISSING for n in OFFICIAL_FILES):
            return folder
    raise DataError(
        f"{what} does not have the expected layout: none of "
        f"the official files {', '.join(OFFICIAL_FILES)} is in {root / 'MNIST' / 'raw'} or "
        f"{root}; pass the parent of MNIST/ (a torchvision root) or the folder holding the four "
        f"files, or {unset}.{_layout_hints(root)}"
    )


def cache_complete(root: Path) -> bool:
    """True when the download cache holds all four files (a folder that cannot be searched
    is a DataError naming it, not a traceback)."""
    raw = root / "MNIST" / "raw"
    return all(files.kind(raw / n, "MNIST file") == files.FILE for n in OFFICIAL_FILES)
