"""The four official MNIST files: their names, sizes and SHA-256, and the checks on them.

Whether a verdict means anything depends on the data being the official
files, whole and unaltered, so each file is checked against its published
size and hash and each split against MNIST's shape before it is used.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ex3.config import DATA_DIR_ENV
from ex3.data import files
from ex3.data.idx import parse_idx, read_bytes
from ex3.errors import DataError

TRAIN_IMAGES = "train-images-idx3-ubyte"

TRAIN_LABELS = "train-labels-idx1-ubyte"

TEST_IMAGES = "t10k-images-idx3-ubyte"

TEST_LABELS = "t10k-labels-idx1-ubyte"

#: The four official MNIST files: name -> (size in bytes, SHA-256 of the uncompressed file).
OFFICIAL_FILES: dict[str, tuple[int, str]] = {
    TRAIN_IMAGES: (
        47040016,
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    TRAIN_LABELS: (
        60008,
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    TEST_IMAGES: (
        7840016,
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    TEST_LABELS: (
        10008,
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
}

IMAGE_SIDE = 28

N_CLASSES = 10

FILE_FIX = "re-copy or re-download the official MNIST file"

_SPLITS = {
    "train": (TRAIN_IMAGES, TRAIN_LABELS),
    "test": (TEST_IMAGES, TEST_LABELS),
}


def _read_official(raw_dir: Path, name: str) -> tuple[np.ndarray, str]:
    """Read one official file, checking existence, readability, size, header and SHA-256.

    The checks run in that order so that the message describes the most basic
    thing that is wrong: a short file is reported as truncated, not as a hash
    mismatch, and a well-formed but altered file is still caught by the hash.
    Returns the decoded array and the file's SHA-256.
    """
    size, sha = OFFICIAL_FILES[name]
    path = raw_dir / name
    if files.kind(path, "MNIST file") == files.MISSING:
        found = [n for n in OFFICIAL_FILES if files.present(raw_dir / n)]
        gz = path.with_name(name + ".gz")
        if files.present(gz):
            raise DataError(
                f"MNIST file {path} is missing, but its compressed copy {gz} is there (found "
                f"{len(found)} of the 4 official files in {raw_dir}); decompress it in place "
                f"(gunzip {gz})."
            )
        raise DataError(
            f"MNIST file {path} is missing (found {len(found)} of the 4 official files in "
            f"{raw_dir}); copy {name} from the official MNIST distribution into that folder, "
            f"or unset {DATA_DIR_ENV} and pass no data folder to use the bundled sample."
        )
    data = read_bytes(path, "MNIST file", FILE_FIX)
    if len(data) != size:
        problem = "truncated" if len(data) < size else "longer than the official file"
        raise DataError(
            f"MNIST file {path} is {len(data):,} bytes but the official {name} is {size:,} "
            f"bytes, so it is {problem} or not the official file; {FILE_FIX}."
        )
    kind = "images" if "images" in name else "labels"
    array = parse_idx(data, str(path), kind=kind)
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha:
        raise DataError(
            f"MNIST file {path} has SHA-256 {actual} but the official {name} has {sha}, so its "
            f"contents are corrupt or altered; {FILE_FIX}."
        )
    return array, actual


def check_split(images: np.ndarray, labels: np.ndarray, images_name: str, labels_name: str) -> None:
    """Check that an image array and a label array form one MNIST split, or raise DataError.

    Kept separate from file reading so the pairing rules (28x28 images, one
    label per image, labels 0..9) apply equally to the official files, the
    bundled sample and synthetic test data.
    """
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise DataError(
            f"MNIST images {images_name} have shape {tuple(images.shape)} but N x 28 x 28 was "
            f"expected; {FILE_FIX}."
        )
    if labels.ndim != 1:
        raise DataError(
            f"MNIST labels {labels_name} have shape {tuple(labels.shape)} but a 1-D vector was "
            f"expected; {FILE_FIX}."
        )
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"MNIST images {images_name} hold {images.shape[0]:,} images but labels "
            f"{labels_name} hold {labels.shape[0]:,} labels, and one label per image was "
            f"expected; use an images file and a labels file from the same official split."
        )
    if images.shape[0] == 0:
        raise DataError(
            f"MNIST images {images_name} hold no images but at least one was expected; {FILE_FIX}."
        )
    if labels.size and (int(labels.min()) < 0 or int(labels.max()) >= N_CLASSES):
        raise DataError(
            f"MNIST labels {labels_name} contain values from {int(labels.min())} to "
            f"{int(labels.max())} but only the digits 0 to 9 were expected; {FILE_FIX}."
        )


def read_official_dir(raw_dir: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read and verify all four official files in ``raw_dir``; returns arrays and SHA-256s."""
    arrays: dict[str, np.ndarray] = {}
    shas: dict[str, str] = {}
    for name in OFFICIAL_FILES:
        arrays[name], shas[name] = _read_official(raw_dir, name)
    for images_name, labels_name in _SPLITS.values():
        check_split(
            arrays[images_name],
            arrays[labels_name],
            str(raw_dir / images_name),
            str(raw_dir / labels_name),
        )
    return arrays, shas
