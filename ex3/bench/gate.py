"""The regression gate on steps-to-target: the median over seeds, a tolerance from their spread.

Steps-to-target are deterministic for a seed, a thread count and a library
build, unlike wall times, so they can gate CI. They are not the same on
every CPU, though: the kernels' rounding (oneDNN, BLAS, the vector width
torch dispatches to) differs between machines, and a trajectory to a target
amplifies it, so one seed's record can land a few hundred steps later on
another CPU with unchanged code (the convnet at 98%: 2,000 steps on an Intel
AVX-512 machine against 1,600 on the AMD machine the baseline came from).
A changed rounding acts on such a trajectory much like a changed seed, so
the gate measures every target with several seeds
(``ex3.bench.targets.GATE_SEEDS``) and compares their median with the
baseline's, allowing the spread the seeds themselves show.

The committed baseline (``benchmarks/baseline_steps.json``) holds, per mode,
where it was measured (``machine()``) and per target the seeds, each seed's
steps (null: not reached within the budget), their median, their spread
(max - min over the seeds that reached the target) and the reading
interval. A new measurement **fails** when

* the baseline's median reached the target and the new median does not
  (a median is reached when more than half of the seeds are: 2 of 3), or
* its median exceeds ``baseline median + max(spread, 1 interval) + 1
  interval``.

Why this rule: a record can only land on a reading, so one interval is the
smallest difference there is, and a record one reading later is rounding,
not a regression (the last ``+ 1 interval``). Beyond that, a median of
fresh seeds, or of the same seeds rounded differently, falls among the
values the seeds can take, and the baseline's seeds show how far apart
those are: the ``spread``, which three seeds underestimate; its floor of
one interval keeps a target whose seeds happen to agree from gating at a
single reading. A real slowdown moves every seed, so the median moves past
the seeds' spread and fails, while one seed landing late moves it at most
to the next seed's value. A seed that does not reach the target counts in
the median as more steps than any budget, but not in the spread (which it
would make unbounded); the median rule already tolerates one such seed of
three.

Fewer steps, or reaching a target the baseline did not, pass with a note to
update the baseline. A changed reading interval is a changed protocol and
fails until the baseline is re-measured. Entries recorded before the gate
used seeds (a single seed's steps, marked ``"rule": "single-seed"``) are
compared with the rule they were recorded under: the median may take
``steps * 1.1 + 1 interval``. Wall times are compared by pytest-benchmark
(``--benchmark-compare``) and never gate.
"""

from __future__ import annotations

import datetime
import json
import math
import platform
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

#: The spread's floor and the slack beyond it, in reading intervals (the module docstring's rule).
SPREAD_FLOOR_INTERVALS = 1
SLACK_INTERVALS = 1
#: The old rule, for entries recorded with one seed: ``steps * (1 + relative) + intervals``.
SINGLE_SEED_TOLERANCE = {"relative": 0.10, "intervals": 1}
SINGLE_SEED = "single-seed"
RULE = ("fail when the median of the seeds' steps exceeds baseline median + max(spread, "
        f"{SPREAD_FLOOR_INTERVALS} interval) + {SLACK_INTERVALS} interval, or when the "
        "baseline's median reached the target and the new median does not (ex3/bench/gate.py)")
#: CPU flags worth naming in the machine record: the vector extensions kernels dispatch on.
NOTABLE_FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile", "asimd",
                 "sve")


def median_steps(per_seed: Sequence[int | None]) -> float | None:
    """The median of the seeds' steps, a seed not reaching the target counting as infinitely many.

    None (not reached) unless more than half of the seeds reached the target.
    """
    if not per_seed:
        return None
    value = statistics.median(math.inf if s is None else s for s in per_seed)
    return None if math.isinf(value) else float(value)


def spread_steps(per_seed: Sequence[int | None]) -> int | None:
    """Max - min of the steps of the seeds that reached the target (None: none did)."""
    reached = [s for s in per_seed if s is not None]
    return max(reached) - min(reached) if reached else None


def allowed_steps(median: float, spread: int | None, interval: int) -> float:
    """The largest median that passes against a baseline ``median`` and ``spread``."""
    return (median + max(spread or 0, SPREAD_FLOOR_INTERVALS * interval)
            + SLACK_INTERVALS * interval)


