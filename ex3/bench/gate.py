"""The regression gate on steps-to-target.

Steps-to-target are deterministic for a seed, a thread count and a library
build, unlike wall times, so they can gate CI: a committed baseline
(``benchmarks/baseline_steps.json``) holds, per mode and benchmark, the steps
a target took (or null for "not reached"), and a new measurement fails when

* a target the baseline reached is no longer reached, or
* it took more than ``baseline * (1 + relative) + intervals * interval``
  steps.

The slack of ``intervals`` reading intervals absorbs a record landing one
interval later because a different CPU or thread count rounds differently;
``relative`` absorbs small drifts of long runs. Fewer steps, or reaching a
target the baseline did not, pass, with a note to update the baseline.
Wall times are compared by pytest-benchmark (``--benchmark-compare``) and
never gate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_TOLERANCE = {"relative": 0.10, "intervals": 1}


@dataclass(frozen=True)
class Measured:
    """What the gate compares: steps to target (None: not reached) and the reading interval."""

    steps: int | None
    interval: int


@dataclass(frozen=True)
class GateOutcome:
    """The comparison of one benchmark with its baseline."""

    name: str
    ok: bool
    message: str


def allowed_steps(baseline_steps: int, interval: int, tolerance: dict[str, float]) -> int:
    """The most steps that still pass for a baseline of ``baseline_steps``."""
    return int(baseline_steps * (1 + tolerance["relative"]) + tolerance["intervals"] * interval)


def compare(name: str, measured: Measured, baseline: dict[str, Any] | None,
            tolerance: dict[str, float]) -> GateOutcome:
    """Gate one measurement against its baseline entry (None: no entry yet, which passes)."""
    now = "not reached" if measured.steps is None else f"{measured.steps} steps"
    if baseline is None:
        return GateOutcome(name, True, f"{name}: {now}; no baseline entry (add one with "
                           "--ex3-update-baseline)")
    base = baseline.get("steps")
    if base is None:
        if measured.steps is None:
            return GateOutcome(name, True, f"{name}: not reached, as in the baseline")
        return GateOutcome(name, True, f"{name}: now reached in {measured.steps} steps, the "
                           "baseline had 'not reached' (update the baseline)")
    if measured.steps is None:
        return GateOutcome(name, False, f"{name}: REGRESSION: not reached, the baseline reached "
                           f"it in {base} steps")
    limit = allowed_steps(int(base), measured.interval, tolerance)
    if measured.steps > limit:
        return GateOutcome(name, False, f"{name}: REGRESSION: {measured.steps} steps, more than "
                           f"the {limit} allowed (baseline {base}, tolerance "
                           f"{tolerance['relative']:.0%} + {tolerance['intervals']:g} interval(s)"
                           f" of {measured.interval})")
    note = " (fewer: consider updating the baseline)" if measured.steps < int(base) else ""
    return GateOutcome(name, True, f"{name}: {measured.steps} steps, baseline {base}, "
                       f"allowed {limit}{note}")


class Baseline:
    """The committed baseline file: per mode, per benchmark, the steps to target."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}

    @property
    def tolerance(self) -> dict[str, float]:
        return {**DEFAULT_TOLERANCE, **self.data.get("tolerance", {})}

    def entry(self, mode: str, name: str) -> dict[str, Any] | None:
        return self.data.get(mode, {}).get(name)

    def check(self, mode: str, name: str, measured: Measured) -> GateOutcome:
        return compare(name, measured, self.entry(mode, name), self.tolerance)

    def updated(self, mode: str, results: dict[str, Measured]) -> dict[str, Any]:
        """The file's contents with ``results`` replacing the entries of ``mode``."""
        data = {"tolerance": self.tolerance, **{k: v for k, v in self.data.items()
                                                  if k != "tolerance"}}
        section = dict(data.get(mode, {}))
        for name, m in sorted(results.items()):
            section[name] = {"steps": m.steps, "interval": m.interval}
        data[mode] = dict(sorted(section.items()))
        return data

    def write(self, mode: str, results: dict[str, Measured]) -> None:
        self.path.write_text(json.dumps(self.updated(mode, results), indent=2) + "\n")
