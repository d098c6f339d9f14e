"""The one MNIST entry point: find the data, verify it, decode it into tensors.

Every claim in the report is about MNIST, so whether a verdict means anything
depends on the data being the official files, whole and unaltered. This module
therefore reads the raw IDX files itself (torchvision is used only to download
them), checks each against its published size and SHA-256, and turns every
problem into a :class:`~ex3.errors.DataError` that names the file, what was
expected and the fix.

Sources, first match wins:

1. ``data_dir`` or the ``EX3_DATA_DIR`` environment variable (read through
   ``ex3.config``): a torchvision root
   (a folder holding ``MNIST/raw/<4 files>``), the ``MNIST`` folder, the raw
   folder, or any folder directly holding the four files. A wrong explicit
   folder is an error, never a silent fallback, so a typo cannot quietly turn a
   full-data run into a sample run.
2. The ex3 user cache (``platformdirs.user_cache_dir("ex3")/mnist``, or
   ``$EX3_CACHE_DIR/mnist``), used only when all four files are there.
3. With ``download=True``: torchvision downloads into that cache.
4. The small bundled sample (3,000 train / 1,000 test images), so that tests
   and demonstrations run without the 55 MB download.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ex3 import config
from ex3.config import CACHE_DIR_ENV, DATA_DIR_ENV
from ex3.data import files
from ex3.errors import DataError, UsageError

__all__ = [
    "CACHE_DIR_ENV",
    "DATA_DIR_ENV",
    "IDX_IMAGES_MAGIC",
    "IDX_LABELS_MAGIC",
    "MNIST_ATTRIBUTION",
    "OFFICIAL_FILES",
    "SAMPLE_PATH",
    "MnistData",
    "cache_root",
    "check_split",
    "describe_source",
    "load_mnist",
    "parse_idx",
    "read_idx",
    "read_official_arrays",
]

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

IDX_IMAGES_MAGIC = 0x00000803
IDX_LABELS_MAGIC = 0x00000801

IMAGE_SIDE = 28
N_CLASSES = 10

MNIST_ATTRIBUTION = (
    "MNIST database by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, "
    "licensed under CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/)"
)

#: The bundled sample, built by scripts/make_mnist_sample.py from the official files.
SAMPLE_PATH = Path(__file__).resolve().parent / "sample" / "mnist_sample.npz"

_SAMPLE_ARRAYS = ("train_x", "train_y", "test_x", "test_y")

_FILE_FIX = "re-copy or re-download the official MNIST file"

_SPLITS = {
    "train": (TRAIN_IMAGES, TRAIN_LABELS),
    "test": (TEST_IMAGES, TEST_LABELS),
}


# --------------------------------------------------------------------------- IDX reading


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


def _read_bytes(path: Path, what: str, fix: str) -> bytes:
    """Read a whole regular file, turning every OS-level failure into a DataError with a fix."""
    return files.read_regular(path, what, fix)


def read_idx(path: str | os.PathLike[str], *, kind: str | None = None) -> np.ndarray:
    """Read and decode any IDX file; all failures, OS-level ones included, are DataError."""
    p = Path(path)
    data = _read_bytes(p, "IDX file", "check the path or replace the file with an intact copy")
    return parse_idx(data, str(p), kind=kind)


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
    data = _read_bytes(path, "MNIST file", _FILE_FIX)
    if len(data) != size:
        problem = "truncated" if len(data) < size else "longer than the official file"
        raise DataError(
            f"MNIST file {path} is {len(data):,} bytes but the official {name} is {size:,} "
            f"bytes, so it is {problem} or not the official file; {_FILE_FIX}."
        )
    kind = "images" if "images" in name else "labels"
    array = parse_idx(data, str(path), kind=kind)
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha:
        raise DataError(
            f"MNIST file {path} has SHA-256 {actual} but the official {name} has {sha}, so its "
            f"contents are corrupt or altered; {_FILE_FIX}."
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
            f"expected; {_FILE_FIX}."
        )
    if labels.ndim != 1:
        raise DataError(
            f"MNIST labels {labels_name} have shape {tuple(labels.shape)} but a 1-D vector was "
            f"expected; {_FILE_FIX}."
        )
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"MNIST images {images_name} hold {images.shape[0]:,} images but labels "
            f"{labels_name} hold {labels.shape[0]:,} labels, and one label per image was "
            f"expected; use an images file and a labels file from the same official split."
        )
    if images.shape[0] == 0:
        raise DataError(
            f"MNIST images {images_name} hold no images but at least one was expected; {_FILE_FIX}."
        )
    if labels.size and (int(labels.min()) < 0 or int(labels.max()) >= N_CLASSES):
        raise DataError(
            f"MNIST labels {labels_name} contain values from {int(labels.min())} to "
            f"{int(labels.max())} but only the digits 0 to 9 were expected; {_FILE_FIX}."
        )


def _read_official_dir(raw_dir: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
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


def read_official_arrays(data_dir: str | os.PathLike[str], origin: str | None = None
                         ) -> dict[str, np.ndarray]:
    """Read the verified official files under ``data_dir`` as uint8 arrays.

    Returns ``train_x`` [60000, 28, 28], ``train_y`` [60000], ``test_x``,
    ``test_y`` in the files' own dtype, for tools (such as the sample builder)
    that need the raw pixels rather than float tensors. ``data_dir`` accepts
    the same layouts as :func:`load_mnist`; ``origin`` names where it came
    from in error messages (as for :func:`load_mnist`).
    """
    raw_dir = _resolve_raw_dir(Path(data_dir).expanduser(), origin or _ARGUMENT)
    arrays, _ = _read_official_dir(raw_dir)
    return {
        "train_x": arrays[TRAIN_IMAGES],
        "train_y": arrays[TRAIN_LABELS],
        "test_x": arrays[TEST_IMAGES],
        "test_y": arrays[TEST_LABELS],
    }


# --------------------------------------------------------------------------- the data object


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
        n_train = _normalise_count(n_train, len(self.train_y), "train", self)
        n_test = _normalise_count(n_test, len(self.test_y), "test", self)
        if n_train is None and n_test is None:
            return self
        train_x, train_y = self.train_x, self.train_y
        if n_train is not None:
            idx = _stratified_indices(train_y.numpy(), n_train, np.random.default_rng([seed, 0]))
            train_x, train_y = train_x[idx], train_y[idx]
        test_x, test_y = self.test_x, self.test_y
        if n_test is not None:
            idx = _stratified_indices(test_y.numpy(), n_test, np.random.default_rng([seed, 1]))
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
            identity=_short_digest(tag.encode()),
        )


def _normalise_count(n: int | None, available: int, split: str, data: MnistData) -> int | None:
    """Validate a requested subset size; ``None`` means the whole split."""
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise UsageError(
            f"subset size for the {split} split must be a positive integer, not {n!r}."
        )
    if n == available:
        return None
    if n > available:
        hint = (
            f"point {DATA_DIR_ENV} at the official MNIST files or load with download=True "
            "to get the full data"
            if data.kind == "sample"
            else f"ask for at most {available:,}"
        )
        raise DataError(
            f"A subset of {n:,} {split} images was requested but the data ({data.source}) holds "
            f"only {available:,}; {hint}."
        )
    return n


def _stratified_indices(labels: np.ndarray, n: int, rng: np.random.Generator) -> torch.Tensor:
    """Pick ``n`` indices so each class gets its proportional share (largest remainder)."""
    total = len(labels)
    classes, counts = np.unique(labels, return_counts=True)
    quota = [n * int(c) // total for c in counts]
    remainders = [n * int(c) % total for c in counts]
    short = n - sum(quota)
    # Ties in the remainder go to the lower class, so the allocation is deterministic.
    for i in sorted(range(len(classes)), key=lambda i: (-remainders[i], i))[:short]:
        quota[i] += 1
    picked = [
        rng.permutation(np.flatnonzero(labels == cls))[:q]
        for cls, q in zip(classes, quota, strict=True)
    ]
    return torch.from_numpy(np.sort(np.concatenate(picked)).astype(np.int64))


def _short_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _to_images(array: np.ndarray) -> torch.Tensor:
    """uint8 [N, 28, 28] -> float32 [N, 1, 28, 28] in [0, 1], in one vectorised step."""
    return torch.from_numpy(np.ascontiguousarray(array)).unsqueeze(1).to(torch.float32).div_(255.0)


def _to_labels(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(array.astype(np.int64))


# --------------------------------------------------------------------------- source resolution


def cache_root() -> Path:
    """The torchvision root used as the ex3 download cache (``$EX3_CACHE_DIR/mnist`` if set)."""
    return config.cache_dir() / "mnist"


#: How messages name a folder passed in code, when the caller does not say where it came from.
_ARGUMENT = "the data_dir argument"


def _explicit_dir(data_dir: str | os.PathLike[str] | None,
                  origin: str | None) -> tuple[Path, str] | None:
    """The explicitly requested folder and where the request came from, if any.

    ``origin`` is the caller's name for ``data_dir`` (``--data-dir DIR``); the
    environment's folder is named as it was set (``EX3_DATA_DIR=DIR``), so an
    error points at what the user actually typed.
    """
    if data_dir is not None and str(data_dir).strip():  # "" means unset, as for the variable
        return Path(data_dir).expanduser(), origin or _ARGUMENT
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


def _resolve_raw_dir(root: Path, origin: str) -> Path:
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


def _cache_complete(root: Path) -> bool:
    """True when the download cache holds all four files (a folder that cannot be searched
    is a DataError naming it, not a traceback)."""
    raw = root / "MNIST" / "raw"
    return all(files.kind(raw / n, "MNIST file") == files.FILE for n in OFFICIAL_FILES)


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True, eq=False)
class _Decoded:
    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    identity: str


def _stamp(paths: list[Path]) -> tuple[tuple[int, int, int], ...]:
    """Size, mtime and inode of each file, so a replaced file is never served from cache."""
    out = []
    for p in paths:
        try:
            st = p.stat()
        except OSError:
            return ()
        out.append((st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)


@functools.lru_cache(maxsize=4)
def _decode_official(raw_dir: str, stamp: tuple[Any, ...]) -> _Decoded:
    """Read, verify and decode a raw folder once per process (55 MB to read and hash)."""
    del stamp  # part of the cache key only
    arrays, shas = _read_official_dir(Path(raw_dir))
    tag = "mnist-official|" + "|".join(f"{n}={shas[n]}" for n in OFFICIAL_FILES)
    return _Decoded(
        train_x=_to_images(arrays[TRAIN_IMAGES]),
        train_y=_to_labels(arrays[TRAIN_LABELS]),
        test_x=_to_images(arrays[TEST_IMAGES]),
        test_y=_to_labels(arrays[TEST_LABELS]),
        identity=_short_digest(tag.encode()),
    )


def _load_official(raw_dir: Path) -> _Decoded:
    resolved = raw_dir.resolve()
    return _decode_official(str(resolved), _stamp([resolved / n for n in OFFICIAL_FILES]))


def _sample_fix() -> str:
    return (
        "reinstall ex3 or rebuild the sample with scripts/make_mnist_sample.py, or point "
        f"{DATA_DIR_ENV} at the official MNIST files"
    )


@functools.lru_cache(maxsize=2)
def _decode_sample(path: str, stamp: tuple[Any, ...]) -> _Decoded:
    """Read and check the bundled sample; its identity hashes the arrays, not the zip bytes.

    Hashing the contents keeps the identity stable if the sample is rebuilt
    with the same seed: the .npz container records write times, so its bytes
    change even when the data does not.
    """
    del stamp  # part of the cache key only
    p = Path(path)
    if not p.is_file():
        raise DataError(f"The bundled MNIST sample {p} is missing; {_sample_fix()}.")
    try:
        with np.load(p, allow_pickle=False) as npz:
            missing = [k for k in _SAMPLE_ARRAYS if k not in npz.files]
            if missing:
                raise DataError(
                    f"The bundled MNIST sample {p} lacks the arrays {', '.join(missing)} "
                    f"(expected {', '.join(_SAMPLE_ARRAYS)}); {_sample_fix()}."
                )
            arrays = {k: npz[k] for k in _SAMPLE_ARRAYS}
    except DataError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        raise DataError(
            f"The bundled MNIST sample {p} cannot be read ({exc}); {_sample_fix()}."
        ) from exc
    for k, a in arrays.items():
        if a.dtype != np.uint8:
            raise DataError(
                f"The bundled MNIST sample {p} stores {k} as {a.dtype} but uint8 was expected; "
                f"{_sample_fix()}."
            )
    check_split(arrays["train_x"], arrays["train_y"], f"{p}:train_x", f"{p}:train_y")
    check_split(arrays["test_x"], arrays["test_y"], f"{p}:test_x", f"{p}:test_y")
    h = hashlib.sha256(b"mnist-sample")
    for k in _SAMPLE_ARRAYS:
        a = np.ascontiguousarray(arrays[k])
        h.update(f"|{k}|{a.shape}|".encode())
        h.update(a.tobytes())
    return _Decoded(
        train_x=_to_images(arrays["train_x"]),
        train_y=_to_labels(arrays["train_y"]),
        test_x=_to_images(arrays["test_x"]),
        test_y=_to_labels(arrays["test_y"]),
        identity=h.hexdigest()[:16],
    )


def _load_sample() -> MnistData:
    d = _decode_sample(str(SAMPLE_PATH), _stamp([SAMPLE_PATH]))
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


def _from_decoded(d: _Decoded, source: str) -> MnistData:
    return MnistData(
        train_x=d.train_x,
        train_y=d.train_y,
        test_x=d.test_x,
        test_y=d.test_y,
        source=source,
        kind="full",
        identity=d.identity,
    )


def _load_cache(root: Path) -> MnistData:
    """Load the download cache; a damaged cache is an error that says how to refresh it."""
    try:
        d = _load_official(root / "MNIST" / "raw")
    except DataError as exc:
        raise DataError(
            f"{str(exc).rstrip('.')}; this copy is in the ex3 download cache, so deleting {root} "
            f"and loading with download again also fixes it."
        ) from exc
    return _from_decoded(d, f"ex3 cache {root} (official MNIST, sha256 verified)")


def _download(root: Path) -> None:
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


def load_mnist(data_dir: str | os.PathLike[str] | None = None, download: bool = False,
               origin: str | None = None) -> MnistData:
    """Load MNIST from the first available source (see the module docstring for the order).

    Decoded data is cached in-process per folder, so several claims checked in
    one process read and hash the 55 MB only once. Every problem raises
    :class:`~ex3.errors.DataError` with the file, the expectation and the fix;
    ``origin`` is how that message names ``data_dir`` (``--data-dir DIR``).
    """
    explicit = _explicit_dir(data_dir, origin)
    if explicit is not None:
        root, origin = explicit
        raw_dir = _resolve_raw_dir(root, origin)
        return _from_decoded(
            _load_official(raw_dir), f"directory {root} (official MNIST, sha256 verified)"
        )
    root = cache_root()
    if _cache_complete(root):
        return _load_cache(root)
    if download:
        _download(root)
        if not _cache_complete(root):
            raise DataError(
                f"Downloading MNIST into {root} finished but the four raw files are not all in "
                f"{root / 'MNIST' / 'raw'}; delete {root} and try again, or set {DATA_DIR_ENV} "
                "to a folder holding the official files."
            )
        return _load_cache(root)
    return _load_sample()


# --------------------------------------------------------------------------- description


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
        entry["sha256"] = files.sha256_regular(path, "MNIST file", _FILE_FIX)
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
    explicit = _explicit_dir(data_dir, origin)
    if explicit is not None:
        raw_dir = _resolve_raw_dir(*explicit)
        return [_describe_file(raw_dir / n, "directory") for n in OFFICIAL_FILES]
    root = cache_root()
    if _cache_complete(root):
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
            f"{_sample_fix()}."
        ) from exc
    return [entry]
