"""Settings read from the environment, in one place.

Every ``EX3_*`` variable is read here, and only here, so that each has one
parser, one default and one way of naming itself in an error message:

* ``EX3_PROFILE``: the protocol profile (``quick`` default, or ``full``);
* ``EX3_OUT``: the folder verdicts and figures are written to (default
  ``./ex3-out``, never inside the package);
* ``EX3_CACHE_DIR``: the run cache and download cache (default: the user cache
  folder, so runs survive between invocations and stay out of the repository);
* ``EX3_NO_CACHE``: any non-blank value turns the run cache off;
* ``EX3_DATA_DIR``: the MNIST folder;
* ``EX3_SEEDS``: the number of seeds per study for ``pytest claims/`` (the
  ``--seeds`` of the ``ex3`` command);
* ``EX3_DEVICE``: where MNIST runs train, ``auto`` (default: a CUDA GPU when
  there is one), ``cpu`` or ``cuda`` (the ``--device`` of the ``ex3`` command);
* ``EX3_THREADS``: the training loop's intra-op threads (a positive integer;
  the default lives in ``ex3.training.threads``, whose source is part of the
  run cache key; set for a block by :func:`loop_threads`).

Beyond them, :func:`prefer_short_openmp_waits` gives OpenMP's waiting a
default (``GOMP_SPINCOUNT=1000``) when the user has not chosen one.

A variable set to an empty or blank value counts as unset, for every one of
them: ``EX3_OUT=`` in a CI file must not turn into "write into the current
folder" while ``EX3_PROFILE=`` means the default.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import platformdirs

from ex3.errors import UsageError

PROFILE_ENV = "EX3_PROFILE"
OUT_ENV = "EX3_OUT"
CACHE_DIR_ENV = "EX3_CACHE_DIR"
NO_CACHE_ENV = "EX3_NO_CACHE"
DATA_DIR_ENV = "EX3_DATA_DIR"
SEEDS_ENV = "EX3_SEEDS"
DEVICE_ENV = "EX3_DEVICE"
THREADS_ENV = "EX3_THREADS"

#: The protocol profiles, quick first (the default).
PROFILES = ("quick", "full")
#: Where MNIST runs train: ``auto`` (a CUDA GPU when there is one, else the CPU), or either.
DEVICES = ("auto", "cpu", "cuda")
DEFAULT_OUT = "ex3-out"


class FromEnv(NamedTuple):
    """A setting's value and how an error message names where it came from."""

    value: str
    origin: str
    """``NAME=value``, as the user wrote it."""


def _setting(name: str) -> str | None:
    """The environment variable ``name`` stripped, or None when it is unset, empty or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def _from_env(name: str) -> FromEnv | None:
    value = _setting(name)
    return None if value is None else FromEnv(value, f"{name}={value}")


def profile_from_env() -> str:
    """The profile named by EX3_PROFILE, validated."""
    profile = _setting(PROFILE_ENV) or "quick"
    if profile not in PROFILES:
        raise UsageError(
            f"{PROFILE_ENV}={profile!r} is not a profile; set it to one of {', '.join(PROFILES)}"
        )
    return profile


def out_dir_from_env() -> Path:
    """The output folder named by EX3_OUT (default ./ex3-out)."""
    return Path(_setting(OUT_ENV) or DEFAULT_OUT).expanduser()


def cache_dir() -> Path:
    """The root of the on-disk caches (run cache, downloaded MNIST)."""
    env = _setting(CACHE_DIR_ENV)
    return Path(env).expanduser() if env else Path(platformdirs.user_cache_dir("ex3"))


def cache_dir_from_env() -> bool:
    """Whether EX3_CACHE_DIR chose the cache folder (so a message can say where it came from)."""
    return _setting(CACHE_DIR_ENV) is not None


def cache_enabled() -> bool:
    """The run cache is on unless EX3_NO_CACHE is set to a non-blank value."""
    return _setting(NO_CACHE_ENV) is None


def data_dir_from_env() -> FromEnv | None:
    """The MNIST folder named by EX3_DATA_DIR, with its origin for messages; None when unset."""
    return _from_env(DATA_DIR_ENV)


def device_from_env() -> str | None:
    """The device named by EX3_DEVICE (auto, cpu or cuda), validated; None when unset."""
    device = _setting(DEVICE_ENV)
    if device is not None and device not in DEVICES:
        raise UsageError(f"{DEVICE_ENV}={device!r} is not a device; set it to one of "
                         f"{', '.join(DEVICES)}")
    return device


def seeds_from_env() -> int | None:
    """The seed count named by EX3_SEEDS (a positive integer), or None for the study defaults."""
    value = _setting(SEEDS_ENV)
    if value is None:
        return None
    try:
        seeds = int(value)
    except ValueError:
        seeds = 0
    if seeds < 1:
        raise UsageError(f"{SEEDS_ENV}={value!r} is not a positive integer; set it to the "
                         "number of seeds per study, or unset it for the study defaults")
    return seeds


def threads_from_env() -> int | None:
    """The intra-op thread count named by EX3_THREADS (a positive integer), or None."""
    value = _setting(THREADS_ENV)
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise UsageError(f"{THREADS_ENV}={value!r} is not a positive integer; set it to the "
                         "training loop's thread count, or unset it for the default")
    return int(value)


#: The variables that say how an OpenMP thread waits for its team: the standard policy
#: (spin or sleep) and GNU OpenMP's spin count (torch's Linux wheels ship GNU OpenMP).
OPENMP_WAIT_VARIABLES = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")
#: What ex3 sets when the user has set none of them: spin 1,000 rounds (tens of
#: microseconds), then sleep.
OPENMP_WAIT_DEFAULTS = {"GOMP_SPINCOUNT": "1000"}


def prefer_short_openmp_waits() -> None:
    """Let a waiting OpenMP thread spin briefly, then sleep, unless the user chose how it waits.

    OpenMP reads these variables once, when torch loads its runtime, so this
    runs when ``ex3`` is imported (``ex3/__init__.py``), before any of its
    modules imports torch; processes this one starts (workers) inherit them.
    GNU OpenMP's default spins 300,000 rounds: a thread that waits for a
    partner whose core another process holds burns the time that partner
    needs, and two threads then train many times slower than one. A short
    spin keeps the threads' hand-offs fast on free cores and gives a core
    back soon on a busy machine. How threads wait changes no value computed.
    """
    if all(_setting(name) is None for name in OPENMP_WAIT_VARIABLES):
        os.environ.update(OPENMP_WAIT_DEFAULTS)


def suite_environment(cache: Path) -> dict[str, str]:
    """This process's environment for a ``pytest claims/`` child: quick profile, the run cache
    in ``cache`` (always on) and the outputs in ``cache/out``."""
    env = {**os.environ, PROFILE_ENV: "quick", CACHE_DIR_ENV: str(cache),
           OUT_ENV: str(cache / "out")}
    env.pop(NO_CACHE_ENV, None)
    return env


@contextlib.contextmanager
def loop_threads(threads: int) -> Iterator[None]:
    """The training loop's thread count (EX3_THREADS) set to ``threads`` for a block.

    The loop reads the variable (through :func:`threads_from_env`) on every
    call, so setting it is how a benchmark compares thread counts in one
    process; the previous value (or its absence) is restored afterwards.
    """
    before = os.environ.get(THREADS_ENV)
    os.environ[THREADS_ENV] = str(threads)
    try:
        yield
    finally:
        if before is None:
            del os.environ[THREADS_ENV]
        else:
            os.environ[THREADS_ENV] = before
