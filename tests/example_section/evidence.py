"""What the coin study measures: per seed, the share of heads."""

from __future__ import annotations

from dataclasses import dataclass

from ex3.studies.contract import Evidence


@dataclass(frozen=True, kw_only=True)
class CoinEvidence(Evidence):
    """``heads_share[seed]`` after ``tosses`` tosses."""

    tosses: int
    heads_share: dict[str, float]
