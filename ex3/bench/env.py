"""What a benchmark ran on: threads, library versions, machine load; stored with every result."""

from __future__ import annotations

import os
from importlib import metadata

import torch

from ex3.report.environment import environment
from ex3.training.threads import train_threads


def bench_environment(threads: int | None = None) -> dict[str, object]:
    """The project's environment record plus Keras' version and the 1-minute load average.

    ``threads`` is the training threads the benchmark's own runs used (None:
    ``train_threads()``, the count of training no command sizes).

    The load average matters on shared 2-core machines: a wall time taken
    under a load of 4 is not comparable with one taken on an idle machine.
    """
    threads = train_threads() if threads is None else threads
    env = environment(threads)
    try:
        keras = metadata.version("keras")
    except metadata.PackageNotFoundError:
        keras = None
    libraries = {**env["libraries"], "keras": keras}  # type: ignore[dict-item]
    return {**env, "libraries": libraries, "torch_threads": torch.get_num_threads(),
            "train_threads": threads, "load_average_1m": os.getloadavg()[0]}
