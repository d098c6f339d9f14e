"""The report's handwritten page (S1, G1, G2, C1): the sigmoid identity, the toy CNN's gradients."""

from __future__ import annotations

from typing import Any

from ex3.studies.contract import Claim, RunContext, Study, World
from ex3.studies.neighbourhood import Neighbourhood


class HandwrittenStudy(Study):
    """Exact checks, seconds of work, the same in every profile."""

    name = "handwritten"

    def claims(self) -> tuple[Claim, ...]:
        from ex3.studies.handwritten.claims import CLAIMS
        return CLAIMS

    def protocol(self, ctx: RunContext) -> Any:
        from ex3.studies.handwritten.study import protocol_for
        return protocol_for(ctx)


    def worlds(self) -> list[World]:
        from ex3.studies.handwritten.worlds import worlds
        return worlds()

    def neighbourhood(self, profile: str) -> Neighbourhood:
        from ex3.studies.handwritten.neighbourhood import neighbourhood
        return neighbourhood(profile)


STUDY = HandwrittenStudy()
