"""Fetching the official files with torchvision, only when asked for."""

from __future__ import annotations

from pathlib import Path

from ex3.config import DATA_DIR_ENV
from ex3.errors import DataError


def fetch_official(root: Path) -> None:
    """Fetch the four raw files with torchvision; any network failure becomes a DataError."""
    from torchvision.datasets import MNIST

    class _RawOnlyMNIST(MNIST):
        # torchvision would skip the download when legacy processed/*.pt files exist;
        # ex3 reads only the raw files, so they must be fetched regardless.
        def _check_legacy_exist(self) -> bool:
            return False

    try:
        root.mkdir(parents=True, exist_ok=True)
        for train in (True, False):
            _RawOnlyMNIST(root=str(root), train=train, download=True)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(
            f"Downloading MNIST into {root} failed ({first}), most likely because this machine "
            f"has no network; copy the four official IDX files into {root / 'MNIST' / 'raw'}, "
            f"or pass data_dir / set {DATA_DIR_ENV} to a folder that holds them, or load "
            "without download to use the bundled sample."
        ) from exc
