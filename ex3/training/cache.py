"""The on-disk run cache: a trained run, keyed by protocol + data + code version.

Several claims share one training run, and a second invocation does not
retrain. Entries live outside the repository (``EX3_CACHE_DIR`` or the user
cache folder). Each entry is a folder written under a temporary name and
renamed into place, so a crash never leaves a partial entry that looks
complete; an entry that fails to load is deleted and recomputed. A file lock
per key makes two processes that ask for the same run train it once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import filelock
import torch

from ex3.config import cache_dir

#: The code every run depends on, relative to the package: the loop, splits, seeding, the
#: model table (which loss a model trains with) and the initialisation; the model's own
#: module is added per run.
_RUN_MODULES = ("training/loop.py", "training/splits.py", "training/seeding.py",
                "models/registry.py", "models/keras_init.py")


@functools.cache
def code_version(model_source: Path) -> str:
    """A digest of the source that decides what a run computes.

    The training loop, the split builder, seeding, the model table, the
    initialisation and the module that defines the model: editing an
    unrelated model or a message does not invalidate every cached run,
    editing anything a run executes does. Computed once per
    process, so the key describes the code this process loaded even if the
    files change on disk while it runs.
    """
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in [*(package / name for name in _RUN_MODULES), model_source]:
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


def _load(entry: Path) -> tuple[dict[str, Any], dict[str, torch.Tensor]] | None:
    try:
        meta = json.loads((entry / "meta.json").read_text())
        state = torch.load(entry / "model.pt", map_location="cpu", weights_only=True)
    except (OSError, ValueError, RuntimeError, EOFError, KeyError, pickle.UnpicklingError):
        return None
    return meta, state


def cached(key: str, compute: Callable[[], tuple[dict[str, Any], dict[str, torch.Tensor]]],
           enabled: bool = True) -> tuple[dict[str, Any], dict[str, torch.Tensor], bool]:
    """``compute()``'s (meta, state_dict), from the cache when present.

    Returns ``(meta, state, hit)``. With ``enabled=False`` it always computes
    and stores nothing.
    """
    if not enabled:
        meta, state = compute()
        return meta, state, False
    root = runs_dir()
    root.mkdir(parents=True, exist_ok=True)
    entry = root / key
    with filelock.FileLock(str(root / f"{key}.lock")):
        if entry.exists():
            loaded = _load(entry)
            if loaded is not None:
                return loaded[0], loaded[1], True
            shutil.rmtree(entry, ignore_errors=True)
        meta, state = compute()
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".{key}."))
        try:
            (tmp / "meta.json").write_text(json.dumps(meta))
            torch.save(state, tmp / "model.pt")
            tmp.rename(entry)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return meta, state, False
