"""What a benchmark ran on: threads, library versions, machine load; stored with every result."""

from __future__ import annotations

import os
from importlib import metadata

import torch

from ex3.report.environment import environment
from ex3.training.loop import train_threads


def bench_environment() -> dict[str, object]:
    """The project's environment record plus Keras' version and the 1-minute load average.

    The load average matters on shared 2-core machines: a wall time taken
    under a load of 4 is not comparable with one taken on an idle machine.
    """
    env = environment()
    try:
        keras = metadata.version("keras")
    except metadata.PackageNotFoundError:
        keras = None
    libraries = {**env["libraries"], "keras": keras}  # type: ignore[dict-item]
    return {**env, "libraries": libraries, "torch_threads": torch.get_num_threads(),
            "train_threads": train_threads(), "load_average_1m": os.getloadavg()[0]}
