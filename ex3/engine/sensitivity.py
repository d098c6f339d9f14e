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
from typing import Any

from ex3.engine.registry import get_claim, studies
from ex3.studies.contract import RunContext, World, overridden

__all__ = ["World", "all_worlds", "falsify", "overridden", "summary"]


def all_worlds() -> list[World]:
    """Every registered study's falsification worlds (``Study.worlds``)."""
    return [world for study in studies() for world in study.worlds()]


def falsify(world: World, base: RunContext | None = None) -> dict[str, Any]:
    """Measure and judge the claim in ``world``; report whether the verdict is the expected one.

    ``data_kind`` is recorded because the worlds are declared on the official
    MNIST: on the bundled sample a world is reported, not counted (``summary``).
    """
    claim = get_claim(world.claim_id)
    start = time.perf_counter()
    evidence = world.measure(base or RunContext())
    judgement = claim.judge(evidence)  # type: ignore[misc]
    return {"claim": world.claim_id, "world": world.description,
            "expected": str(world.expected), "measured": str(judgement.verdict),
            "caught": judgement.verdict == world.expected, "reason": judgement.reason,
            "data_kind": getattr(evidence, "data_kind", None),
            "duration_s": round(time.perf_counter() - start, 2)}


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Sensitivity over the worlds tried, and which claims have a world.

    A world measured on the bundled sample is listed but not counted as tried.
    """
    tried = [r for r in results if r.get("data_kind") != "sample"]
    caught = sum(r["caught"] for r in tried)
    return {"tried": len(tried), "caught": caught,
            "sensitivity": caught / len(tried) if tried else None,
            "claims_covered": sorted({r["claim"] for r in tried}),
            "not_tried_on_sample": len(results) - len(tried), "worlds": results}
