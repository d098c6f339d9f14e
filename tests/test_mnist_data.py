"""Tests for ex3.data.mnist: source resolution, verification, and one test per bad input.

Every verdict rests on the data being the official MNIST, so each way the
files can be wrong must produce a DataError that names the file and the fix.
The official files are copied once per session; damaged variants copy only
the small file being damaged and link the rest.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ex3 import config
from ex3.data.diagnostics import describe_source
from ex3.data.idx import IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parse_idx, read_idx
from ex3.data.mnist import MnistData, load_mnist, read_official_arrays
from ex3.data.official import OFFICIAL_FILES, check_split
from ex3.data.sample import SAMPLE_PATH
from ex3.data.sources import cache_root
from ex3.errors import DataError, UsageError

SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "mnist"
OFFICIAL_RAW = SHARED_MNIST / "MNIST" / "raw"
HAVE_OFFICIAL = all((OFFICIAL_RAW / n).is_file() for n in OFFICIAL_FILES)
needs_official = pytest.mark.skipif(
    not HAVE_OFFICIAL,
    reason=f"the official MNIST files are not in {OFFICIAL_RAW} (a torchvision root expected)",
)

TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = OFFICIAL_FILES
OFFICIAL_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
FILE_FIX = "re-copy or re-download"


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array of 1 or 3 dimensions as IDX bytes."""
    magic = IDX_LABELS_MAGIC if array.ndim == 1 else IDX_IMAGES_MAGIC
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