def single_seed_allowed_steps(steps: int, interval: int) -> float:
    """The largest median that passes against an entry recorded with one seed (the old rule)."""
    return (steps * (1 + SINGLE_SEED_TOLERANCE["relative"])
            + SINGLE_SEED_TOLERANCE["intervals"] * interval)


def _num(value: float | None) -> str:
    return "not reached" if value is None else f"{value:g}"


def _steps_list(per_seed: Sequence[int | None]) -> str:
    return ", ".join("not reached" if s is None else str(s) for s in per_seed)


@dataclass(frozen=True)
class Measured:
    """What the gate compares: each seed's steps to target (None: not reached), the interval."""

    per_seed: tuple[int | None, ...]
    interval: int
    seeds: tuple[int, ...] = ()

    @property
    def median(self) -> float | None:
        return median_steps(self.per_seed)

    @property
    def spread(self) -> int | None:
        return spread_steps(self.per_seed)

    def describe(self) -> str:
        """``median 1600 (seeds 0, 1, 2: 1500, 1600, 1700; spread 200)``."""
        seeds = f"seeds {', '.join(map(str, self.seeds))}: " if self.seeds else ""
        spread = "" if self.spread is None else f"; spread {self.spread}"
        return f"median {_num(self.median)} ({seeds}{_steps_list(self.per_seed)}{spread})"

    def entry(self) -> dict[str, Any]:
        """The baseline entry recording this measurement (median and spread for the reader)."""
        median = self.median
        return {"seeds": list(self.seeds), "steps": list(self.per_seed),
                "median": int(median) if median is not None and median.is_integer() else median,
                "spread": self.spread, "interval": self.interval}


@dataclass(frozen=True)
class GateOutcome:
    """The comparison of one benchmark with its baseline."""

    name: str
    ok: bool
    message: str


def from_entry(entry: dict[str, Any]) -> Measured:
    """The measurement a baseline entry records (an old single-seed entry: one seed)."""
    steps = entry.get("steps")
    per_seed = tuple(steps) if isinstance(steps, list) else (steps,)
    return Measured(per_seed, int(entry["interval"]), tuple(entry.get("seeds", ())))


def is_single_seed(entry: dict[str, Any]) -> bool:
    """Whether an entry was recorded with one seed under the old rule."""
    return entry.get("rule") == SINGLE_SEED or not isinstance(entry.get("steps"), list)


def compare(name: str, measured: Measured, baseline: dict[str, Any] | None) -> GateOutcome:
    """Gate one measurement against its baseline entry (None: no entry yet, which passes)."""
    now = measured.describe()
    if baseline is None:
        return GateOutcome(name, True, f"{name}: {now}; no baseline entry (add one with "
                           "--ex3-update-baseline)")
    base = from_entry(baseline)
    if base.interval != measured.interval:
        return GateOutcome(name, False, f"{name}: PROTOCOL CHANGED: read every "
                           f"{measured.interval} steps, the baseline every {base.interval} "
                           "(re-measure the baseline)")
    single = is_single_seed(baseline)
    was = (f"baseline {_num(base.median)} with one seed, old rule" if single
           else f"baseline {base.describe()}")
    if base.median is None:
        if measured.median is None:
            return GateOutcome(name, True, f"{name}: {now}, as in the baseline ({was})")
        return GateOutcome(name, True, f"{name}: {now}: now reached, the baseline's median "
                           f"was not ({was}; update the baseline)")
    if measured.median is None:
        return GateOutcome(name, False, f"{name}: REGRESSION: {now}: the median does not reach "
                           f"the target, the baseline's did ({was})")
    if single:
        limit = single_seed_allowed_steps(int(base.median), measured.interval)
        rule = (f"{SINGLE_SEED_TOLERANCE['relative']:.0%} + "
                f"{SINGLE_SEED_TOLERANCE['intervals']:g} interval; re-measure the baseline")
    else:
        limit = allowed_steps(base.median, base.spread, measured.interval)
        rule = (f"median + max(spread, {SPREAD_FLOOR_INTERVALS} interval) + "
                f"{SLACK_INTERVALS} interval of {measured.interval}")
    if measured.median > limit:
        return GateOutcome(name, False, f"{name}: REGRESSION: {now}, more than the {limit:g} "
                           f"allowed ({rule}; {was})")
    note = " (fewer: consider updating the baseline)" if measured.median < base.median else ""
    return GateOutcome(name, True, f"{name}: {now}; allowed {limit:g} ({was}){note}")


