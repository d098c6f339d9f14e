"""The example section's one claim."""

from __future__ import annotations

from ex3.studies.contract import Claim
from example_section import judge
from example_section.study import measure

CLAIMS = (
    Claim("X1", "A coin", "the coin lands heads about half the time",
          "A fair coin lands heads about half the time.",
          f"heads share within {judge.TOLERANCE} of 1/2 in every seed",
          measure, judge.judge_x1, figures=("coin_heads_share",), budget_free=True),
)