@pytest.fixture(autouse=True)
def _isolated_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the caller's EX3_DATA_DIR and download cache out of every test."""
    monkeypatch.delenv(config.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv(config.CACHE_DIR_ENV, str(tmp_path / "empty-cache"))


@pytest.fixture(scope="session")
def official_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One private copy of the official files per session, to link to or copy from."""
    if not HAVE_OFFICIAL:
        pytest.skip(f"the official MNIST files are not in {OFFICIAL_RAW}")
    raw = tmp_path_factory.mktemp("official") / "raw"
    raw.mkdir()
    for name in OFFICIAL_FILES:
        shutil.copyfile(OFFICIAL_RAW / name, raw / name)
    return raw


def populate(raw: Path, source: Path, copy: Iterable[str] = (), omit: Iterable[str] = ()) -> None:
    """Fill ``raw`` with the official files: copies for ``copy``, links for the rest."""
    raw.mkdir(parents=True, exist_ok=True)
    for name in OFFICIAL_FILES:
        if name in omit:
            continue
        if name in copy:
            shutil.copyfile(source / name, raw / name)
        else:
            (raw / name).symlink_to(source / name)


@pytest.fixture
def make_root(tmp_path: Path, official_copy: Path):
    """A torchvision root in tmp_path; returns (root, raw folder)."""

    def make(copy: Iterable[str] = (), omit: Iterable[str] = ()) -> tuple[Path, Path]:
        root = tmp_path / "root"
        raw = root / "MNIST" / "raw"
        populate(raw, official_copy, copy, omit)
        return root, raw

    return make


def assert_names_fix(exc: pytest.ExceptionInfo[DataError], path: Path, *fragments: str) -> str:
    message = str(exc.value)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# --------------------------------------------------------------------------- good sources


@needs_official
def test_official_directory_loads_full_mnist() -> None:
    data = load_mnist(SHARED_MNIST)
    assert data.kind == "full"
    assert "official MNIST" in data.source and str(SHARED_MNIST) in data.source
    assert data.train_x.shape == (60000, 1, 28, 28)
    assert data.test_x.shape == (10000, 1, 28, 28)
    assert data.train_x.dtype == data.test_x.dtype == torch.float32
    assert data.train_y.dtype == data.test_y.dtype == torch.int64
    for x in (data.train_x, data.test_x):
        assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    assert torch.bincount(data.train_y).tolist() == OFFICIAL_TRAIN_COUNTS
    assert torch.bincount(data.test_y).sum() == 10000
    assert re.fullmatch(r"[0-9a-f]{16}", data.identity)


@needs_official
def test_decoded_tensors_are_cached_in_process() -> None:
    assert load_mnist(SHARED_MNIST).train_x is load_mnist(SHARED_MNIST).train_x


@needs_official
def test_env_var_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.DATA_DIR_ENV, str(SHARED_MNIST))
    data = load_mnist()
    assert data.kind == "full" and str(SHARED_MNIST) in data.source


@needs_official
def test_argument_takes_precedence_over_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(config.DATA_DIR_ENV, str(tmp_path / "nowhere"))
    assert load_mnist(SHARED_MNIST).kind == "full"


@needs_official
@pytest.mark.parametrize("where", [SHARED_MNIST / "MNIST", OFFICIAL_RAW])
def test_mnist_and_raw_folders_are_accepted(where: Path) -> None:
    assert load_mnist(where).identity == load_mnist(SHARED_MNIST).identity


def test_without_data_or_cache_the_bundled_sample_is_used() -> None:
    data = load_mnist()
    assert data.kind == "sample"
    assert "bundled sample" in data.source
    assert data.train_x.shape == (3000, 1, 28, 28) and data.test_x.shape == (1000, 1, 28, 28)
    assert data.train_x.dtype == torch.float32
    assert float(data.train_x.min()) >= 0.0 and float(data.train_x.max()) <= 1.0
    assert torch.bincount(data.train_y).tolist() == [300] * 10
    assert torch.bincount(data.test_y).tolist() == [100] * 10


def test_empty_env_var_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.DATA_DIR_ENV, "")
    assert load_mnist().kind == "sample"


def test_sample_identity_differs_from_full() -> None:
    sample = load_mnist()
    assert re.fullmatch(r"[0-9a-f]{16}", sample.identity)
    if HAVE_OFFICIAL:
        assert sample.identity != load_mnist(SHARED_MNIST).identity


@needs_official
def test_sample_rows_are_unmodified_official_rows() -> None:
    official = read_official_arrays(SHARED_MNIST)
    sample = np.load(SAMPLE_PATH)
    for split in ("train", "test"):
        labels_of: dict[bytes, set[int]] = {}
        for row, label in zip(official[f"{split}_x"], official[f"{split}_y"], strict=True):
            labels_of.setdefault(row.tobytes(), set()).add(int(label))
        for row, label in zip(sample[f"{split}_x"], sample[f"{split}_y"], strict=True):
            assert int(label) in labels_of[row.tobytes()]


def test_sample_attribution_is_shipped() -> None:
    readme = (SAMPLE_PATH.parent / "README.md").read_text()
    assert "LeCun" in readme and "Cortes" in readme and "Burges" in readme
    assert "CC BY-SA 3.0" in readme
    assert SAMPLE_PATH.stat().st_size < 3_000_000


@needs_official
def test_complete_cache_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, official_copy: Path
) -> None:
    monkeypatch.setenv(config.CACHE_DIR_ENV, str(tmp_path / "c"))
    populate(tmp_path / "c" / "mnist" / "MNIST" / "raw", official_copy)
    data = load_mnist()
    assert data.kind == "full" and "cache" in data.source


@needs_official
def test_incomplete_cache_is_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, official_copy: Path
) -> None:
    monkeypatch.setenv(config.CACHE_DIR_ENV, str(tmp_path / "c"))
    populate(tmp_path / "c" / "mnist" / "MNIST" / "raw", official_copy, omit=[TRAIN_IMAGES])
    assert load_mnist().kind == "sample"


@needs_official
def test_damaged_cache_says_how_to_refresh(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, official_copy: Path
) -> None:
    monkeypatch.setenv(config.CACHE_DIR_ENV, str(tmp_path / "c"))
    raw = tmp_path / "c" / "mnist" / "MNIST" / "raw"
    populate(raw, official_copy, copy=[TRAIN_IMAGES])
    with open(raw / TRAIN_IMAGES, "r+b") as f:
        f.truncate(1000)
    with pytest.raises(DataError) as exc:
        load_mnist()
    assert_names_fix(exc, raw / TRAIN_IMAGES, "truncated", "deleting", str(tmp_path / "c"))


def test_download_without_network_is_a_data_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from torchvision.datasets import MNIST

    def offline(self: MNIST) -> None:
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz:\nTried mirror, got: ...")

    monkeypatch.setattr(MNIST, "download", offline)
    with pytest.raises(DataError) as exc:
        load_mnist(download=True)
    assert_names_fix(exc, cache_root(), "no network", config.DATA_DIR_ENV)


# --------------------------------------------------------------------------- bad files


def test_missing_file(make_root) -> None:
    root, raw = make_root(omit=[TEST_LABELS])
    with pytest.raises(DataError) as exc:
        load_mnist(root)
    assert_names_fix(exc, raw / TEST_LABELS, "missing", "copy t10k-labels-idx1-ubyte")


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root, where chmod 000 does not block reads (simulated in the next test)",
)
def test_unreadable_file_chmod(make_root) -> None:
    root, raw = make_root(copy=[TRAIN_IMAGES])
    (raw / TRAIN_IMAGES).chmod(0)
    try:
        with pytest.raises(DataError) as exc:
            load_mnist(root)
    finally:
        (raw / TRAIN_IMAGES).chmod(0o644)
    assert_names_fix(exc, raw / TRAIN_IMAGES, "permission denied", "chmod")


def test_unreadable_file_simulated(make_root, monkeypatch: pytest.MonkeyPatch) -> None:
    root, raw = make_root()

    real_open = os.open

    def guarded_open(file, *args, **kwargs):
        if Path(file).name == TRAIN_IMAGES:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    with pytest.raises(DataError) as exc:
        load_mnist(root)
    assert_names_fix(exc, raw / TRAIN_IMAGES, "permission denied", "chmod a+r")


def test_truncated_file(make_root) -> None:
    root, raw = make_root(copy=[TRAIN_LABELS])
    with open(raw / TRAIN_LABELS, "r+b") as f:
        f.truncate(60000)
    with pytest.raises(DataError) as exc:
        load_mnist(root)
    assert_names_fix(exc, raw / TRAIN_LABELS, "60,000", "60,008", "truncated", FILE_FIX)


def test_file_with_trailing_bytes(make_root) -> None:
    root, raw = make_root(copy=[TEST_LABELS])
    with open(raw / TEST_LABELS, "ab") as f:
        f.write(b"\x00")
    with pytest.raises(DataError) as exc:
        load_mnist(root)
    assert_names_fix(exc, raw / TEST_LABELS, "10,009", "10,008", "longer", FILE_FIX)


def test_corrupt_bytes_with_the_right_size(make_root) -> None:
    root, raw = make_root(copy=[TEST_LABELS])
    data = bytearray((raw / TEST_LABELS).read_bytes())
    data[500] = (data[500] + 1) % 10  # still a valid digit: only the hash can tell
    (raw / TEST_LABELS).write_bytes(bytes(data))
    with pytest.raises(DataError) as exc:
        load_mnist(root)
    actual = hashlib.sha256(bytes(data)).hexdigest()
    expected = OFFICIAL_FILES[TEST_LABELS][1]
    assert_names_fix(exc, raw / TEST_LABELS, actual, expected, "SHA-256", FILE_FIX)


def test_wrong_magic_number(make_root) -> None:
    root, raw = make_root(copy=[TEST_LABELS])
    data = bytearray((raw / TEST_LABELS).read_bytes())
    data[3] = 0x03
    (raw / TEST_LABELS).write_bytes(bytes(data))
    with pytest.raises(DataError) as exc:
        load_mnist(root)
    assert_names_fix(exc, raw / TEST_LABELS, "0x00000803", "0x00000801", "replace it")


def test_replaced_file_is_not_served_from_cache(make_root) -> None:
    root, raw = make_root(copy=[TEST_LABELS])
    assert load_mnist(root).kind == "full"
    data = bytearray((raw / TEST_LABELS).read_bytes())
    data[9] = (data[9] + 1) % 10
    (raw / TEST_LABELS).unlink()
    (raw / TEST_LABELS).write_bytes(bytes(data))
    with pytest.raises(DataError, match="SHA-256"):
        load_mnist(root)


def test_image_and_label_counts_disagree() -> None:
    images = parse_idx(idx_bytes(np.zeros((5, 28, 28), np.uint8)), "five-images")
    labels = parse_idx(idx_bytes(np.arange(4, dtype=np.uint8)), "four-labels")
    with pytest.raises(DataError) as exc:
        check_split(images, labels, "five-images", "four-labels")
    message = str(exc.value)
    for fragment in ("five-images", "four-labels", "5 images", "4 labels", "same official split"):
        assert fragment in message


def test_labels_outside_0_to_9() -> None:
    images = np.zeros((3, 28, 28), np.uint8)
    with pytest.raises(DataError, match=r"bad-labels.*from 0 to 10.*0 to 9"):
        check_split(images, np.array([0, 5, 10], np.uint8), "imgs", "bad-labels")


def test_images_of_the_wrong_shape() -> None:
    with pytest.raises(DataError, match=r"imgs.*\(2, 27, 28\).*28 x 28"):
        check_split(np.zeros((2, 27, 28), np.uint8), np.zeros(2, np.uint8), "imgs", "labels")


# --------------------------------------------------------------------------- bad folders


def test_folder_with_wrong_layout(tmp_path: Path) -> None:
    folder = tmp_path / "not-mnist"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello")
    with pytest.raises(DataError) as exc:
        load_mnist(folder)
    assert_names_fix(exc, folder, "expected layout", "parent of MNIST/", "bundled sample")


def test_wrong_layout_from_env_says_unset(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(config.DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(DataError) as exc:
        load_mnist()
    assert_names_fix(exc, tmp_path, "EX3_DATA_DIR", "unset EX3_DATA_DIR")


def test_compressed_files_get_a_hint(tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / f"{TRAIN_IMAGES}.gz").write_bytes(b"")
    with pytest.raises(DataError, match="gunzip"):
        load_mnist(tmp_path)


def test_legacy_processed_files_get_a_hint(tmp_path: Path) -> None:
    processed = tmp_path / "MNIST" / "processed"
    processed.mkdir(parents=True)
    (processed / "training.pt").write_bytes(b"")
    with pytest.raises(DataError, match=r"training\.pt.*raw IDX files"):
        load_mnist(tmp_path)


def test_nonexistent_folder(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder"
    with pytest.raises(DataError) as exc:
        load_mnist(missing)
    assert_names_fix(exc, missing, "does not exist", "fix the path")


def test_nonexistent_folder_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(config.DATA_DIR_ENV, str(tmp_path / "gone"))
    with pytest.raises(DataError) as exc:
        load_mnist()
    assert_names_fix(exc, f"EX3_DATA_DIR={tmp_path / 'gone'}", "does not exist",
                     "unset EX3_DATA_DIR")
    assert "data_dir argument" not in str(exc.value)


def test_file_given_as_folder(tmp_path: Path) -> None:
    file = tmp_path / "mnist.zip"
    file.write_bytes(b"PK")
    with pytest.raises(DataError) as exc:
        load_mnist(file)
    assert_names_fix(exc, file, "not a folder")


# --------------------------------------------------------------------------- IDX parsing


def test_parse_idx_round_trips_images_and_labels() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(4, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=7, dtype=np.uint8)
    np.testing.assert_array_equal(parse_idx(idx_bytes(images), "x", kind="images"), images)
    np.testing.assert_array_equal(parse_idx(idx_bytes(labels), "y", kind="labels"), labels)
    assert parse_idx(idx_bytes(labels), "y").flags.writeable


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (b"\x00\x00", "too short"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x01", "header needs 16 bytes"),
        (idx_bytes(np.zeros(5, np.uint8))[:-1], "truncated"),
        (idx_bytes(np.zeros(5, np.uint8)) + b"\x00", "trailing bytes"),
        (b"\x00\x00\x0d\x01\x00\x00\x00\x00", "magic number 0x00000d01"),
    ],
)
def test_parse_idx_rejects(data: bytes, pattern: str) -> None:
    with pytest.raises(DataError, match=pattern) as exc:
        parse_idx(data, "some/file")
    assert "some/file" in str(exc.value) and "replace it" in str(exc.value)


def test_parse_idx_can_insist_on_a_kind() -> None:
    with pytest.raises(DataError, match=r"0x00000801 .*0x00000803 \(images\)"):
        parse_idx(idx_bytes(np.zeros(3, np.uint8)), "labels-not-images", kind="images")


def test_read_idx_wraps_os_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_idx(tmp_path / "absent")
    with pytest.raises(DataError, match="is a folder"):
        read_idx(tmp_path)
    (tmp_path / "labels").write_bytes(idx_bytes(np.arange(3, dtype=np.uint8)))
    assert read_idx(tmp_path / "labels").tolist() == [0, 1, 2]


def assert_consistent_with_header(data: bytes, array: np.ndarray) -> None:
    magic = int.from_bytes(data[:4], "big")
    assert magic in (IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC)
    ndim = data[3]
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    assert isinstance(array, np.ndarray)
    assert array.dtype == np.uint8 and array.shape == dims
    assert array.tobytes() == data[4 + 4 * ndim :]


def parse_or_reject(data: bytes) -> None:
    try:
        array = parse_idx(data, "fuzz")
    except DataError:
        return
    assert_consistent_with_header(data, array)


@st.composite
def mutated_idx(draw: st.DrawFn) -> bytes:
    """A valid small IDX file with random byte edits, truncation or padding applied."""
    if draw(st.booleans()):
        shape: tuple[int, ...] = (draw(st.integers(0, 20)),)
    else:
        shape = tuple(draw(st.integers(0, 4)) for _ in range(3))
    body = draw(st.binary(min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    data = bytearray(idx_bytes(np.frombuffer(body, np.uint8).reshape(shape)))
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if data:
            data[position] = draw(st.integers(0, 255))
    cut = draw(st.one_of(st.none(), st.integers(0, len(data))))
    if cut is not None:
        del data[cut:]
    data += draw(st.binary(max_size=3))
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=64),
        st.tuples(
            st.sampled_from([b"\x00\x00\x08\x01", b"\x00\x00\x08\x03"]), st.binary(max_size=64)
        ).map(b"".join),
        mutated_idx(),
    )
)
def test_parse_idx_never_fails_otherwise(data: bytes) -> None:
    parse_or_reject(data)


def test_parse_idx_rejects_unrepresentable_empty_shapes() -> None:
    data = IDX_IMAGES_MAGIC.to_bytes(4, "big") + bytes(4) + b"\xff" * 8
    with pytest.raises(DataError, match="cannot be represented"):
        parse_idx(data, "huge-empty")


# --------------------------------------------------------------------------- subsets, description


def test_subset_is_stratified_deterministic_and_identified() -> None:
    data = load_mnist()
    a = data.subset(500, 100, seed=1)
    b = data.subset(500, 100, seed=1)
    c = data.subset(500, 100, seed=2)
    assert a.train_x.shape == (500, 1, 28, 28) and a.test_x.shape == (100, 1, 28, 28)
    assert torch.bincount(a.train_y).tolist() == [50] * 10
    assert torch.equal(a.train_x, b.train_x) and a.identity == b.identity
    assert not torch.equal(a.train_x, c.train_x) and a.identity != c.identity
    assert len({a.identity, data.identity, data.subset(500, None, 1).identity}) == 3
    assert a.kind == "sample" and "subset" in a.source and "seed 1" in a.source


def test_subset_of_everything_is_the_data_itself() -> None:
    data = load_mnist()
    assert data.subset(None, None, seed=3) is data
    assert data.subset(3000, 1000, seed=3) is data


def test_subset_bad_requests() -> None:
    data = load_mnist()
    with pytest.raises(DataError, match=r"5,000 train.*only 3,000.*EX3_DATA_DIR"):
        data.subset(5000, None, seed=0)
    with pytest.raises(UsageError):
        data.subset(0, None, seed=0)
    with pytest.raises(UsageError):
        data.subset(10, None, seed=-1)


def test_data_object_is_never_compared_by_tensor() -> None:
    data = load_mnist()
    twin = MnistData(**{f: getattr(data, f) for f in data.__dataclass_fields__})
    assert data == data and data != twin
    assert isinstance(hash(data), int)
    assert len(repr(data)) < 400 and "sample" in repr(data)


def test_describe_sample() -> None:
    [entry] = describe_source()
    assert entry["source"] == "sample" and entry["official"] is False
    assert entry["size"] == SAMPLE_PATH.stat().st_size
    assert entry["sha256"] == hashlib.sha256(SAMPLE_PATH.read_bytes()).hexdigest()
    assert "LeCun" in entry["attribution"] and entry["licence"] == "CC BY-SA 3.0"


@needs_official
def test_describe_official_directory() -> None:
    entries = describe_source(SHARED_MNIST)
    assert [e["file"] for e in entries] == list(OFFICIAL_FILES)
    for e in entries:
        assert e["official"] is True and e["problem"] is None
        assert (e["size"], e["sha256"]) == OFFICIAL_FILES[e["file"]]
        assert e["sha256"] == e["expected_sha256"]


def test_describe_reports_damage_without_raising(make_root) -> None:
    root, raw = make_root(copy=[TEST_LABELS], omit=[TRAIN_LABELS])
    with open(raw / TEST_LABELS, "r+b") as f:
        f.truncate(100)
    entries = {e["file"]: e for e in describe_source(root)}
    assert entries[TRAIN_LABELS]["problem"] == "missing"
    assert entries[TEST_LABELS]["problem"] == "size differs"
    assert entries[TEST_LABELS]["official"] is False
    assert entries[TRAIN_IMAGES]["official"] is True


def test_describe_rejects_a_bad_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        describe_source(tmp_path / "gone")
