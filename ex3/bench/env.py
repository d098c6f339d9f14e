"""What a benchmark ran on: threads, library versions, machine load; stored with every result."""

from __future__ import annotations

import os
from importlib import metadata

import torch

from ex3.report.environment import environment
from ex3.training.threads import train_threads


def _version(*distributions: str) -> str | None:
    """The installed version of the first of ``distributions`` that is installed, else None."""
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def bench_environment(threads: int | None = None) -> dict[str, object]:
    """The project's environment record plus Keras' and TensorFlow's versions and the load.

    ``threads`` is the training threads the benchmark's own runs used (None:
    ``train_threads()``, the count of training no command sizes).

    The load average (1 minute) matters on shared 2-core machines: a wall
    time taken under a load of 4 is not comparable with one taken on an idle
    machine.
    """
    threads = train_threads() if threads is None else threads
    env = environment(threads)
    libraries = {**env["libraries"], "keras": _version("keras"),  # type: ignore[dict-item]
                 "tensorflow": _version("tensorflow", "tensorflow-cpu")}
    return {**env, "libraries": libraries, "torch_threads": torch.get_num_threads(),
            "train_threads": threads, "load_average_1m": os.getloadavg()[0]}
