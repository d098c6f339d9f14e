"""One test per claim of every registered section (``ex3.studies.registry``), in the
report's order, each compared with its pinned verdict (see ``conftest.py``).

Select claims by id: ``pytest claims/ -k "T1 or M2"``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ex3.engine.claim import ClaimResult
from ex3.engine.registry import all_claims


@pytest.mark.parametrize("claim_id", [c.id for c in all_claims()])
def test_claim(claim_id: str, check_claim: Callable[[str], ClaimResult]) -> None:
    check_claim(claim_id)
