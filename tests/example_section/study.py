"""Measuring the coin: the declared protocol, the measurement and its figure."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ex3.studies.contract import RunContext, study_seeds, with_overrides
from example_section.evidence import CoinEvidence


@dataclass(frozen=True)
class CoinProtocol:
    seeds: tuple[int, ...]
    tosses: int = 1000
    p_heads: float = 0.5


def protocol_for(ctx: RunContext) -> CoinProtocol:
    return with_overrides(CoinProtocol(seeds=study_seeds(ctx, 3)), ctx)


def measure(ctx: RunContext) -> CoinEvidence:
    protocol = protocol_for(ctx)
    shares = {}
    for seed in protocol.seeds:
        tosses = np.random.default_rng(seed).random(protocol.tosses)
        shares[str(seed)] = float((tosses < protocol.p_heads).mean())
    return CoinEvidence(protocol=asdict(protocol), tosses=protocol.tosses, heads_share=shares)


def heads_share(ctx: RunContext) -> Figure:
    evidence = measure(ctx)
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(list(evidence.heads_share), list(evidence.heads_share.values()))
    ax.axhline(0.5, color="grey", ls=":")
    ax.set(xlabel="seed", ylabel="share of heads", ylim=(0, 1))
    return fig
