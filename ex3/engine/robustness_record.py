"""Recorded robustness: the qualifier ``ex3 robustness`` measured, shown beside every verdict.

Measuring a claim's neighbourhood retrains it under every neighbouring
protocol, far more than ``ex3 verify`` should pay on each run. So
``ex3 robustness --record FILE`` writes each claim's qualifier ("ROBUST",
"FRAGILE" with the values that flip it, or "NOT VARIED"), its "holds in
k of n" and the command that measured it into ``robustness.toml`` beside
the pins, one section per profile; ``ex3 verify`` and ``pytest claims/``
attach the record of their profile to each verdict (``recorded: true``),
so a reader sees the qualifier without the cost. A claim run on the bundled
sample gets none (its neighbourhood was not measured there), except the
claims whose one protocol runs in every profile. Reviewed like the pins.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Sequence
from importlib import resources
from typing import Any

from ex3.engine.claim import Claim, ClaimResult

TABLE = "robustness.toml"


@functools.cache
def _table() -> dict[str, Any]:
    return tomllib.loads(resources.files("ex3.engine").joinpath(TABLE).read_text("utf-8"))


def recorded(profile: str, claim: Claim, data_kind: str | None) -> dict[str, Any]:
    """The recorded robustness of ``claim`` for a run in ``profile`` on ``data_kind`` data."""
    if data_kind == "sample" and not claim.budget_free:
        return {}
    entry = _table().get(profile, {}).get(claim.id)
    if not isinstance(entry, dict):
        return {}
    return {**entry, "recorded": True}


def render(old: dict[str, Any], profile: str, results: Sequence[ClaimResult], note: str) -> str:
    """The whole file with ``results`` recorded under ``profile``; every other entry kept.

    A run of some claims (``--only``) replaces those claims' entries only, so
    the sections can be measured piece by piece; each entry says which run
    measured it.
    """
    sections = {name: dict(body) for name, body in old.items() if isinstance(body, dict)}
    fresh: dict[str, Any] = dict(sections.get(profile, {}))
    for result in results:
        rob = result.robustness
        if not rob:
            continue
        fresh[result.id] = {"qualifier": rob["qualifier"], "holds": rob.get("holds") or 0,
                            "of": rob.get("of") or 0, "reason": rob["reason"],
                            "flips_with": [f"{f['choice']} = {f['value']} "
                                           f"({f['flipped']}/{f['protocols']})"
                                           for f in rob.get("flips_with") or []],
                            "measured": note}
    sections[profile] = fresh
    lines = ["# Each claim's robustness over its declared neighbourhood of open choices, per",
             "# profile. Written by `ex3 robustness --record`; read by",
             "# ex3/engine/robustness_record.py. Reviewed like pinned.toml.", ""]
    for name in sorted(sections):
        body = sections[name]
        lines += [f"[{name}]", ""]
        for cid, entry in body.items():
            if not isinstance(entry, dict):
                continue
            flips = ", ".join(_quote(f) for f in entry.get("flips_with", []))
            lines += [f"[{name}.{cid}]", f"qualifier = {_quote(entry['qualifier'])}",
                      f"holds = {int(entry.get('holds', 0))}", f"of = {int(entry.get('of', 0))}",
                      f"reason = {_quote(entry['reason'])}", f"flips_with = [{flips}]",
                      f"measured = {_quote(str(entry.get('measured', '')))}", ""]
    return "\n".join(lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
