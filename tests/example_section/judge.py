"""Judging X1: "about half" means within TOLERANCE = 0.05 of 1/2 in every seed."""

from __future__ import annotations

from ex3.studies.contract import Judgement
from example_section.evidence import CoinEvidence

TOLERANCE = 0.05


def judge_x1(evidence: CoinEvidence) -> Judgement:
    shares = list(evidence.heads_share.values())
    ok = all(abs(s - 0.5) <= TOLERANCE for s in shares)
    return Judgement.holds(ok, f"heads share per seed {[round(s, 3) for s in shares]} after "
                               f"{evidence.tosses} tosses (about half: within {TOLERANCE})")
