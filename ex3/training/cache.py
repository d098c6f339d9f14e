"""The on-disk run cache: a trained run, keyed by protocol + data + code version.

Several claims share one training run, and a second invocation does not
retrain. Entries live outside the repository (the cache folder ``ex3.config``
names, by default the user cache folder). Each entry is written under a
temporary name and renamed into place, so a crash never leaves a partial
entry that looks complete, and it carries the sha256 of its files and the key it was stored under
(``ex3.training.entries``). An entry that fails verification, or that the
caller cannot restore, is reported in one line on stderr, removed and
recomputed; :func:`retrained_entries` lists those of this process, so a report
can say which runs were trained again and why. A file lock per key makes two
processes that ask for the same run train it once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filelock

from ex3 import config
from ex3.config import cache_dir
from ex3.errors import CacheError
from ex3.training import entries

if TYPE_CHECKING:
    import torch

#: The code every run depends on, relative to the package: every module of the training
#: package a run executes (the loop and its layouts, records and thread policy, splits,
#: seeding, the runner and the run's spec and restore; not this module and
#: ``entries``, which only store what a run produced), the stratified subsets a run's
#: split is drawn from, the model table (which loss a model trains with), the losses
#: (the autoencoder's own and those a run may name) and the initialisation; the model's
#: own module is added per run.
RUN_MODULES = ("training/loop.py", "training/layout.py", "training/records.py",
               "training/stacked.py", "training/threads.py", "training/splits.py",
               "training/seeding.py", "training/runner.py", "training/runs.py",
               "data/subsets.py", "models/registry.py", "models/keras_init.py",
               "models/losses.py")


@functools.cache
def code_version(model_source: Path) -> str:
    """A digest of the source that decides what a run computes.

    The training package's modules a run executes (:data:`RUN_MODULES`), the
    model table, the initialisation and the module that defines the model: editing an
    unrelated model or a message does not invalidate every cached run,
    editing anything a run executes does. Computed once per
    process, so the key describes the code this process loaded even if the
    files change on disk while it runs.
    """
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in [*(package / name for name in RUN_MODULES), model_source]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def run_key(spec: dict[str, Any], data_identity: str, model_source: Path) -> str:
    """The cache key of a run: its spec, the data's identity and the code version."""
    blob = json.dumps({"spec": spec, "data": data_identity,
                       "code": code_version(model_source)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def runs_dir() -> Path:
    return cache_dir() / "runs"


def cache_enabled() -> bool:
    """The run cache is on unless the environment turns it off (``ex3.config.cache_enabled``)."""
    return config.cache_enabled()


_FIX = (f"set {config.CACHE_DIR_ENV} to a writable folder, or {config.NO_CACHE_ENV}=1 to train "
        "without the cache")

#: Entries of this process that failed verification and were trained again, in order.
_RETRAINED: list[dict[str, str]] = []


def retrained_entries() -> list[dict[str, str]]:
    """``{"key", "reason"}`` of every entry this process found damaged and trained again."""
    return [dict(e) for e in _RETRAINED]


def record_retrained(key: str, reason: str) -> None:
    """Add an entry retrained elsewhere (a worker process) to :func:`retrained_entries`."""
    _RETRAINED.append({"key": key, "reason": reason})


def _blocking_file(root: Path) -> Path | None:
    """The nearest existing path at or above ``root`` when it is not a folder, else None."""
    for path in (root, *root.parents):
        if os.path.lexists(path):
            return None if path.is_dir() else path
    return None


def _origin() -> str:
    return f" (from {config.CACHE_DIR_ENV})" if config.cache_dir_from_env() else ""


def existing_runs_dir() -> Path:
    """The run cache folder's path; CacheError when it, or a folder above it, is a file."""
    root = runs_dir()
    blocker = _blocking_file(root)
    if blocker is not None:
        raise CacheError(f"run cache folder {root}{_origin()} cannot exist: {blocker} is a "
                         f"file, not a folder; {_FIX}")
    return root


def check_cache_dir() -> Path:
    """Create the run cache folder if needed and prove it writable; CacheError otherwise.

    Called before any training, so a cache folder that is a file, lies below a
    file or is read-only costs one line, not a run's worth of training.
    """
    root = existing_runs_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root, prefix=".probe."):
            pass
    except OSError as exc:
        raise CacheError(f"run cache folder {root}{_origin()} cannot be written "
                         f"({exc.strerror or exc}); {_FIX}") from None
    return root


def _discard(entry: Path, key: str, reason: str) -> None:
    """Report a damaged entry in one line, remember it and delete it."""
    print(f"ex3: run cache entry {key} is damaged ({reason}); removed it, training the run "
          "again", file=sys.stderr, flush=True)
    record_retrained(key, reason)
    try:
        entries.remove(entry)
    except OSError as exc:
        raise CacheError(f"cannot remove the damaged run cache entry {entry} "
                         f"({exc.strerror or exc}); delete it or run `ex3 cache clear`, "
                         f"or {_FIX}") from None


Meta = dict[str, Any]
State = dict[str, "torch.Tensor"]


def cached(key: str, compute: Callable[[], tuple[Meta, State]], enabled: bool = True,
           validate: Callable[[Meta, State], object] | None = None) -> tuple[Meta, State, bool]:
    """``compute()``'s (meta, state_dict), from the cache when present.

    Returns ``(meta, state, hit)``. With ``enabled=False`` it always computes
    and stores nothing. ``validate(meta, state)`` is called on an entry read
    from the cache: if it raises, the entry cannot be restored (a history
    without its fields, a state of another model) and is treated as damaged.
    """
    if not enabled:
        meta, state = compute()
        return meta, state, False
    root = check_cache_dir()
    entry = root / key
    with filelock.FileLock(str(root / f"{key}.lock")):
        entries.remove_leftovers(root, key)
        if os.path.lexists(entry):
            try:
                meta, state = entries.read_entry(entry, key)
                if validate is not None:
                    try:
                        validate(meta, state)
                    except Exception as exc:
                        raise entries.Damaged(f"it does not restore: {type(exc).__name__}: "
                                              f"{_summary(exc)}") from None
                return meta, state, True
            except entries.Damaged as exc:
                _discard(entry, key, str(exc))
        meta, state = compute()
        try:
            entries.write_entry(root, key, meta, state)
        except OSError as exc:
            raise CacheError(f"cannot write run cache entry {entry} ({exc.strerror or exc}); "
                             f"free some space, or {_FIX}") from None
        return meta, state, False


def _summary(exc: BaseException) -> str:
    """The first two lines of an exception's message, as one (load_state_dict's first line
    only says that something did not fit)."""
    lines = [line.strip() for line in str(exc).strip().splitlines()[:2]]
    return " ".join(lines)[:200] or "no message"


def clear() -> tuple[list[entries.EntryInfo], list[str]]:
    """Remove every entry (and writers' leftovers); the entries removed, and the keys kept.

    Each entry is removed under its key's lock, so a run another process is
    training right now is kept (its key is returned) rather than pulled from
    under it. The lock files stay: deleting one while a process waits on it
    would let two processes train the same run.
    """
    root = runs_dir()
    removed: list[entries.EntryInfo] = []
    busy: list[str] = []
    keys = {p.name for p in entries.entry_paths(root)}
    keys |= {p.name[1:].split(".")[0] for p in root.glob(".*.*") if p.is_dir()}
    for key in sorted(keys):
        try:
            with filelock.FileLock(str(root / f"{key}.lock"), timeout=0):
                entries.remove_leftovers(root, key)
                entry = root / key
                if os.path.lexists(entry):
                    info = entries.describe(entry)
                    entries.remove(entry)
                    removed.append(info)
        except filelock.Timeout:
            busy.append(key)
        except OSError as exc:
            raise CacheError(f"cannot remove run cache entry {root / key} "
                             f"({exc.strerror or exc}); fix the folder's permissions or "
                             "delete it by hand") from None
    return removed, busy
