"""The one MNIST entry point: find the data, verify it, decode it into tensors.

Every claim in the report is about MNIST, so whether a verdict means anything
depends on the data being the official files, whole and unaltered. This module
therefore reads the raw IDX files itself (torchvision is used only to download
them), checks each against its published size and SHA-256, and turns every
problem into a :class:`~ex3.errors.DataError` that names the file, what was
expected and the fix.

Sources, first match wins:

1. ``data_dir`` or the data-folder environment variable (read through
   ``ex3.config``): a torchvision root
   (a folder holding ``MNIST/raw/<4 files>``), the ``MNIST`` folder, the raw
   folder, or any folder directly holding the four files. A wrong explicit
   folder is an error, never a silent fallback, so a typo cannot quietly turn a
   full-data run into a sample run.
2. The ex3 user cache (``platformdirs.user_cache_dir("ex3")/mnist``, or
   ``mnist`` in the cache folder ``ex3.config`` names), used only when all four files are there.
3. With ``download=True``: torchvision downloads into that cache.
4. The small bundled sample (3,000 train / 1,000 test images), so that tests
   and demonstrations run without the 55 MB download.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ex3.config import DATA_DIR_ENV
from ex3.data.decode import Decoded, file_stamp, load_official, short_digest
from ex3.data.download import fetch_official
from ex3.data.official import (
    TEST_IMAGES,
    TEST_LABELS,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    read_official_dir,
)
from ex3.data.sample import SAMPLE_PATH, decode_sample
from ex3.data.sources import (
    ARGUMENT,
    cache_complete,
    cache_root,
    explicit_dir,
    resolve_raw_dir,
)
from ex3.data.subsets import normalise_count, stratified_indices
from ex3.errors import DataError, UsageError

__all__ = ["MnistData", "load_mnist", "read_official_arrays"]


@dataclass(frozen=True, eq=False, repr=False)
class MnistData:
    """Both MNIST splits as whole tensors, plus where they came from.

    ``eq=False`` because comparing or hashing tensors element-wise is never
    what is wanted; ``identity`` is the cheap, exact stand-in for equality and
    is meant for run-cache keys. The tensors may be shared with the in-process
    cache, so treat them as read-only (copy before modifying in place).
    """

    train_x: torch.Tensor
    """float32 [N, 1, 28, 28], pixels in [0, 1]."""
    train_y: torch.Tensor
    """int64 [N], digits 0..9."""
    test_x: torch.Tensor
    test_y: torch.Tensor
    source: str
    """One human-readable line: where the data came from and how it was checked."""
    kind: str
    """"full" (the official files) or "sample" (the bundled subset)."""
    identity: str
    """Short hex digest of the exact data, changing with any subset taken."""

    def __repr__(self) -> str:
        return (
            f"MnistData(kind={self.kind!r}, train={tuple(self.train_x.shape)}, "
            f"test={tuple(self.test_x.shape)}, identity={self.identity!r}, "
            f"source={self.source!r})"
        )

    def subset(self, n_train: int | None, n_test: int | None, seed: int) -> MnistData:
        """A stratified random subset: each class keeps its share, chosen with ``seed``.

        Stratification keeps small subsets from being accidentally unbalanced,
        so that a claim checked on a subset is not confounded by class mix.
        ``None`` (or the whole split's size) keeps a split whole. Selected
        examples keep their original order. The identity records the subset
        sizes and seed, so cached runs on different subsets never collide.
        """
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise UsageError(f"subset seed must be a non-negative integer, not {seed!r}.")
        n_train = normalise_count(n_train, len(self.train_y), "train", self.kind, self.source)
        n_test = normalise_count(n_test, len(self.test_y), "test", self.kind, self.source)
        if n_train is None and n_test is None:
            return self
        train_x, train_y = self.train_x, self.train_y
        if n_train is not None:
            idx = stratified_indices(train_y.numpy(), n_train, np.random.default_rng([seed, 0]))
            train_x, train_y = train_x[idx], train_y[idx]
        test_x, test_y = self.test_x, self.test_y
        if n_test is not None:
            idx = stratified_indices(test_y.numpy(), n_test, np.random.default_rng([seed, 1]))
            test_x, test_y = test_x[idx], test_y[idx]
        tag = f"{self.identity}|subset|train={n_train}|test={n_test}|seed={seed}"
        return dataclasses.replace(
            self,
            train_x=train_x,
            train_y=train_y,
            test_x=test_x,
            test_y=test_y,
            source=(
                f"{self.source}; stratified subset of {len(train_y):,} train / "
                f"{len(test_y):,} test images (seed {seed})"
            ),
            identity=short_digest(tag.encode()),
        )


def _from_decoded(d: Decoded, source: str) -> MnistData:
    return MnistData(
        train_x=d.train_x,
        train_y=d.train_y,
        test_x=d.test_x,
        test_y=d.test_y,
        source=source,
        kind="full",
        identity=d.identity,
    )


def _load_sample() -> MnistData:
    d = decode_sample(str(SAMPLE_PATH), file_stamp([SAMPLE_PATH]))
    return MnistData(
        train_x=d.train_x,
        train_y=d.train_y,
        test_x=d.test_x,
        test_y=d.test_y,
        source=(
            f"bundled sample ({len(d.train_y):,} train / {len(d.test_y):,} test images; set "
            f"{DATA_DIR_ENV} or use download for the full MNIST)"
        ),
        kind="sample",
        identity=d.identity,
    )


def _load_cache(root: Path) -> MnistData:
    """Load the download cache; a damaged cache is an error that says how to refresh it."""
    try:
        d = load_official(root / "MNIST" / "raw")
    except DataError as exc:
        raise DataError(
            f"{str(exc).rstrip('.')}; this copy is in the ex3 download cache, so deleting {root} "
            f"and loading with download again also fixes it."
        ) from exc
    return _from_decoded(d, f"ex3 cache {root} (official MNIST, sha256 verified)")


def load_mnist(data_dir: str | os.PathLike[str] | None = None, download: bool = False,
               origin: str | None = None) -> MnistData:
    """Load MNIST from the first available source (see the module docstring for the order).

    Decoded data is cached in-process per folder, so several claims checked in
    one process read and hash the 55 MB only once. Every problem raises
    :class:`~ex3.errors.DataError` with the file, the expectation and the fix;
    ``origin`` is how that message names ``data_dir`` (``--data-dir DIR``).
    """
    explicit = explicit_dir(data_dir, origin)
    if explicit is not None:
        root, origin = explicit
        raw_dir = resolve_raw_dir(root, origin)
        return _from_decoded(
            load_official(raw_dir), f"directory {root} (official MNIST, sha256 verified)"
        )
    root = cache_root()
    if cache_complete(root):
        return _load_cache(root)
    if download:
        fetch_official(root)
        if not cache_complete(root):
            raise DataError(
                f"Downloading MNIST into {root} finished but the four raw files are not all in "
                f"{root / 'MNIST' / 'raw'}; delete {root} and try again, or set {DATA_DIR_ENV} "
                "to a folder holding the official files."
            )
        return _load_cache(root)
    return _load_sample()


def read_official_arrays(data_dir: str | os.PathLike[str], origin: str | None = None
                         ) -> dict[str, np.ndarray]:
    """Read the verified official files under ``data_dir`` as uint8 arrays.

    Returns ``train_x`` [60000, 28, 28], ``train_y`` [60000], ``test_x``,
    ``test_y`` in the files' own dtype, for tools (such as the sample builder)
    that need the raw pixels rather than float tensors. ``data_dir`` accepts
    the same layouts as :func:`load_mnist`; ``origin`` names where it came
    from in error messages (as for :func:`load_mnist`).
    """
    raw_dir = resolve_raw_dir(Path(data_dir).expanduser(), origin or ARGUMENT)
    arrays, _ = read_official_dir(raw_dir)
    return {
        "train_x": arrays[TRAIN_IMAGES],
        "train_y": arrays[TRAIN_LABELS],
        "test_x": arrays[TEST_IMAGES],
        "test_y": arrays[TEST_LABELS],
    }
