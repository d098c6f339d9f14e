"""Sensitivity: does a claim's *measured* verdict flip in a world where it should?

A verdict is only worth something if it would have come out differently had
the claim been false (or true). For each claim a falsification world changes
the measurement (the convnet swapped for a linear map, learning rate 1 made
harmless, a sign error in a hand-derived gradient, ...) on a tiny protocol,
runs the claim's real measure and judge, and checks the verdict is the one
that world implies. Sensitivity = worlds caught / worlds tried.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ex3.engine.claim import Evidence, RunContext, Verdict
from ex3.engine.registry import get_claim, study_modules


@dataclass(frozen=True)
class World:
    """A changed world for one claim, and the verdict the claim must get there."""

    claim_id: str
    description: str
    expected: Verdict
    measure: Callable[[], Evidence]


def overridden(claim_id: str, overrides: dict[str, Any], seeds: int = 1
               ) -> Callable[[], Evidence]:
    """The claim's own measurement under a tiny, overridden protocol."""
    ctx = RunContext(profile="quick", seeds=seeds, overrides=tuple(overrides.items()))
    return lambda: get_claim(claim_id).measure(ctx)  # type: ignore[misc]


def all_worlds() -> list[World]:
    """Every study's falsification worlds (``worlds()`` in ``ex3/studies/<study>/worlds.py``)."""
    return [world for module in study_modules("worlds") for world in module.worlds()]


def falsify(world: World) -> dict[str, Any]:
    """Measure and judge the claim in ``world``; report whether the verdict is the expected one."""
    claim = get_claim(world.claim_id)
    start = time.perf_counter()
    evidence = dict(world.measure())
    evidence.pop("protocol", None)
    judgement = claim.judge(evidence)  # type: ignore[misc]
    return {"claim": world.claim_id, "world": world.description,
            "expected": str(world.expected), "measured": str(judgement.verdict),
            "caught": judgement.verdict == world.expected, "reason": judgement.reason,
            "duration_s": round(time.perf_counter() - start, 2)}


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Sensitivity over the worlds tried, and which claims have a world."""
    caught = sum(r["caught"] for r in results)
    return {"tried": len(results), "caught": caught,
            "sensitivity": caught / len(results) if results else None,
            "claims_covered": sorted({r["claim"] for r in results}), "worlds": results}
