"""The report's autoencoder section (A1-A5): two 2-D autoencoders against PCA."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ex3.studies.contract import Claim, FigureFn, RunContext, Study, World
from ex3.studies.neighbourhood import Neighbourhood
from ex3.training.runs import RunSpec


class AutoencoderStudy(Study):
    """Both autoencoders and PCA per seed, judged by the MNIST study's convnet."""

    name = "autoencoder"
    needs_mnist = True

    def claims(self) -> tuple[Claim, ...]:
        from ex3.studies.autoencoder.claims import CLAIMS
        return CLAIMS

    def protocol(self, ctx: RunContext) -> Any:
        from ex3.studies.autoencoder.study import protocol_for
        return protocol_for(ctx)


    def seed_count(self, ctx: RunContext) -> int:
        """Without loading MNIST (the protocol may look at the data)."""
        from ex3.studies.autoencoder.study import SEEDS
        return ctx.seeds or SEEDS[ctx.profile]

    def planned_runs(self, ctx: RunContext) -> list[RunSpec]:
        from ex3.studies.autoencoder.study import planned_runs
        return planned_runs(ctx)

    def figures(self) -> Mapping[str, FigureFn]:
        from ex3.studies.autoencoder.figures import FIGURES
        return FIGURES

    def worlds(self) -> list[World]:
        from ex3.studies.autoencoder.worlds import worlds
        return worlds()

    def neighbourhood(self, profile: str) -> Neighbourhood:
        from ex3.studies.autoencoder.neighbourhood import neighbourhood
        return neighbourhood(profile)


STUDY = AutoencoderStudy()
