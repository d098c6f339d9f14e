"""The report's "Toy Convnet" section (T1-T4): a toy CNN and a linear model on three functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ex3.studies.contract import Claim, FigureFn, RunContext, Study, World
from ex3.studies.neighbourhood import Neighbourhood


class ToyStudy(Study):
    """Both models on y0, y1, y2 per seed; seconds of work, the same in every profile."""

    name = "toy"

    def claims(self) -> tuple[Claim, ...]:
        from ex3.studies.toy.claims import CLAIMS
        return CLAIMS

    def protocol(self, ctx: RunContext) -> Any:
        from ex3.studies.toy.study import protocol_for
        return protocol_for(ctx)

    def figures(self) -> Mapping[str, FigureFn]:
        from ex3.studies.toy.figures import FIGURES
        return FIGURES

    def worlds(self) -> list[World]:
        from ex3.studies.toy.worlds import worlds
        return worlds()

    def neighbourhood(self, profile: str) -> Neighbourhood:
        from ex3.studies.toy.neighbourhood import neighbourhood
        return neighbourhood(profile)

    def prepare(self, contexts: list[RunContext], workers: int = 1) -> None:
        """Train the declared protocol and its neighbours in stacks (``neighbourhood.prepare``)."""
        from ex3.studies.toy.neighbourhood import prepare
        prepare(contexts, workers)


STUDY = ToyStudy()
