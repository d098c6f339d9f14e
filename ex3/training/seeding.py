"""Seeding, so a run is reproducible from its protocol and seed alone."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import torch

T = TypeVar("T")


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch's global generators."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def build_seeded(factory: Callable[[], T], seed: int) -> T:
    """Call ``factory`` (a model constructor) with torch's generator seeded by ``seed``."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return factory()
