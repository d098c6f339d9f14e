"""One run-cache entry on disk: its format, how it is written and how it is verified.

An entry is a folder ``<runs>/<key>/`` holding ``meta.json`` (the run's
history and spec), ``model.pt`` (the trained state_dict) and ``entry.json``,
which records the key the entry was stored under and the size and sha256 of
the other two files. A verdict is computed from what an entry holds, so an
entry must not be able to lie: one whose files were edited, truncated,
swapped for another run's or copied under another key fails
:func:`read_entry`, and the caller retrains the run. The checksums catch
damage and edits made without rewriting ``entry.json``; they are not a
signature against someone who rewrites the manifest too (that still fails when
the state does not fit the model, see ``ex3.training.runs``).

Only regular files are read, so a FIFO planted in an entry cannot hang a run.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

MANIFEST, META, MODEL = "entry.json", "meta.json", "model.pt"
#: The version of the entry format written in the manifest; another version is not read.
FORMAT = 1


class Damaged(Exception):
    """An entry that fails verification; the message says what is wrong with it."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    return "not a regular file"


def _read_regular(path: Path) -> bytes:
    """The bytes of ``path``, refusing anything but a regular file (a FIFO would block)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise Damaged(f"{path.name} is missing") from None
    except OSError as exc:
        raise Damaged(f"{path.name} cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(mode):
        raise Damaged(f"{path.name} is {_kind(mode)}")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise Damaged(f"{path.name} is not a regular file")
            return handle.read()
    except OSError as exc:
        raise Damaged(f"{path.name} cannot be read ({exc.strerror or exc})") from None


def _manifest(entry: Path, key: str) -> dict[str, Any]:
    """The entry's manifest, checked for its format and the key it was stored under."""
    if not os.path.lexists(entry / MANIFEST):
        raise Damaged(f"{MANIFEST} is missing (an entry without checksums, e.g. written by an "
                      "earlier ex3)")
    try:
        manifest = json.loads(_read_regular(entry / MANIFEST))
    except ValueError:
        raise Damaged(f"{MANIFEST} is not valid JSON") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if (not isinstance(files, dict) or set(files) != {META, MODEL}
            or not all(isinstance(f, dict) for f in files.values())):
        raise Damaged(f"{MANIFEST} does not list {META} and {MODEL} with their checksums")
    if manifest.get("format") != FORMAT:
        raise Damaged(f"{MANIFEST} has format {manifest.get('format')!r}, not {FORMAT}")
    if manifest.get("key") != key:
        raise Damaged(f"it was stored under key {manifest.get('key')!r}, not {key!r}")
    return manifest


def _verified(entry: Path, name: str, manifest: dict[str, Any]) -> bytes:
    """The bytes of ``entry/name`` once their size and sha256 match the manifest."""
    data = _read_regular(entry / name)
    expected = manifest["files"][name]
    stored = expected.get("bytes")
    if len(data) != stored:
        stored_text = f"{stored:,}" if isinstance(stored, int) else repr(stored)
        raise Damaged(f"{name} is {len(data):,} bytes, not the {stored_text} bytes recorded "
                      f"in {MANIFEST}")
    if hashlib.sha256(data).hexdigest() != expected.get("sha256"):
        raise Damaged(f"the sha256 of {name} differs from the one recorded in {MANIFEST} "
                      "(edited or damaged)")
    return data


def _read(entry: Path, key: str) -> tuple[dict[str, Any], bytes]:
    """The meta document and the model bytes of an entry that passes every check."""
    if not entry.is_dir():
        raise Damaged("it is not a folder")
    manifest = _manifest(entry, key)
    model = _verified(entry, MODEL, manifest)
    try:
        meta = json.loads(_verified(entry, META, manifest))
    except ValueError:
        raise Damaged(f"{META} is not valid JSON") from None
    if not isinstance(meta, dict):
        raise Damaged(f"{META} is not a JSON object")
    return meta, model


def verify_entry(entry: Path, key: str | None = None) -> dict[str, Any]:
    """The entry's ``meta.json`` document once every check passes; Damaged otherwise.

    ``key`` defaults to the folder's name: an entry is valid only under the
    key it was stored under. Reads no tensors, so it needs no torch.
    """
    return _read(entry, key or entry.name)[0]


def read_entry(entry: Path, key: str) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """``(meta, state_dict)`` of a verified entry; Damaged when any check fails.

    The state is loaded from the very bytes that were hashed, so nothing can
    change between the check and the load.
    """
    import torch

    meta, model = _read(entry, key)
    try:
        state = torch.load(io.BytesIO(model), map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a file it cannot unpickle
        raise Damaged(f"{MODEL} cannot be loaded ({type(exc).__name__})") from None
    if not isinstance(state, dict):
        raise Damaged(f"{MODEL} does not hold a state_dict")
    return meta, state


def write_entry(root: Path, key: str, meta: dict[str, Any],
                state: dict[str, torch.Tensor]) -> Path:
    """Store ``(meta, state)`` as ``root/key``: written under a temporary name, then renamed.

    A crash at any point leaves at most a ``.<key>.*`` folder, which is never
    read as an entry and is removed by the next writer of that key.
    """
    import torch

    buffer = io.BytesIO()
    torch.save(state, buffer)
    files = {META: json.dumps(meta).encode(), MODEL: buffer.getvalue()}
    manifest = {"format": FORMAT, "key": key,
                "files": {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                          for name, data in files.items()}}
    files[MANIFEST] = json.dumps(manifest, indent=1).encode()
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".{key}."))
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        tmp.rename(root / key)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return root / key


def remove(path: Path) -> None:
    """Delete an entry (or whatever stands in its place); OSError when it cannot be deleted."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def remove_leftovers(root: Path, key: str) -> None:
    """Delete the temporary folders of ``key`` that an interrupted writer left behind.

    Call only while holding the key's lock: then nobody is writing them.
    """
    for tmp in root.glob(f".{key}.*"):
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass(frozen=True)
class EntryInfo:
    """What ``ex3 cache list`` shows of one entry."""

    key: str
    path: Path
    size: int
    model: str | None
    problem: str | None

    @property
    def verified(self) -> bool:
        return self.problem is None


def _size(path: Path) -> int:
    """Bytes under ``path``, counting files only and following no link."""
    if not path.is_dir() or path.is_symlink():
        return path.lstat().st_size
    return sum((Path(d) / f).lstat().st_size for d, _, names in os.walk(path) for f in names)


def _model_of(meta: object) -> str | None:
    spec = meta.get("spec") if isinstance(meta, dict) else None
    model = spec.get("model") if isinstance(spec, dict) else None
    return model if isinstance(model, str) else None


def describe(entry: Path) -> EntryInfo:
    """An entry's key, size, model and the reason it fails verification (None when it passes).

    The model of a damaged entry is read from its ``meta.json`` where that
    still parses, as a hint only.
    """
    problem = model = None
    try:
        model = _model_of(verify_entry(entry))
    except Damaged as exc:
        problem = str(exc)
        try:
            model = _model_of(json.loads(_read_regular(entry / META)))
        except (Damaged, ValueError):
            model = None
    try:
        size = _size(entry)
    except OSError:
        size = 0
    return EntryInfo(entry.name, entry, size, model, problem)


def entry_paths(root: Path) -> list[Path]:
    """Every entry under ``root``: all names but lock files and temporary ``.`` folders."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir()
                  if not p.name.startswith(".") and not p.name.endswith(".lock"))
