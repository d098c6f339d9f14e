"""Options and shared machinery of the benchmarks (see benchmarks/README.md).

``--ex3-bench-full`` switches from the short mode (CI, a few minutes on 2
cores) to the full measurements; ``--ex3-update-baseline`` rewrites the
current mode's entries of ``baseline_steps.json`` with the steps measured
in this session instead of gating on them (with this machine's record).
Ratios, time-to-target lines and gate outcomes are printed in an "ex3
benchmarks" section at the end, so they show without ``-s``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ex3.bench.env import bench_environment
from ex3.bench.gate import Baseline, Measured, from_entry, machine
from ex3.bench.targets import Mode
from ex3.bench.time_to_target import Plan, TargetResult
from ex3.data.mnist import MnistData, load_mnist
from ex3.studies.contract import RunContext

BASELINE_PATH = Path(__file__).resolve().parent / "baseline_steps.json"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ex3 benchmarks")
    group.addoption("--ex3-bench-full", action="store_true", default=False,
                    help="run the full benchmark measurements (default: the short CI mode)")
    group.addoption("--ex3-update-baseline", action="store_true", default=False,
                    help="write the measured steps-to-target into baseline_steps.json "
                         "instead of gating on them")


@dataclass
class BenchReport:
    """Lines to print at the end, steps for the gate, results shared between benchmarks."""

    lines: list[str] = field(default_factory=list)
    steps: dict[str, Measured] = field(default_factory=dict)
    results: dict[str, TargetResult] = field(default_factory=dict)
    machines: str | None = None  # this machine's and the baseline's, once a gate has run

    def add(self, line: str) -> None:
        self.lines.append(line)


_REPORT = BenchReport()
_LOAD: dict[str, float] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    _LOAD["start"] = os.getloadavg()[0]


@pytest.fixture(scope="session")
def bench_mode(pytestconfig: pytest.Config) -> Mode:
    return "full" if pytestconfig.getoption("--ex3-bench-full") else "short"


@pytest.fixture(scope="session")
def baseline() -> Baseline:
    return Baseline(BASELINE_PATH)


@pytest.fixture(scope="session")
def this_machine() -> dict[str, Any]:
    """Where this session measures (recorded with an updated baseline, printed with the gate)."""
    return machine()


@pytest.fixture(scope="session")
def report() -> BenchReport:
    return _REPORT


@pytest.fixture(scope="session")
def mnist() -> MnistData:
    """The full MNIST; the benchmarks' targets and baselines mean nothing on the sample."""
    ctx = RunContext.resolve()  # the environment's data folder, else the cache, else the sample
    data = load_mnist(ctx.data_dir, origin=ctx.data_origin)
    if data.kind != "full":
        pytest.skip("needs the full MNIST (set EX3_DATA_DIR to the official files); "
                    f"found {data.source}")
    return data


@pytest.fixture
def time_to_target(request: pytest.FixtureRequest, bench_mode: Mode, baseline: Baseline,
                   report: BenchReport, this_machine: dict[str, Any]):
    """Measure a target for every seed: the first timed, the others only counting steps.

    ``measure(plan_for, seeds)`` builds ``plan_for(seed)`` for each seed. The
    first seed's run is warmed up and timed by pytest-benchmark, unless the
    baseline records that seed as not reaching the target (then it is trained
    untimed and reported as "not reached", never as a time) or has no entry
    (then it is probed untimed first and timed only if reached). The other
    seeds are trained untimed. The median of the seeds' steps goes through
    the gate unless --ex3-update-baseline is given. Returns the first seed's
    result (the one the peers compare with).
    """
    update = request.config.getoption("--ex3-update-baseline")

    def measure(plan_for: Callable[[int], Plan], seeds: Sequence[int]) -> TargetResult:
        first, *others = seeds
        plan = plan_for(first)
        name = plan.target.name
        entry = baseline.entry(bench_mode, name)
        plan.warm_up()
        if entry is not None and from_entry(entry).per_seed[0] is None:
            result = plan.run()
        else:
            result = plan.run() if entry is None else None
            if result is None or result.reached:
                benchmark = request.getfixturevalue("benchmark")
                benchmark.group = "time-to-target"
                result = benchmark.pedantic(plan.run, rounds=1, iterations=1)
                benchmark.extra_info.update({**result.extra_info(), **plan.extra,
                                             "mode": bench_mode, "seed": first,
                                             "environment": bench_environment()})
        per_seed = [result.steps]
        for seed in others:
            per_seed.append(plan_for(seed).run().steps)
        interval = plan.target.interval_steps or plan.steps_per_epoch
        measured = Measured(tuple(per_seed), interval, tuple(seeds))
        report.steps[name] = measured
        report.results[name] = result
        report.add(result.summary() + f" [seed {first}]")
        report.machines = baseline.machines(bench_mode, this_machine)
        outcome = baseline.check(bench_mode, name, measured)
        report.add("  gate: " + outcome.message)
        if not outcome.ok and not update:
            pytest.fail(f"{outcome.message}\n{report.machines}")
        return result

    return measure


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _REPORT.lines:
        terminalreporter.section("ex3 benchmarks")
        if _REPORT.machines:
            terminalreporter.write_line("gate: " + _REPORT.machines)
        for line in _REPORT.lines:
            terminalreporter.write_line(line)
        terminalreporter.write_line(
            f"machine load (1-min average): {_LOAD.get('start', float('nan')):.2f} at the start, "
            f"{os.getloadavg()[0]:.2f} at the end, on {os.cpu_count()} cores; wall times "
            "under load are not comparable with idle ones, steps are")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if session.config.getoption("--ex3-update-baseline", default=False) and _REPORT.steps:
        mode = "full" if session.config.getoption("--ex3-bench-full") else "short"
        Baseline(BASELINE_PATH).write(mode, _REPORT.steps, machine())
