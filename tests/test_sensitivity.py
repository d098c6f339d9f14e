"""Every falsification world flips its claim's measured verdict (sensitivity 100%)."""

from __future__ import annotations

import pytest

from ex3.config import data_dir_from_env
from ex3.engine.registry import all_claims
from ex3.engine.sensitivity import all_worlds, falsify

WORLDS = all_worlds()
NEEDS_MNIST = ("M", "L", "A")


@pytest.mark.parametrize("world", WORLDS, ids=lambda w: f"{w.claim_id}: {w.description}")
def test_the_measured_verdict_flips(world):
    if world.claim_id.startswith(NEEDS_MNIST) and data_dir_from_env() is None:
        pytest.skip("needs the full MNIST: set EX3_DATA_DIR")
    result = falsify(world)
    assert result["caught"], result


def test_every_testable_claim_has_a_world():
    testable = {c.id for c in all_claims() if c.not_testable is None}
    assert testable - {w.claim_id for w in WORLDS} == set()
