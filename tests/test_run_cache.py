"""The run cache: one training per key, corrupt entries recomputed, keys follow the code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ex3.training import cache


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EX3_CACHE_DIR", str(tmp_path))


def counting_compute(counter: list[int]):
    def compute():
        counter.append(1)
        return {"value": len(counter)}, {"w": torch.ones(3) * len(counter)}
    return compute


def test_second_call_is_served_from_the_cache():
    calls: list[int] = []
    meta1, state1, hit1 = cache.cached("k1", counting_compute(calls))
    meta2, state2, hit2 = cache.cached("k1", counting_compute(calls))
    assert (hit1, hit2) == (False, True)
    assert len(calls) == 1 and meta1 == meta2 and torch.equal(state1["w"], state2["w"])


def test_a_corrupt_entry_is_detected_and_recomputed():
    calls: list[int] = []
    cache.cached("k2", counting_compute(calls))
    entry = cache.runs_dir() / "k2"
    (entry / "model.pt").write_bytes(b"not a torch file")
    meta, _, hit = cache.cached("k2", counting_compute(calls))
    assert not hit and len(calls) == 2 and meta == {"value": 2}


def test_a_partial_entry_without_meta_is_recomputed():
    calls: list[int] = []
    cache.cached("k3", counting_compute(calls))
    (cache.runs_dir() / "k3" / "meta.json").unlink()
    _, _, hit = cache.cached("k3", counting_compute(calls))
    assert not hit and len(calls) == 2


def test_a_failed_computation_leaves_no_entry():
    def boom():
        raise RuntimeError("training crashed")

    with pytest.raises(RuntimeError):
        cache.cached("k4", boom)
    assert not (cache.runs_dir() / "k4").exists()
    assert not [p for p in cache.runs_dir().iterdir() if p.name.startswith(".k4")]


def test_keys_change_with_spec_data_and_code(tmp_path: Path):
    model_a = tmp_path / "a.py"
    model_a.write_text("x = 1\n")
    base = cache.run_key({"lr": 0.1}, "data1", model_a)
    assert base == cache.run_key({"lr": 0.1}, "data1", model_a)
    assert base != cache.run_key({"lr": 0.2}, "data1", model_a)
    assert base != cache.run_key({"lr": 0.1}, "data2", model_a)
    model_a.write_text("x = 2\n")
    cache.code_version.cache_clear()  # as a new process, which loads the edited code
    assert base != cache.run_key({"lr": 0.1}, "data1", model_a)


def test_disabled_cache_always_computes():
    calls: list[int] = []
    for _ in range(2):
        _, _, hit = cache.cached("k5", counting_compute(calls), enabled=False)
        assert not hit
    assert len(calls) == 2
    assert not (cache.runs_dir() / "k5").exists()


def test_a_truncated_meta_file_is_recomputed():
    calls: list[int] = []
    cache.cached("k6", counting_compute(calls))
    meta = cache.runs_dir() / "k6" / "meta.json"
    meta.write_text(json.dumps({"value": 1})[:5])
    _, _, hit = cache.cached("k6", counting_compute(calls))
    assert not hit and len(calls) == 2


def _train_once(key: str, log: str) -> None:
    import time

    def compute():
        with open(log, "a") as fh:
            fh.write("trained\n")
        time.sleep(0.5)
        return {"ok": True}, {"w": torch.zeros(1)}

    cache.cached(key, compute)


def test_two_processes_asking_for_the_same_run_train_it_once(tmp_path: Path):
    import multiprocessing

    log = tmp_path / "log.txt"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_train_once, args=("shared", str(log))) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert log.read_text().count("trained") == 1


def test_the_key_covers_every_training_module_a_run_executes():
    """A module the runner imports from the training package is hashed into the key, unless
    it only stores what a run produced (a new module the loop uses must join the key)."""
    script = ("import sys, ex3.training.runner; print(' '.join(sorted(m for m in sys.modules "
              "if m.startswith('ex3.training.'))))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    executed = {f"training/{m.rsplit('.', 1)[1]}.py" for m in out}
    storage = {"training/cache.py", "training/entries.py"}
    assert executed - storage <= set(cache.RUN_MODULES)
    package = Path(cache.__file__).resolve().parent.parent
    assert all((package / name).is_file() for name in cache.RUN_MODULES)
