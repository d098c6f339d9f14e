"""MNIST's IDX file format: decode bytes into arrays, or say exactly what is wrong.

Kept apart from the official files' checks so that the format rules can be
tested on synthetic and fuzzed bytes alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ex3.data import files
from ex3.errors import DataError

IDX_IMAGES_MAGIC = 0x00000803

IDX_LABELS_MAGIC = 0x00000801


def parse_idx(data: bytes, name: str, *, kind: str | None = None) -> np.ndarray:
    """Decode IDX bytes (MNIST's file format) into a uint8 array, or raise DataError.

    A pure function over bytes so that the format checks can be tested on
    synthetic and fuzzed input without touching the disk. Only the two IDX
    variants MNIST uses are accepted: unsigned-byte 3-D image tensors (magic
    0x00000803) and unsigned-byte 1-D label vectors (magic 0x00000801). The
    body must be exactly as long as the header says, so a truncated download
    or a file with bytes appended is caught rather than silently reshaped.

    ``name`` is used only in messages (normally the file path). ``kind`` may be
    ``"images"`` or ``"labels"`` to insist on one of the two variants. The
    returned array is a writable copy, shaped as the header declares.
    """
    if kind not in (None, "images", "labels"):
        raise ValueError(f"kind must be None, 'images' or 'labels', not {kind!r}")
    view = memoryview(data).cast("B")
    fix = "replace it with an intact copy of the original IDX file"
    if len(view) < 4:
        raise DataError(
            f"IDX file {name} is {len(view)} bytes long, too short to hold the 4-byte "
            f"IDX magic number; {fix}."
        )
    magic = int.from_bytes(view[:4], "big")
    allowed = {
        None: (IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC),
        "images": (IDX_IMAGES_MAGIC,),
        "labels": (IDX_LABELS_MAGIC,),
    }[kind]
    if magic not in allowed:
        wanted = " or ".join(
            f"0x{m:08x} ({'images' if m == IDX_IMAGES_MAGIC else 'labels'})" for m in allowed
        )
        raise DataError(
            f"IDX file {name} starts with magic number 0x{magic:08x} but {wanted} was "
            f"expected, so it is not an MNIST IDX file of that kind; {fix}."
        )
    ndim = view[3]
    header_len = 4 + 4 * ndim
    if len(view) < header_len:
        raise DataError(
            f"IDX file {name} is {len(view)} bytes long but its {ndim}-D header needs "
            f"{header_len} bytes, so it is truncated; {fix}."
        )
    dims = tuple(int.from_bytes(view[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    body = 1
    for d in dims:
        body *= d
    expected = header_len + body
    if len(view) != expected:
        problem = "truncated" if len(view) < expected else "followed by unexpected trailing bytes"
        raise DataError(
            f"IDX file {name} is {len(view):,} bytes long but its header (dimensions "
            f"{'x'.join(map(str, dims))}) implies {expected:,} bytes, so it is {problem}; "
            f"{fix}."
        )
    flat = np.frombuffer(view, dtype=np.uint8, count=body, offset=header_len)
    try:
        return flat.reshape(dims).copy()
    except ValueError as exc:  # e.g. an empty array whose other dimensions overflow
        raise DataError(
            f"IDX file {name} declares dimensions {'x'.join(map(str, dims))}, which cannot be "
            f"represented as an array; {fix}."
        ) from exc


def read_bytes(path: Path, what: str, fix: str) -> bytes:
    """Read a whole regular file, turning every OS-level failure into a DataError with a fix."""
    return files.read_regular(path, what, fix)


def read_idx(path: str | os.PathLike[str], *, kind: str | None = None) -> np.ndarray:
    """Read and decode any IDX file; all failures, OS-level ones included, are DataError."""
    p = Path(path)
    data = read_bytes(p, "IDX file", "check the path or replace the file with an intact copy")
    return parse_idx(data, str(p), kind=kind)
