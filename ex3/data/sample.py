"""The small bundled sample of real MNIST (3,000 train / 1,000 test images).

It lets tests and demonstrations run without the 55 MB download; it is read
and checked like the official files, and its identity hashes its contents.
"""

from __future__ import annotations

import functools
import hashlib
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from ex3.config import DATA_DIR_ENV
from ex3.data.decode import Decoded, to_images, to_labels
from ex3.data.official import check_split
from ex3.errors import DataError

MNIST_ATTRIBUTION = (
    "MNIST database by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, "
    "licensed under CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/)"
)

#: The bundled sample, built by scripts/make_mnist_sample.py from the official files.
SAMPLE_PATH = Path(__file__).resolve().parent / "sample" / "mnist_sample.npz"

_SAMPLE_ARRAYS = ("train_x", "train_y", "test_x", "test_y")


def sample_fix() -> str:
    return (
        "reinstall ex3 or rebuild the sample with scripts/make_mnist_sample.py, or point "
        f"{DATA_DIR_ENV} at the official MNIST files"
    )


@functools.lru_cache(maxsize=2)
def decode_sample(path: str, stamp: tuple[Any, ...]) -> Decoded:
    """Read and check the bundled sample; its identity hashes the arrays, not the zip bytes.

    Hashing the contents keeps the identity stable if the sample is rebuilt
    with the same seed: the .npz container records write times, so its bytes
    change even when the data does not.
    """
    del stamp  # part of the cache key only
    p = Path(path)
    if not p.is_file():
        raise DataError(f"The bundled MNIST sample {p} is missing; {sample_fix()}.")
    try:
        with np.load(p, allow_pickle=False) as npz:
            missing = [k for k in _SAMPLE_ARRAYS if k not in npz.files]
            if missing:
                raise DataError(
                    f"The bundled MNIST sample {p} lacks the arrays {', '.join(missing)} "
                    f"(expected {', '.join(_SAMPLE_ARRAYS)}); {sample_fix()}."
                )
            arrays = {k: npz[k] for k in _SAMPLE_ARRAYS}
    except DataError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        raise DataError(
            f"The bundled MNIST sample {p} cannot be read ({exc}); {sample_fix()}."
        ) from exc
    for k, a in arrays.items():
        if a.dtype != np.uint8:
            raise DataError(
                f"The bundled MNIST sample {p} stores {k} as {a.dtype} but uint8 was expected; "
                f"{sample_fix()}."
            )
    check_split(arrays["train_x"], arrays["train_y"], f"{p}:train_x", f"{p}:train_y")
    check_split(arrays["test_x"], arrays["test_y"], f"{p}:test_x", f"{p}:test_y")
    h = hashlib.sha256(b"mnist-sample")
    for k in _SAMPLE_ARRAYS:
        a = np.ascontiguousarray(arrays[k])
        h.update(f"|{k}|{a.shape}|".encode())
        h.update(a.tobytes())
    return Decoded(
        train_x=to_images(arrays["train_x"]),
        train_y=to_labels(arrays["train_y"]),
        test_x=to_images(arrays["test_x"]),
        test_y=to_labels(arrays["test_y"]),
        identity=h.hexdigest()[:16],
    )
