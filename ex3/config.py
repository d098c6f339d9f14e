"""Settings read from the environment, in one place.

``EX3_PROFILE`` picks the protocol profile (``quick`` default, or ``full``);
``EX3_OUT`` the folder verdicts and figures are written to (default
``./ex3-out``, never inside the package); ``EX3_CACHE_DIR`` the run cache
(default: the user cache folder, so runs survive between invocations and stay
out of the repository).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from ex3.engine.pinned import PROFILES
from ex3.errors import UsageError

DEFAULT_OUT = "ex3-out"


def profile_from_env() -> str:
    """The profile named by EX3_PROFILE, validated."""
    profile = os.environ.get("EX3_PROFILE", "quick").strip() or "quick"
    if profile not in PROFILES:
        raise UsageError(
            f"EX3_PROFILE={profile!r} is not a profile; set it to one of {', '.join(PROFILES)}"
        )
    return profile


def out_dir_from_env() -> Path:
    """The output folder named by EX3_OUT (default ./ex3-out)."""
    return Path(os.environ.get("EX3_OUT", DEFAULT_OUT))


def cache_dir() -> Path:
    """The root of the on-disk caches (run cache, downloaded MNIST)."""
    env = os.environ.get("EX3_CACHE_DIR")
    return Path(env) if env else Path(platformdirs.user_cache_dir("ex3"))
