"""Settings read from the environment, in one place.

``EX3_PROFILE`` picks the protocol profile (``quick`` default, or ``full``);
``EX3_OUT`` the folder verdicts and figures are written to (default
``./ex3-out``, never inside the package); ``EX3_CACHE_DIR`` the run cache
(default: the user cache folder, so runs survive between invocations and stay
out of the repository); ``EX3_DATA_DIR`` the MNIST folder (read in
``ex3.data.mnist``).

A variable set to an empty or blank value counts as unset, for every one of
them: ``EX3_OUT=`` in a CI file must not turn into "write into the current
folder" while ``EX3_PROFILE=`` means the default.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from ex3.engine.pinned import PROFILES
from ex3.errors import UsageError

DEFAULT_OUT = "ex3-out"


def env_setting(name: str) -> str | None:
    """The environment variable ``name`` stripped, or None when it is unset, empty or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def profile_from_env() -> str:
    """The profile named by EX3_PROFILE, validated."""
    profile = env_setting("EX3_PROFILE") or "quick"
    if profile not in PROFILES:
        raise UsageError(
            f"EX3_PROFILE={profile!r} is not a profile; set it to one of {', '.join(PROFILES)}"
        )
    return profile


def out_dir_from_env() -> Path:
    """The output folder named by EX3_OUT (default ./ex3-out)."""
    return Path(env_setting("EX3_OUT") or DEFAULT_OUT).expanduser()


def cache_dir() -> Path:
    """The root of the on-disk caches (run cache, downloaded MNIST)."""
    env = env_setting("EX3_CACHE_DIR")
    return Path(env).expanduser() if env else Path(platformdirs.user_cache_dir("ex3"))
