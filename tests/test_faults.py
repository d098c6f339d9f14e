"""Faults and hostile input: each ends in one line and a documented exit code, nothing half-done.

A person (or a CI job) who points ``ex3`` at a broken cache folder, a data
folder with a FIFO in it, an output folder with a folder where a file goes,
or who presses Ctrl-C during parallel training, must get one line naming the
problem and the fix, exit 2 (130, 143; 3 for a bug, with the traceback in a
log), no training wasted where the problem was knowable up front, and no
output set that mixes two runs. The run cache must never serve an entry that
was damaged or edited. Everything here uses the toy and page claims, the
bundled MNIST sample or tiny fake jobs, so it runs in seconds.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from ex3 import cli
from ex3.data.diagnostics import describe_source
from ex3.data.official import OFFICIAL_FILES, TRAIN_IMAGES, TRAIN_LABELS
from ex3.engine.workers import RemoteTraceback, WorkerDied, WorkerPool
from ex3.errors import CacheError, DataError, OutputError
from ex3.report import outputs
from ex3.training import cache, entries
from tests import fault_jobs
from tests.test_cli import HAVE_OFFICIAL, SHARED_MNIST, assert_one_line_error, invoke


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A private cache folder, no data folder from the environment, no retrained entries yet."""
    monkeypatch.setenv("EX3_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EX3_DATA_DIR", raising=False)
    monkeypatch.delenv("EX3_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "_RETRAINED", [])


@pytest.fixture
def no_hang():
    """Fail a test that blocks (e.g. in open() on a FIFO) instead of hanging the suite."""
    def expire(signum, frame):
        raise TimeoutError("blocked for 60 s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def fake_raw(root: Path, skip: tuple[str, ...] = ()) -> Path:
    """A torchvision root whose MNIST/raw holds small fake files under the official names."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in OFFICIAL_FILES:
        if name not in skip:
            (raw / name).write_bytes(b"not mnist")
    return raw


# --------------------------------------------------------------------------- the cache folder


@pytest.mark.parametrize("below", [False, True])
def test_a_cache_folder_that_is_or_lies_below_a_file_exits_2_before_anything(
        below, capsys, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("EX3_CACHE_DIR", str(blocker / "sub" if below else blocker))
    out = tmp_path / "out"
    code, printed, err = invoke(["verify", "--only", "G1", "--out", str(out)], capsys)
    assert_one_line_error(code, err, str(blocker), "is a file", "EX3_CACHE_DIR")
    assert "G1" not in printed and not out.exists()


def test_a_read_only_cache_folder_exits_2(capsys, tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(cache.tempfile, "TemporaryFile", read_only)
    code, printed, err = invoke(["verify", "--only", "G1", "--out", str(tmp_path / "o")], capsys)
    assert_one_line_error(code, err, "run cache folder", "Read-only file system", "EX3_NO_CACHE")
    assert "G1" not in printed


def test_no_cache_skips_the_cache_folder_check(capsys, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("EX3_CACHE_DIR", str(blocker))
    monkeypatch.setenv("EX3_NO_CACHE", "1")
    code, _, err = invoke(["verify", "--only", "G1", "--out", str(tmp_path / "o")], capsys)
    assert code == 0, err


def _no_dac_override() -> list[str]:
    """A command prefix under which file permissions apply (root ignores them), or skip."""
    if os.geteuid() != 0:
        return []
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    if probe.returncode != 0:
        pytest.skip("running as root and setpriv cannot drop CAP_DAC_OVERRIDE here")
    return prefix


def test_real_permissions_cache_folder_and_data_folder(tmp_path):
    """The two permission cases for real, in a process to which file modes apply."""
    prefix = _no_dac_override()
    read_only = tmp_path / "ro-cache"
    read_only.mkdir(mode=0o555)
    raw = fake_raw(tmp_path / "mnist")
    raw.chmod(0)
    env = {**os.environ, "EX3_CACHE_DIR": str(read_only)}
    command = [*prefix, sys.executable, "-m", "ex3.cli"]
    try:
        cached_run = subprocess.run([*command, "verify", "--only", "G1", "--out",
                                     str(tmp_path / "o")], capture_output=True, text=True,
                                    env=env, timeout=300)
        env["EX3_CACHE_DIR"] = str(tmp_path / "cache")
        data_run = subprocess.run([*command, "data", "--data-dir", str(tmp_path / "mnist")],
                                  capture_output=True, text=True, env=env, timeout=300)
    finally:
        raw.chmod(0o755)
        read_only.chmod(0o755)
    assert_one_line_error(cached_run.returncode, cached_run.stderr, "Permission denied")
    assert_one_line_error(data_run.returncode, data_run.stderr, str(raw), "chmod a+rx")


# --------------------------------------------------------------------------- the data folder


def test_an_unreadable_raw_folder_exits_2_for_verify_and_data(capsys, tmp_path, monkeypatch):
    raw = fake_raw(tmp_path)
    real_stat = os.stat

    def guarded_stat(path, *args, **kwargs):
        if isinstance(path, str | os.PathLike) and Path(path).parent == raw:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", guarded_stat)
    for argv in (["verify", "--only", "S1", "--out", str(tmp_path / "o")], ["data"]):
        code, printed, err = invoke([*argv, "--data-dir", str(tmp_path)], capsys)
        assert_one_line_error(code, err, str(raw), "permission denied", "chmod a+rx")
        assert "S1" not in printed


def test_a_fifo_is_refused_never_opened(capsys, tmp_path, no_hang):
    raw = fake_raw(tmp_path, skip=(TRAIN_IMAGES,))
    os.mkfifo(raw / TRAIN_IMAGES)
    code, _, err = invoke(["verify", "--only", "S1", "--data-dir", str(tmp_path),
                           "--out", str(tmp_path / "o")], capsys)
    assert_one_line_error(code, err, str(raw / TRAIN_IMAGES), "FIFO")
    code, printed, err = invoke(["data", "--data-dir", str(tmp_path)], capsys)
    assert_one_line_error(code, err, "FIFO")
    assert "FIFO" in next(line for line in printed.splitlines() if TRAIN_IMAGES in line)


@pytest.mark.skipif(not HAVE_OFFICIAL, reason=f"no official MNIST in {SHARED_MNIST}")
def test_a_fifo_in_place_of_the_training_labels_is_refused(capsys, tmp_path, no_hang):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in OFFICIAL_FILES:
        if name != TRAIN_LABELS:
            (raw / name).symlink_to(SHARED_MNIST / "MNIST" / "raw" / name)
    os.mkfifo(raw / TRAIN_LABELS)
    code, _, err = invoke(["verify", "--only", "S1", "--data-dir", str(tmp_path),
                           "--out", str(tmp_path / "o")], capsys)
    assert_one_line_error(code, err, str(raw / TRAIN_LABELS), "FIFO")


@pytest.mark.parametrize("link", ["loop", "dangling"])
def test_a_data_folder_that_is_a_bad_link_is_named_as_such(link, capsys, tmp_path):
    folder = tmp_path / "data"
    if link == "loop":
        (tmp_path / "other").symlink_to(folder)
        folder.symlink_to(tmp_path / "other")
    else:
        folder.symlink_to(tmp_path / "nowhere")
    code, _, err = invoke(["data", "--data-dir", str(folder)], capsys)
    words = "symbolic link loop" if link == "loop" else "symbolic link to nothing"
    assert_one_line_error(code, err, str(folder), words)


def test_a_compressed_copy_beside_a_missing_file_is_mentioned(capsys, tmp_path):
    raw = fake_raw(tmp_path, skip=(TRAIN_IMAGES,))
    (raw / f"{TRAIN_IMAGES}.gz").write_bytes(b"\x1f\x8b")
    code, _, err = invoke(["verify", "--only", "S1", "--data-dir", str(tmp_path),
                           "--out", str(tmp_path / "o")], capsys)
    assert_one_line_error(code, err, f"{TRAIN_IMAGES}.gz", "gunzip")


def test_an_empty_data_dir_means_unset_everywhere(capsys, monkeypatch, tmp_path):
    from ex3.cli.common import context

    args = cli.build_parser().parse_args(["verify", "--data-dir", ""])
    assert context(args).data_dir is None
    monkeypatch.chdir(tmp_path)  # an empty path would otherwise mean this folder
    assert describe_source("")[0]["source"] == "sample"
    code, printed, _ = invoke(["data", "--data-dir", ""], capsys)
    assert code == 0 and "bundled sample" in printed


# --------------------------------------------------------------------------- the output folder


@pytest.mark.parametrize(("argv", "name"), [
    (["verify", "--only", "S1"], "verdicts.json"),
    (["verify", "--only", "S1"], "verdicts.md"),
    (["verify", "--only", "S1"], "report.html"),
    (["verify", "--only", "T1"], "toy_loss_curves.png"),
    (["stability", "--only", "G1"], "stability.md"),
])
def test_an_output_path_that_is_a_folder_exits_2_before_any_claim_runs(
        argv, name, capsys, tmp_path):
    out = tmp_path / "out"
    (out / name).mkdir(parents=True)
    code, printed, err = invoke([*argv, "--out", str(out)], capsys)
    assert_one_line_error(code, err, str(out / name), "is a folder", "--out")
    assert argv[-1] not in printed
    assert sorted(p.name for p in out.iterdir()) == [name]


def test_an_output_path_that_is_a_fifo_exits_2(capsys, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "report.html")
    code, _, err = invoke(["verify", "--only", "G1", "--out", str(out)], capsys)
    assert_one_line_error(code, err, "report.html", "FIFO")


def test_a_refused_run_leaves_the_previous_output_set_untouched(capsys, tmp_path):
    out = tmp_path / "out"
    code, _, err = invoke(["verify", "--only", "G1", "--out", str(out)], capsys)
    assert code == 0, err
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "verdicts.md").unlink()
    (out / "verdicts.md").mkdir()
    code, _, err = invoke(["verify", "--only", "G1,C1", "--out", str(out)], capsys)
    assert code == 2
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == {k: v for k, v in before.items() if k != "verdicts.md"}


def test_a_failure_while_writing_the_set_leaves_the_old_one_and_no_temporary_files(
        tmp_path, monkeypatch):
    out = tmp_path / "out"
    outputs.commit_outputs(out, {"verdicts.json": "old", "verdicts.md": "old",
                                 "report.html": "old"})
    real_stage = outputs.stage
    staged: list[str] = []

    def full_disk(folder, name, data):
        staged.append(name)
        if len(staged) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_stage(folder, name, data)

    monkeypatch.setattr(outputs, "stage", full_disk)
    with pytest.raises(OutputError, match="No space left on device"):
        outputs.commit_outputs(out, {"verdicts.json": "new", "verdicts.md": "new",
                                     "report.html": "new"})
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "verdicts.json": "old", "verdicts.md": "old", "report.html": "old"}
    assert staged[-1] != "verdicts.json", "verdicts.json is written last"


def test_an_empty_ex3_out_means_the_default_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EX3_OUT", "")
    code, _, err = invoke(["verify", "--only", "G1"], capsys)
    assert code == 0, err
    assert (tmp_path / "ex3-out" / "verdicts.json").is_file()
    assert not (tmp_path / "verdicts.json").exists()


@pytest.mark.parametrize("name", ["EX3_OUT", "EX3_CACHE_DIR", "EX3_PROFILE"])
def test_blank_environment_variables_are_unset(name, monkeypatch):
    from ex3 import config

    monkeypatch.delenv(name, raising=False)
    unset = (config.out_dir_from_env(), config.cache_dir(), config.profile_from_env())
    monkeypatch.setenv(name, "  ")
    assert (config.out_dir_from_env(), config.cache_dir(), config.profile_from_env()) == unset


def test_only_given_twice_runs_both(capsys, tmp_path):
    args = cli.build_parser().parse_args(["verify", "--only", "S1", "--only", "G1,C1"])
    assert cli.parse_ids(args.only) == ["S1", "G1", "C1"]
    code, _, err = invoke(["verify", "--only", "G1", "--only", "C1", "--out", str(tmp_path)],
                          capsys)
    assert code == 0, err
    doc = json.loads((tmp_path / "verdicts.json").read_text())
    assert [c["id"] for c in doc["claims"]] == ["G1", "C1"]


# --------------------------------------------------------------------------- exit codes


@pytest.mark.parametrize(("raised", "code", "line"), [
    (KeyboardInterrupt, 130, "ex3: interrupted"),
    ("SIGTERM", 143, "ex3: terminated (SIGTERM)"),
])
def test_interruptions_have_their_own_exit_codes(raised, code, line, capsys, monkeypatch):
    def handler(args):
        if raised != "SIGTERM":
            raise raised
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)  # the handler's Terminated ends this at once
        return 0

    monkeypatch.setattr(cli, "run_data", handler)
    before = signal.getsignal(signal.SIGTERM)
    got, _, err = invoke(["data"], capsys)
    assert (got, err.strip()) == (code, line)
    assert signal.getsignal(signal.SIGTERM) is before


def test_an_internal_error_exits_3_naming_a_log_with_the_traceback(capsys, monkeypatch):
    def handler(args):
        return 1 / 0

    monkeypatch.setattr(cli, "run_data", handler)
    code, _, err = invoke(["data"], capsys)
    assert code == 3
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "ZeroDivisionError" in lines[0] and "Traceback" not in err
    log = Path(lines[0].split("the traceback is in ")[1].split(";")[0])
    text = log.read_text()
    assert "Traceback" in text and "1 / 0" in text and "ex3 data" in text


# --------------------------------------------------------------------------- the run cache


def compute(value: float = 0.5):
    def run():
        return ({"history": {"acc": value}, "spec": {"model": "tiny"}},
                {"w": torch.full((3,), value)})
    return run


def test_each_entry_records_its_key_and_the_sha256_of_its_files():
    cache.cached("k1", compute())
    manifest = json.loads((cache.runs_dir() / "k1" / entries.MANIFEST).read_text())
    assert manifest["key"] == "k1" and set(manifest["files"]) == {"meta.json", "model.pt"}
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())


def _edit_same_length(entry: Path) -> None:
    meta = entry / "meta.json"
    meta.write_text(meta.read_text().replace("0.5", "0.9"))


@pytest.mark.parametrize(("damage", "reason"), [
    (lambda e: (e / "meta.json").write_text("{}"), "meta.json is 2 bytes"),
    (_edit_same_length, "sha256 of meta.json"),
    (lambda e: (e / "model.pt").write_bytes(b"x" * (e / "model.pt").stat().st_size),
     "sha256 of model.pt"),
    (lambda e: (e / entries.MANIFEST).unlink(), "without checksums"),
    (lambda e: (e / "model.pt").unlink() or os.mkfifo(e / "model.pt"), "FIFO"),
])
def test_a_damaged_or_edited_entry_is_reported_removed_and_recomputed(damage, reason, capsys,
                                                                      no_hang):
    cache.cached("k2", compute(0.5))
    damage(cache.runs_dir() / "k2")
    meta, state, hit = cache.cached("k2", compute(0.25))
    assert not hit and meta["history"] == {"acc": 0.25} and float(state["w"][0]) == 0.25
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "k2" in err[0] and reason in err[0] and "removed" in err[0]
    retrained = cache.retrained_entries()
    assert [e["key"] for e in retrained] == ["k2"] and reason in retrained[0]["reason"]
    assert cache.cached("k2", compute(0.75))[2], "the recomputed entry is served again"


def test_an_entry_copied_under_another_key_is_refused():
    cache.cached("k3", compute(0.5))
    (cache.runs_dir() / "k3").rename(cache.runs_dir() / "k4")
    _, _, hit = cache.cached("k4", compute(0.25))
    assert not hit and "stored under key 'k3'" in cache.retrained_entries()[0]["reason"]


def test_an_entry_that_does_not_restore_is_retrained():
    def restore(meta, state):
        return meta["history"]["records"]  # this caller's format, which the entry lacks

    cache.cached("k5", compute(0.5))
    _, _, hit = cache.cached("k5", compute(0.25), validate=restore)
    assert not hit and "KeyError" in cache.retrained_entries()[0]["reason"]


def test_leftovers_of_an_interrupted_writer_are_removed():
    cache.check_cache_dir()
    leftover = cache.runs_dir() / ".k6.abc123"
    leftover.mkdir()
    (leftover / "meta.json").write_text("half")
    cache.cached("k6", compute())
    assert not leftover.exists()


def test_a_cache_that_cannot_be_written_is_a_cache_error(monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(entries, "write_entry", full)
    with pytest.raises(CacheError, match="No space left on device"):
        cache.cached("k7", compute())


def _sample_run():
    from ex3.data.mnist import load_mnist
    from ex3.training.loop import TrainConfig
    from ex3.training.runs import RunSpec

    return RunSpec("linear", TrainConfig("adam", 1e-3, 32, 1, 0), 64, 64), load_mnist()


def _reseal(entry: Path) -> None:
    """Rewrite the manifest to match edited files, as a careful tamperer would."""
    import hashlib

    manifest = json.loads((entry / entries.MANIFEST).read_text())
    for name in ("meta.json", "model.pt"):
        data = (entry / name).read_bytes()
        manifest["files"][name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (entry / entries.MANIFEST).write_text(json.dumps(manifest))


def test_a_resealed_entry_of_another_model_or_without_history_is_retrained():
    """Even with matching checksums, an entry must restore into the run's own model."""
    from ex3.training import runner, runs

    spec, data = _sample_run()
    first = runner.run(spec, data)
    entry = cache.runs_dir() / runs.run_key_for(spec, data)
    torch.save({"0.weight": torch.zeros(2, 2)}, entry / "model.pt")
    _reseal(entry)
    again = runner.run(spec, data)
    assert not again.from_cache
    assert again.history.records[-1].test_acc == first.history.records[-1].test_acc
    (entry / "meta.json").write_text("{}")
    _reseal(entry)
    assert not runner.run(spec, data).from_cache
    reasons = [e["reason"] for e in cache.retrained_entries()]
    assert "state_dict" in reasons[0] and "KeyError" in reasons[1]
    assert runner.run(spec, data).from_cache


def test_a_damaged_entry_does_not_count_as_cached_for_the_workers():
    from ex3.engine.parallel import is_cached
    from ex3.training import runs

    spec, data = _sample_run()
    key = runs.run_key_for(spec, data)
    cache.cached(key, compute())
    assert is_cached(spec, data)
    (cache.runs_dir() / key / "meta.json").write_text("{}")
    assert not is_cached(spec, data)


def test_ex3_cache_list_verify_and_clear(capsys):
    cache.cached("good", compute())
    cache.cached("bad", compute())
    _edit_same_length(cache.runs_dir() / "bad")
    code, printed, _ = invoke(["cache", "list"], capsys)
    rows = {line.split()[0]: line for line in printed.splitlines()}
    assert code == 0 and rows["good"].endswith("verified") and "tiny" in rows["good"]
    assert "DAMAGED" in rows["bad"] and "2 entries" in printed and "1 damaged" in printed
    code, printed, _ = invoke(["cache", "verify"], capsys)
    assert code == 1 and "DAMAGED" in printed
    code, printed, _ = invoke(["cache", "clear"], capsys)
    assert code == 0 and "removed 2 entries" in printed
    assert entries.entry_paths(cache.runs_dir()) == []
    code, printed, _ = invoke(["cache", "verify"], capsys)
    assert code == 0 and "no entries" in printed


def test_ex3_cache_on_a_cache_folder_that_is_a_file_exits_2(capsys, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("EX3_CACHE_DIR", str(blocker))
    code, _, err = invoke(["cache", "list"], capsys)
    assert_one_line_error(code, err, str(blocker), "is a file")


# --------------------------------------------------------------------------- workers and signals


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, dead but not yet reaped, counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
@pytest.mark.parametrize("use_prctl", [True, False])
def test_a_watched_worker_dies_with_its_parent(use_prctl):
    """Kill the parent (SIGKILL, no cleanup): its child must end within seconds."""
    child = ("import os, time\n"
             "from ex3.engine.workers import watch_parent\n"
             f"watch_parent(os.getppid(), interval=0.1, use_prctl={use_prctl})\n"
             "print(os.getpid(), flush=True)\n"
             "time.sleep(60)\n")
    parent = ("import subprocess, sys, time\n"
              f"subprocess.Popen([sys.executable, '-c', {child!r}])\n"
              "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True)
    worker = int(proc.stdout.readline())  # type: ignore[union-attr]
    try:
        assert _alive(worker)
        proc.kill()
        proc.wait(30)
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker), "the worker outlived its parent"
    finally:
        if _alive(worker):
            os.kill(worker, signal.SIGKILL)


def test_an_interrupt_stops_every_worker_and_starts_no_queued_task(tmp_path):
    pool = WorkerPool(2, fault_jobs.mark_and_sleep)
    tasks = [(str(tmp_path), 0, 0.1)] + [(str(tmp_path), i, 60.0) for i in range(1, 6)]
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt), pool:
        for _ in pool.map_unordered(tasks):
            raise KeyboardInterrupt  # Ctrl-C, once the short task is done
    assert time.monotonic() - start < 30
    assert not any(p.is_alive() for p in pool.processes)
    time.sleep(0.3)
    started = {p.name for p in tmp_path.glob("started-*")}
    assert started <= {"started-0", "started-1", "started-2"}
    assert {p.name for p in tmp_path.glob("finished-*")} == {"finished-0"}


def test_workers_ignore_ctrl_c_which_the_parent_handles(tmp_path):
    with WorkerPool(1, fault_jobs.mark_and_sleep) as pool:
        results = pool.map_unordered([(str(tmp_path), 0, 1.0)])
        while not (tmp_path / "started-0").exists():
            time.sleep(0.02)
        os.kill(pool.processes[0].pid, signal.SIGINT)  # type: ignore[arg-type]
        assert list(results) == [(0, 0)]
    assert pool.processes[0].exitcode == 0


def test_a_task_error_reaches_the_parent_with_the_workers_traceback():
    with pytest.raises(DataError, match="bad folder") as caught, \
            WorkerPool(1, fault_jobs.fail_with_data_error) as pool:
        list(pool.map_unordered([("bad folder",)]))
    assert isinstance(caught.value.__cause__, RemoteTraceback)
    assert "fail_with_data_error" in str(caught.value.__cause__)
    assert not any(p.is_alive() for p in pool.processes)


def test_a_worker_that_dies_is_an_error_not_a_hang():
    with pytest.raises(WorkerDied, match="exit code 7"), \
            WorkerPool(1, fault_jobs.die) as pool:
        list(pool.map_unordered([(7,)]))


def test_prefetch_workers_report_the_damaged_entries_they_retrain(monkeypatch):
    from ex3.engine import parallel
    from ex3.engine.claim import RunContext
    from ex3.training import runner, runs

    spec, data = _sample_run()
    runner.run(spec, data)
    key = runs.run_key_for(spec, data)
    (cache.runs_dir() / key / "meta.json").write_text("{}")
    monkeypatch.setattr(parallel, "planned_runs", lambda claims, ctx: [spec])
    report = parallel.prefetch([], RunContext(), workers=2)
    assert (report.planned, report.trained, report.unseen) == (1, 1, 0)
    assert [e["key"] for e in cache.retrained_entries()] == [key]
