"""The expected verdicts, pinned per profile in ``pinned.toml``.

One reviewed file holds every expected verdict, so a change of verdict shows up
as a diff of that file in review, and ``pytest claims/`` fails whenever a
measured verdict differs from the pinned one.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

from ex3.config import PROFILES
from ex3.engine.claim import Verdict
from ex3.errors import UsageError

#: The pin table for claims measured on the bundled MNIST sample (any profile).
SAMPLE_TABLE = "sample"


@functools.cache
def _table() -> dict[str, dict[str, str]]:
    text = resources.files("ex3.engine").joinpath("pinned.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def pinned_verdict(profile: str, claim_id: str) -> Verdict | None:
    """The verdict pinned for ``claim_id`` under ``profile``; None if none is pinned."""
    if profile not in (*PROFILES, SAMPLE_TABLE):
        raise UsageError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    value = _table().get(profile, {}).get(claim_id)
    return None if value is None else Verdict(value)
