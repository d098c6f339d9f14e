"""Training on a Dask cluster (``--executor dask``) changes where runs train, never a verdict.

The runs of a section are trained by Dask worker processes that keep their
own run cache, and travel back to the client, which stores them in its cache;
the claims evaluated afterwards must give the very verdicts and evidence of a
plain serial run (``--workers 1``), with no training left for evaluation.
Needs ``distributed`` (the ``test`` and ``dask`` extras); skipped without it.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pytest

from ex3 import cli
from ex3.data.mnist import load_mnist
from ex3.engine import parallel
from ex3.engine.claim import RunContext
from ex3.engine.registry import get_claim
from ex3.report.progress import Progress
from ex3.report.session import Session
from ex3.training import entries, runner, runs
from ex3.training.runs import RunSpec

distributed = pytest.importorskip(
    "distributed", reason="distributed is not installed (pip install -e '.[dask]')")

#: A tiny MNIST section on the bundled sample: 2 seeds x 3 models, one short epoch each.
TINY = RunContext(seeds=2, overrides=(("epochs", 1), ("n_train", 600), ("n_test", 300)))
CLAIMS = ("M1", "M2", "M3")
#: Wall-time fields: the only evidence allowed to differ between executors.
TIMES = {"train_seconds", "duration_s"}


def without_times(value: object) -> object:
    """``value`` without its wall-time fields, at any depth."""
    if isinstance(value, dict):
        return {k: without_times(v) for k, v in value.items() if k not in TIMES}
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


def entry_keys(cache_root: Path) -> set[str]:
    """The keys of the verified entries under a run cache root."""
    found = set()
    for entry in entries.entry_paths(cache_root / "runs"):
        entries.verify_entry(entry)
        found.add(entry.name)
    return found


def evaluate(claim_ids: tuple[str, ...], ctx: RunContext) -> dict[str, tuple[str, object]]:
    session = Session(ctx)
    return {cid: (str(r.verdict), without_times(r.evidence))
            for cid in claim_ids for r in [session.run(get_claim(cid))]}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    """Two worker processes whose run cache is a folder of their own, not the client's."""
    worker_cache = tmp_path_factory.mktemp("worker-cache")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, env={"EX3_CACHE_DIR": str(worker_cache),
                                                               "EX3_DATA_DIR": ""}) as local:
        yield local, worker_cache


@pytest.fixture(autouse=True)
def bundled_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EX3_DATA_DIR", raising=False)
    monkeypatch.delenv("EX3_NO_CACHE", raising=False)


def test_a_section_trained_on_dask_gives_the_serial_verdicts_and_evidence(
        cluster, tmp_path, monkeypatch):
    local, worker_cache = cluster
    claims = [get_claim(c) for c in CLAIMS]
    client_cache = tmp_path / "client-cache"
    monkeypatch.setenv("EX3_CACHE_DIR", str(client_cache))
    planned = parallel.planned_runs(claims, TINY)
    assert len(planned) == 6

    start = time.perf_counter()
    report = parallel.prefetch(claims, TINY, workers=2, executor="dask",
                               scheduler=local.scheduler_address)
    seconds = time.perf_counter() - start
    assert (report.executor, report.planned, report.trained, report.unseen) == ("dask", 6, 6, 0)
    assert seconds < 60

    data = load_mnist(None)
    keys = {runs.run_key_for(spec, data) for spec in planned}
    # The client stored every run it got back; the workers trained into their own cache.
    assert entry_keys(client_cache) == keys
    assert entry_keys(worker_cache) >= keys

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("evaluation trained a run the cluster should have returned")

    with monkeypatch.context() as patched:
        patched.setattr(runner, "train", no_training)
        on_dask = evaluate(CLAIMS, TINY)

    monkeypatch.setenv("EX3_CACHE_DIR", str(tmp_path / "serial-cache"))
    serial = evaluate(CLAIMS, TINY)
    assert on_dask == serial


def test_workers_that_share_the_clients_cache_folder_write_each_run_once(
        cluster, monkeypatch):
    local, worker_cache = cluster
    claims = [get_claim("M2")]
    other = RunContext(seeds=1, overrides=(("epochs", 1), ("n_train", 200), ("n_test", 100)),
                       master_seed=3)
    monkeypatch.setenv("EX3_CACHE_DIR", str(worker_cache))  # the workers' own folder
    progress = Recorder(io.StringIO(), enabled=False)
    report = parallel.prefetch(claims, other, workers=2, executor="dask",
                               scheduler=local.scheduler_address, progress=progress)
    assert (report.planned, report.trained, report.unseen) == (3, 3, 0)
    planned = parallel.planned_runs(claims, other)
    assert sorted(progress.finished, key=str) == sorted(planned, key=str)
    where = f"on 2 Dask workers at {local.scheduler_address}"
    assert progress.stage_label == f"training runs 3/3 {where}"
    again = parallel.prefetch(claims, other, workers=2, executor="dask",
                              scheduler=local.scheduler_address)
    assert (again.cached, again.trained) == (3, 0)


def test_prefetches_in_a_kept_block_share_one_connection(cluster, tmp_path, monkeypatch):
    from ex3.engine import dask_executor

    local, _ = cluster
    monkeypatch.setenv("EX3_CACHE_DIR", str(tmp_path / "cache"))
    opened = []
    real = dask_executor._client

    def counting(*args: object):
        opened.append(args[2])
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(dask_executor, "_client", counting)
    claims = [get_claim("M2")]
    with parallel.kept_executor("dask"):
        for master in (5, 6):  # as ex3 stability does, one prefetch per master seed
            ctx = RunContext(seeds=1, master_seed=master,
                             overrides=(("epochs", 1), ("n_train", 100), ("n_test", 100)))
            report = parallel.prefetch(claims, ctx, workers=2, executor="dask",
                                       scheduler=local.scheduler_address)
            assert report.trained == 3
    assert opened == [local.scheduler_address]
    assert dask_executor._KEPT == []


class Recorder(Progress):
    """A progress display that remembers which runs it was told had finished."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.finished: list[object] = []

    def run_finished(self, spec: RunSpec) -> None:
        self.finished.append(spec)
        super().run_finished(spec)


# --------------------------------------------------------------------------- usage errors


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    return code, capsys.readouterr().err


def assert_one_line(code: int, err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in lines[0], lines[0]


def test_dask_without_distributed_is_one_line_naming_the_fix(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    code, err = run_cli(["verify", "--only", "M2", "--executor", "dask",
                         "--out", str(tmp_path / "out")], capsys)
    assert_one_line(code, err, "distributed", 'pip install -e ".[dask]"')


def test_a_scheduler_needs_the_dask_executor(capsys, tmp_path):
    code, err = run_cli(["stability", "--only", "M2", "--scheduler", "tcp://127.0.0.1:8786",
                         "--out", str(tmp_path / "out")], capsys)
    assert_one_line(code, err, "--scheduler", "--executor dask")


def test_an_unreachable_scheduler_is_one_line_within_the_timeout(capsys, tmp_path, monkeypatch):
    from ex3.engine import dask_executor

    monkeypatch.setenv("EX3_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT_S", 2)
    start = time.perf_counter()
    code, err = run_cli(["verify", "--only", "M2", "--executor", "dask", "--scheduler",
                         "tcp://127.0.0.1:9", "--quiet", "--out", str(tmp_path / "out")], capsys)
    assert_one_line(code, err, "--scheduler tcp://127.0.0.1:9", "dask scheduler")
    assert time.perf_counter() - start < 15
