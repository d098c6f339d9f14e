"""Settings shared by every test folder (tests/, claims/, benchmarks/).

Hypothesis runs a fixed, derandomised profile under CI (so CI is
reproducible from the commit alone) and its default profile elsewhere.
"""

from __future__ import annotations

import os

from hypothesis import settings

import ex3  # noqa: F401  (before any test imports torch: ex3 sets how OpenMP threads wait)

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
