"""A tiny example section, used only by the tests: how a new section joins the report's.

"A coin lands heads about half the time" (claim X1), measured by tossing a
seeded coin. Adding a section is this package and one line in
``ex3.studies.registry.STUDIES`` (``tests/test_example_section.py`` adds the
line for the duration of a test); its verdicts are then pinned in
``ex3/engine/pinned.toml`` like every other claim's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ex3.studies.contract import Claim, FigureFn, RunContext, Study, Verdict, World, overridden
from ex3.studies.neighbourhood import Choice, Neighbourhood, Option


class CoinStudy(Study):
    """Toss a fair coin per seed; seconds of nothing, the same in every profile."""

    name = "example_section"

    def claims(self) -> tuple[Claim, ...]:
        from example_section.claims import CLAIMS
        return CLAIMS

    def protocol(self, ctx: RunContext) -> Any:
        from example_section.study import protocol_for
        return protocol_for(ctx)

    def figures(self) -> Mapping[str, FigureFn]:
        from example_section.study import heads_share
        return {"coin_heads_share": heads_share}

    def worlds(self) -> list[World]:
        from example_section.study import measure
        return [World("X1", "a coin that lands heads 80% of the time", Verdict.NOT_REPRODUCED,
                      overridden(measure, {"p_heads": 0.8}))]

    def neighbourhood(self, profile: str) -> Neighbourhood:
        return Neighbourhood(
            claims=("X1",),
            choices=(Choice("tosses", "1000", (Option("4000", (("tosses", 4000),)),),
                            "more tosses per seed"),),
            fixed=("seeds", "p_heads"))


STUDY = CoinStudy()
