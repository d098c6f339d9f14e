"""What a claim is, and what evaluating one produces.

A claim pairs the report's words with two separate steps:

* ``measure(ctx) -> Evidence``: expensive; trains and evaluates under the
  claim's declared protocol and returns plain, JSON-serialisable numbers
  (per seed), plus the protocol itself under the key ``"protocol"``.
* ``judge(evidence) -> Judgement``: cheap and pure; compares the numbers with
  the threshold declared in the study module and says REPRODUCED or
  NOT REPRODUCED (SKIPPED where the data cannot answer) with a one-line
  reason that quotes the numbers, and any stricter sub-checks worth showing
  beside the verdict (they never decide it).

A reduced budget (the quick profile, the bundled sample) only estimates the
full protocol's verdict: ``ex3.engine.agreement`` turns an estimate it
cannot trust into INCONCLUSIVE after judging.

Keeping the two apart lets the judges be unit-tested on made-up evidence and
lets several claims share one measurement.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

Evidence = dict[str, Any]


class Verdict(enum.StrEnum):
    """The outcomes a claim can have."""

    REPRODUCED = "REPRODUCED"
    NOT_REPRODUCED = "NOT REPRODUCED"
    NOT_TESTABLE = "NOT TESTABLE"
    SKIPPED = "SKIPPED"
    UNSTABLE = "UNSTABLE"
    #: A reduced budget that cannot decide what the full protocol decides.
    INCONCLUSIVE = "INCONCLUSIVE"


@dataclass(frozen=True)
class Judgement:
    """A verdict with the one-line reason that justifies it.

    ``sub_checks`` name stricter properties than the report's words (a loss
    that halves, train-set margins, ...) with their outcome per run: shown
    beside the verdict as evidence, never deciding it.
    """

    verdict: Verdict
    reason: str
    sub_checks: dict[str, str] = field(default_factory=dict)

    @classmethod
    def holds(cls, ok: bool, reason: str, sub_checks: dict[str, str] | None = None
              ) -> Judgement:
        """REPRODUCED when ``ok``, else NOT REPRODUCED, with the same reason."""
        return cls(Verdict.REPRODUCED if ok else Verdict.NOT_REPRODUCED, reason,
                   dict(sub_checks or {}))


@dataclass(frozen=True)
class RunContext:
    """Everything outside a protocol that decides how claims are run.

    ``profile`` picks the protocol (``quick`` or ``full``); ``seeds`` overrides
    the number of seeds; ``master_seed`` shifts every seed (stability runs);
    ``data_dir`` and ``download`` choose the MNIST source; ``data_origin``
    names where ``data_dir`` came from (``--data-dir DIR``,
    ``EX3_DATA_DIR=DIR``), so that a data error names what the user set. ``overrides``
    replaces fields of a study's declared protocol by name (falsification
    worlds and tiny test protocols); the replaced protocol is what the evidence
    records, so an overridden run can never pass for the declared one.
    ``threads`` is the intra-op thread count of every MNIST run the studies
    train (``RunSpec.threads``; the command decides it from ``--workers``,
    see ``ex3.training.threads.run_threads``).
    """

    profile: str = "quick"
    seeds: int | None = None
    master_seed: int = 0
    data_dir: str | None = None
    download: bool = False
    data_origin: str | None = None
    overrides: tuple[tuple[str, Any], ...] = ()
    threads: int = 1


P = TypeVar("P")


def with_overrides(protocol: P, ctx: RunContext) -> P:
    """``protocol`` with the context's overrides applied; unknown field names are an error."""
    if not ctx.overrides:
        return protocol
    names = {f.name for f in dataclasses.fields(protocol)}  # type: ignore[arg-type]
    unknown = [k for k, _ in ctx.overrides if k not in names]
    if unknown:
        raise ValueError(f"{type(protocol).__name__} has no field(s) {', '.join(unknown)}")
    return dataclasses.replace(protocol, **dict(ctx.overrides))  # type: ignore[type-var]


@dataclass(frozen=True)
class Claim:
    """One claim of the report, with its id from CLAIMS.md."""

    id: str
    section: str
    quote: str
    summary: str
    threshold: str
    measure: Callable[[RunContext], Evidence] | None = None
    judge: Callable[[Evidence], Judgement] | None = None
    not_testable: str | None = None
    figures: tuple[str, ...] = ()
    #: For comparative claims: named pairs of per-seed samples (a, b,
    #: higher_is_better) read from the evidence; their bootstrap statistics
    #: are added to the evidence (``ex3.engine.statistics``).
    comparisons: Callable[[Evidence], dict[str, Comparison]] | None = None
    #: True where the protocol is the same in every profile and needs no MNIST
    #: (toy study, handwritten page): no budget of ours is reduced for it.
    budget_free: bool = False


#: Per-seed values of the winner and the loser of a comparison, and the direction.
Comparison = tuple[list[float], list[float], bool]


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
    evidence: Evidence = field(default_factory=dict)
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