# --------------------------------------------------------------------------- machine


def _cpuinfo() -> tuple[str | None, set[str]]:
    """The CPU's model name and flags from /proc/cpuinfo (None and no flags where absent)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None, set()
    model: str | None = None
    flags: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "hardware") and model is None:
            model = value.strip() or None
        elif key in ("flags", "features") and not flags:
            flags = set(value.split())
    return model, flags


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """Where steps are measured: CPU, the vector extensions its kernels use, libraries, threads.

    These decide the kernels' rounding, so they are what to compare first
    when a record moved on another machine with unchanged code.
    """
    import torch

    from ex3.training.loop import train_threads

    model, flags = _cpuinfo()
    return {
        "cpu": model or platform.processor() or platform.machine(),
        "arch": platform.machine(),
        "avx512f": "avx512f" in flags,
        "flags": " ".join(f for f in NOTABLE_FLAGS if f in flags),
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch": _version("torch"),
        "numpy": _version("numpy"),
        "threads": train_threads(),
        "date": datetime.date.today().isoformat(),
    }


def describe_machine(record: dict[str, Any] | None) -> str:
    """One line for a machine record; its note where it has no CPU (an old baseline)."""
    if not record:
        return "not recorded"
    if "cpu" not in record:
        return str(record.get("note", "not recorded"))
    avx = "avx512f" if record.get("avx512f") else "no avx512f"
    threads = record.get("threads")
    return (f"{record['cpu']} ({record.get('arch')}, {avx}, torch kernels "
            f"{record.get('torch_cpu_capability')}), torch {record.get('torch')}, numpy "
            f"{record.get('numpy')}, {threads} thread{'s' if threads != 1 else ''}, "
            f"{record.get('date')}")


# --------------------------------------------------------------------------- the file


class Baseline:
    """The committed baseline file: per mode, where it was measured and each target's steps."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}

    def targets(self, mode: str) -> dict[str, dict[str, Any]]:
        return self.data.get(mode, {}).get("targets", {})

    def entry(self, mode: str, name: str) -> dict[str, Any] | None:
        return self.targets(mode).get(name)

    def measured_on(self, mode: str) -> dict[str, Any] | None:
        return self.data.get(mode, {}).get("measured_on")

    def check(self, mode: str, name: str, measured: Measured) -> GateOutcome:
        return compare(name, measured, self.entry(mode, name))

    def machines(self, mode: str, here: dict[str, Any]) -> str:
        """This machine and the one the baseline of ``mode`` was measured on, for the output."""
        return (f"this machine: {describe_machine(here)}; baseline ({mode}) measured on: "
                f"{describe_machine(self.measured_on(mode))}")

    def updated(self, mode: str, results: dict[str, Measured],
                measured_on: dict[str, Any]) -> dict[str, Any]:
        """The file's contents with ``results`` replacing the entries of ``mode``.

        ``measured_on`` replaces the mode's machine record: update a mode's
        entries all at once, so that it describes them all.
        """
        data: dict[str, Any] = {"rule": RULE, **{k: v for k, v in self.data.items()
                                                 if k not in ("rule", "tolerance")}}
        entries = dict(self.targets(mode))
        for name, m in results.items():
            entries[name] = m.entry()
        data[mode] = {"measured_on": measured_on, "targets": dict(sorted(entries.items()))}
        return data

    def write(self, mode: str, results: dict[str, Measured],
              measured_on: dict[str, Any] | None = None) -> None:
        data = self.updated(mode, results, machine() if measured_on is None else measured_on)
        self.path.write_text(dumps(data))


_NUMBERS = re.compile(r"\[\s*((?:-?[\d.eE+-]+|null)(?:,\s*(?:-?[\d.eE+-]+|null))*)\s*\]")


def dumps(data: dict[str, Any]) -> str:
    """JSON with two-space indents and each list of numbers on one line, for reviewable diffs."""
    return _NUMBERS.sub(lambda m: "[" + ", ".join(re.split(r",\s*", m.group(1))) + "]",
                        json.dumps(data, indent=2)) + "\n"
