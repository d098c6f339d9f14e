"""How many intra-op threads a training run uses: decided from declared inputs, never from load.

A run's thread count changes its rounding (reductions and convolution
gradients sum in another order), and a trajectory trained for epochs carries
that rounding forward, so the count is part of what a run is: it is decided
before training from what the command declares, recorded in the run's spec
(``ex3.training.runs.RunSpec.threads``) and therefore in its run-cache key
and cache entry, and never picked from the machine's load.

* :func:`run_threads` is the policy for the runs a command trains: the
  environment's thread count (``ex3.config``) when set, else the cores this
  process may use (its affinity mask) shared among the ``--workers``
  processes that train at once, at most
  :data:`MAX_RUN_THREADS`. On a 2-core machine ``--workers 1`` trains each
  run on 2 threads and ``--workers 2`` on 1 thread each; a machine with more
  cores computes what a 2-core machine computes with the same ``--workers``
  (on the same kind of CPU), so pins checked on 2-core CI hold there too.
* :func:`train_threads` is the fixed count of training that no command sizes
  (the toy study, the convergence benchmarks' gate): the environment's count,
  else 1.

Two threads only pay when neither waits long for the other: OpenMP's
default is to spin, and a spinning thread whose partner has lost its core to
another process burns the time that partner needs.
``ex3.config.prefer_short_openmp_waits`` (run when ``ex3`` is imported,
before torch loads its OpenMP runtime) shortens the spin so that a waiting
thread soon sleeps.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import torch

from ex3.config import threads_from_env

#: Threads of training that no command sizes, when the environment sets no count.
DEFAULT_THREADS = 1
#: The most intra-op threads one run trains on: the project's small models gain little
#: beyond two, and fewer distinct counts are fewer roundings for the pins to hold under.
MAX_RUN_THREADS = 2


def allowed_cores() -> int:
    """The cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_threads(workers: int = 1, cores: int | None = None) -> int:
    """Intra-op threads of each run when ``workers`` processes train at once.

    The environment's count (``ex3.config``) when set; else ``cores``
    (default: :func:`allowed_cores`) divided among the workers, at least 1
    and at most :data:`MAX_RUN_THREADS`.
    """
    override = threads_from_env()
    if override is not None:
        return override
    if workers < 1:
        raise ValueError(f"workers must be positive, not {workers}")
    cores = allowed_cores() if cores is None else cores
    return max(1, min(MAX_RUN_THREADS, cores // workers))


def threads_per_worker(workers: int) -> int:
    """torch's default threads in each of ``workers`` processes, so together they fill the cores.

    What a worker runs outside a run's own count (``RunSpec.threads``) shares the cores too.
    """
    return max(1, allowed_cores() // workers)


def train_threads() -> int:
    """The thread count of training no command sizes: the environment's, else 1."""
    threads = threads_from_env()
    return DEFAULT_THREADS if threads is None else threads


@contextlib.contextmanager
def intra_op_threads(threads: int | None) -> Iterator[None]:
    """Run a block with ``threads`` torch intra-op threads (None: unchanged), then restore."""
    before = torch.get_num_threads()
    if threads is not None and threads != before:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)
