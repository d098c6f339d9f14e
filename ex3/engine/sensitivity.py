"""Sensitivity: does a claim's *measured* verdict flip in a world where it should?

A verdict is only worth something if it would have come out differently had
the claim been false (or true). For each claim a falsification world changes
the measurement (the convnet swapped for a linear map, learning rate 1 made
harmless, a sign error in a hand-derived gradient, ...) on a tiny protocol,
runs the claim's real measure and judge, and checks the verdict is the one
that world implies. Sensitivity = worlds caught / worlds tried.
"""

from __future__ import annotations

import dataclasses
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
    #: Measures the claim in this world; the base context gives only the data
    #: source (``data_dir``, ``download``): profile, seeds and protocol are the world's.
    measure: Callable[[RunContext], Evidence]


def overridden(claim_id: str, overrides: dict[str, Any], seeds: int = 1
               ) -> Callable[[RunContext], Evidence]:
    """The claim's own measurement under a tiny, overridden quick protocol."""
    def measure(base: RunContext) -> Evidence:
        ctx = dataclasses.replace(base, profile="quick", seeds=seeds, master_seed=0,
                                  overrides=tuple(overrides.items()))
        return get_claim(claim_id).measure(ctx)  # type: ignore[misc]
    return measure


def all_worlds() -> list[World]:
    """Every study's falsification worlds (``worlds()`` in ``ex3/studies/<study>/worlds.py``)."""
    return [world for module in study_modules("worlds") for world in module.worlds()]


def falsify(world: World, base: RunContext | None = None) -> dict[str, Any]:
    """Measure and judge the claim in ``world``; report whether the verdict is the expected one.

    ``data_kind`` is recorded because the worlds are declared on the official
    MNIST: on the bundled sample a world is reported, not counted (``summary``).
    """
    claim = get_claim(world.claim_id)
    start = time.perf_counter()
    evidence = dict(world.measure(base or RunContext()))
    evidence.pop("protocol", None)
    judgement = claim.judge(evidence)  # type: ignore[misc]
    return {"claim": world.claim_id, "world": world.description,
            "expected": str(world.expected), "measured": str(judgement.verdict),
            "caught": judgement.verdict == world.expected, "reason": judgement.reason,
            "data_kind": evidence.get("data_kind"),
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
