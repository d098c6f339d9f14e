"""Tiny jobs for the worker-pool tests in test_faults.py.

Kept apart from the test module so that a spawned worker imports only this
(no torch, no pytest) and starts in a fraction of a second.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ex3.errors import DataError


def mark_and_sleep(folder: str, index: int, seconds: float) -> int:
    """Leave ``started-<index>`` in ``folder``, sleep, leave ``finished-<index>``."""
    Path(folder, f"started-{index}").touch()
    time.sleep(seconds)
    Path(folder, f"finished-{index}").touch()
    return index


def fail_with_data_error(message: str) -> None:
    raise DataError(message)


def die(code: int) -> None:
    os._exit(code)
