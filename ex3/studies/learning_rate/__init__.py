"""The report's learning-rate section (L1-L4): the convnet over a grid of rates, SGD and Adam."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ex3.studies.contract import Claim, FigureFn, RunContext, Study, World
from ex3.studies.neighbourhood import Neighbourhood
from ex3.training.runs import RunSpec


class LearningRateStudy(Study):
    """Both sweeps per seed, trained through the run cache."""

    name = "learning_rate"
    needs_mnist = True

    def claims(self) -> tuple[Claim, ...]:
        from ex3.studies.learning_rate.claims import CLAIMS
        return CLAIMS

    def protocol(self, ctx: RunContext) -> Any:
        from ex3.studies.learning_rate.study import OPTIMIZERS, protocol_for
        return tuple(protocol_for(ctx, optimizer) for optimizer in OPTIMIZERS)


    def seed_count(self, ctx: RunContext) -> int:
        """Without loading MNIST (the protocol may look at the data)."""
        from ex3.studies.learning_rate.study import SEEDS
        return ctx.seeds or SEEDS[ctx.profile]

    def planned_runs(self, ctx: RunContext) -> list[RunSpec]:
        from ex3.studies.learning_rate.study import planned_runs
        return planned_runs(ctx)

    def figures(self) -> Mapping[str, FigureFn]:
        from ex3.studies.learning_rate.figures import FIGURES
        return FIGURES

    def worlds(self) -> list[World]:
        from ex3.studies.learning_rate.worlds import worlds
        return worlds()

    def neighbourhood(self, profile: str) -> Neighbourhood:
        from ex3.studies.learning_rate.neighbourhood import neighbourhood
        return neighbourhood(profile)


STUDY = LearningRateStudy()
