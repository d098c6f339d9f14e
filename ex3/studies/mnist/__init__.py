"""The report's "MNIST classifiers" section (M1-M3): linear, MLP and convnet with Adam."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ex3.studies.contract import Claim, FigureFn, RunContext, Study, World
from ex3.studies.neighbourhood import Neighbourhood
from ex3.training.runs import RunSpec


class MnistStudy(Study):
    """The three classifiers per seed, trained through the run cache."""

    name = "mnist"
    needs_mnist = True

    def claims(self) -> tuple[Claim, ...]:
        from ex3.studies.mnist.claims import CLAIMS
        return CLAIMS

    def protocol(self, ctx: RunContext) -> Any:
        from ex3.studies.mnist.study import protocol_for
        return protocol_for(ctx)


    def seed_count(self, ctx: RunContext) -> int:
        """Without loading MNIST (the protocol may look at the data)."""
        from ex3.studies.mnist.study import SEEDS
        return ctx.seeds or SEEDS[ctx.profile]

    def planned_runs(self, ctx: RunContext) -> list[RunSpec]:
        from ex3.studies.mnist.study import planned_runs
        return planned_runs(ctx)

    def figures(self) -> Mapping[str, FigureFn]:
        from ex3.studies.mnist.figures import FIGURES
        return FIGURES

    def worlds(self) -> list[World]:
        from ex3.studies.mnist.worlds import worlds
        return worlds()

    def neighbourhood(self, profile: str) -> Neighbourhood:
        from ex3.studies.mnist.neighbourhood import neighbourhood
        return neighbourhood(profile)


STUDY = MnistStudy()
