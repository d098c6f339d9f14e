"""The speed targets, each measured against its straightforward form in the same process.

* a LeNet training epoch (all 60,000 images, batch 128, Adam) and an
  autoencoder epoch with its evaluation (batch 256): ours against a plain
  torch loop with torch's defaults, each epoch in a fresh process
  (``ex3.bench.epochs``);
* the toy study (every seed, function and model): ``run_study``'s stacked
  program against ``run_one`` called once per run;
* the quick claims suite: ``pytest claims/`` in a subprocess with a fresh
  run cache (cold: every run trained) and again on the cache it filled (warm).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ex3.bench import targets as T
from ex3.bench.epochs import Epoch, epoch_in_subprocess
from ex3.config import suite_environment
from ex3.data.toy import FUNCTIONS
from ex3.studies.toy import study as toy_study
from ex3.training.threads import intra_op_threads


@dataclass(frozen=True)
class SpeedComparison:
    """Seconds of the straightforward form and of ours; ``estimated`` when scaled, not run."""

    straightforward_s: float
    ours_s: float
    target_s: float
    estimated: bool = False

    @property
    def speedup(self) -> float:
        return self.straightforward_s / self.ours_s

    def line(self, what: str) -> str:
        verdict = "meets" if self.ours_s <= self.target_s else "MISSES"
        scaled = " (straightforward scaled from a subset)" if self.estimated else ""
        return (f"{what}: {self.ours_s:.2f} s, straightforward {self.straightforward_s:.2f} s"
                f"{scaled}: {self.speedup:.2f}x faster; target {self.target_s:g} s: {verdict} "
                f"(ours/target = {self.ours_s / self.target_s:.2f})")


@dataclass(frozen=True)
class EpochComparison:
    """Epochs of one workload, plain and ours alternating, each in a fresh process."""

    workload: str
    plain: list[Epoch]
    ours: list[Epoch]
    target_s: float

    @staticmethod
    def _spread(epochs: list[Epoch], attr: str = "seconds") -> str:
        values = [getattr(e, attr) for e in epochs]
        return f"min {min(values):.2f} s, median {statistics.median(values):.2f} s"

    @property
    def ratio(self) -> float:
        """Plain over ours, of the fastest epochs (the least disturbed by other processes)."""
        return min(e.seconds for e in self.plain) / min(e.seconds for e in self.ours)

    def lines(self, what: str) -> list[str]:
        best = min(e.seconds for e in self.ours)
        verdict = "meets" if best <= self.target_s else "MISSES"
        lines = [f"{what}: ours {self._spread(self.ours)} on {self.ours[0].threads} thread(s); "
                 f"plain torch loop, torch defaults ({self.plain[0].threads} threads) "
                 f"{self._spread(self.plain)}: plain/ours = {self.ratio:.2f}; target "
                 f"{self.target_s:g} s: {verdict} (ours/target = {best / self.target_s:.2f}); "
                 f"{len(self.ours)} round(s)"]
        if self.ours[0].test_loss is not None:
            share = (min(e.eval_seconds for e in self.ours)
                     / min(e.train_seconds for e in self.ours))
            lines.append(f"  of which evaluation: ours {self._spread(self.ours, 'eval_seconds')}"
                         f", plain {self._spread(self.plain, 'eval_seconds')}; ours' "
                         f"evaluation / training = {share:.2f}")
        return lines


def epoch_comparison(workload: str, rounds: int, target_s: float) -> EpochComparison:
    """``rounds`` epochs of each form, alternating, so a drift of the load hits both alike."""
    plain: list[Epoch] = []
    ours: list[Epoch] = []
    for _ in range(rounds):
        plain.append(epoch_in_subprocess(workload, "plain"))
        ours.append(epoch_in_subprocess(workload, "ours"))
    return EpochComparison(workload, plain, ours, target_s)


def toy_study_straightforward_s(protocol: toy_study.ToyProtocol) -> float:
    """Seconds of the study as ``run_one`` per seed, function and model (one thread, as ours)."""
    with intra_op_threads(1):
        start = time.perf_counter()
        for seed in protocol.seeds:
            for function in FUNCTIONS:
                for model in toy_study.SLOTS:
                    toy_study.run_one(protocol, seed, function, model)
        return time.perf_counter() - start


def toy_study_stacked_s(protocol: toy_study.ToyProtocol) -> float:
    """Seconds of ``train_study`` (``run_study`` without its memo), threads set as it sets them."""
    start = time.perf_counter()
    toy_study.train_study(protocol)
    return time.perf_counter() - start


def toy_study_comparison(straightforward_seeds: int | None = None) -> SpeedComparison:
    """The whole declared toy study, stacked, against the straightforward loop.

    ``straightforward_seeds`` runs the straightforward form on that many of
    the five seeds and scales its time by 5 / that (every seed runs the same
    number of steps), to keep the short mode short; None runs all of them.
    """
    protocol = toy_study.ToyProtocol()
    warm = toy_study.ToyProtocol(seeds=protocol.seeds[:1], epochs=1)
    toy_study_stacked_s(warm)
    toy_study_straightforward_s(warm)
    ours = toy_study_stacked_s(protocol)
    if straightforward_seeds is None:
        return SpeedComparison(toy_study_straightforward_s(protocol), ours, T.TOY_STUDY_TARGET_S)
    subset = toy_study.ToyProtocol(seeds=protocol.seeds[:straightforward_seeds])
    scale = len(protocol.seeds) / straightforward_seeds
    return SpeedComparison(toy_study_straightforward_s(subset) * scale, ours, T.TOY_STUDY_TARGET_S,
                      estimated=True)


@dataclass(frozen=True)
class SuiteRun:
    """One ``pytest claims/`` subprocess: seconds, exit code and the last line it printed."""

    seconds: float
    returncode: int
    summary: str


def claims_suite(cache_dir: Path, root: Path, timeout_s: float) -> SuiteRun:
    """``pytest claims/ -q`` (quick profile) with ``cache_dir`` as the run cache."""
    env = suite_environment(cache_dir)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "claims/", "-q", "-p",
                           "no:cacheprovider", "-p", "no:randomly"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout_s, check=False)
    seconds = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.strip().splitlines() if ln.strip()]
    return SuiteRun(seconds, proc.returncode, lines[-1] if lines else proc.stderr[-300:])


def toy_robustness(out_dir: Path, workers: int, timeout_s: float) -> SuiteRun:
    """``ex3 robustness --only T1,T2,T3,T4 --workers N`` as a user runs it (a fresh process)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ex3.cli", "robustness", "--only",
                           "T1,T2,T3,T4", "--workers", str(workers), "--out", str(out_dir)],
                          capture_output=True, text=True, timeout=timeout_s, check=False)
    seconds = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.strip().splitlines() if ln.strip()]
    return SuiteRun(seconds, proc.returncode, lines[-1] if lines else proc.stderr[-300:])


def toy_neighbourhood_one_by_one_s() -> float:
    """The toy neighbourhood trained one protocol at a time, estimated from the declared one.

    Every protocol of the neighbourhood alone costs about the declared
    protocol's time scaled by its epochs (the per-sample work does not
    depend on the batch size to first order); the sum is the straightforward
    form's time, estimated rather than run (it takes minutes).
    """
    from ex3.studies.neighbourhood import neighbours
    from ex3.studies.toy.neighbourhood import NEIGHBOURHOOD

    declared = toy_study.ToyProtocol()
    one = toy_study_stacked_s(declared)
    epochs = [dict(n.overrides).get("epochs", declared.epochs)
              for n in neighbours(NEIGHBOURHOOD)]
    return one * (1 + sum(e / declared.epochs for e in epochs))
