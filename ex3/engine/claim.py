"""What evaluating a claim produces: ``ClaimResult``, as ``verdicts.json`` holds it.

The contract a study implements (``Claim``, ``Verdict``, ``Judgement``,
``RunContext``, ``Evidence``, ...) lives with the studies, in
``ex3.studies.contract``; it is re-exported here for the engine's and the
report's modules.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ex3.studies.contract import (
    Claim,
    Comparison,
    Evidence,
    Judgement,
    RunContext,
    Verdict,
    with_overrides,
)

__all__ = ["Claim", "ClaimResult", "Comparison", "Evidence", "Judgement", "RunContext",
           "Verdict", "with_overrides"]


@dataclass
class ClaimResult:
    """A claim's measured verdict with its evidence, as written to verdicts.json."""

    id: str
    section: str
    quote: str
    summary: str
    threshold: str
    verdict: Verdict
    expected: Verdict | None
    reason: str
    #: The study's evidence as plain JSON, with the engine's statistics and sub-checks.
    evidence: dict[str, Any] = field(default_factory=dict)
    protocol: dict[str, Any] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    #: What the judge said before the reduced-budget rule (equal to ``verdict``
    #: in the full protocol); stability and agreement are counted on it.
    measured_verdict: Verdict | None = None
    #: The budget this run is (``full``, ``quick``, ``sample`` or ``reduced``), the full
    #: protocol's verdict and the measured share of master seeds in which this budget
    #: gives it (``ex3.engine.agreement``).
    agreement: dict[str, Any] = field(default_factory=dict)
    #: ROBUST, FRAGILE or NOT VARIED over the claim's declared neighbourhood of open
    #: choices, with "holds in k of n" and what flips it (``ex3.engine.robustness``);
    #: empty unless robustness was measured or recorded for this run.
    robustness: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A plain dict (verdicts as strings) for JSON."""
        out = dataclasses.asdict(self)
        out["verdict"] = str(self.verdict)
        out["expected"] = None if self.expected is None else str(self.expected)
        out["measured_verdict"] = (None if self.measured_verdict is None
                                   else str(self.measured_verdict))
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClaimResult:
        """The result ``to_json`` produced, rebuilt (pytest-xdist workers send results this way)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"not a ClaimResult: unknown keys {', '.join(sorted(unknown))}")
        fields = dict(data)
        fields["verdict"] = Verdict(data["verdict"])
        fields["expected"] = None if data.get("expected") is None else Verdict(data["expected"])
        measured = data.get("measured_verdict")
        fields["measured_verdict"] = None if measured is None else Verdict(measured)
        fields["figures"] = list(data.get("figures", []))
        return cls(**fields)

    @property
    def estimate(self) -> Verdict:
        """The judge's own verdict (before the reduced-budget rule)."""
        return self.measured_verdict or self.verdict

    @property
    def as_pinned(self) -> bool:
        """True when the measured verdict equals the pinned one."""
        return self.expected is not None and self.verdict == self.expected
