"""The toy study trained as one stacked program equals the runs trained one by one.

``run_study`` stacks every seed, function and model (``run_stacked``); the
protocol says each run sees exactly what ``run_one`` gives it, so the curves
must agree to rounding, including when a falsification world puts other
models in the slots or other targets behind the functions.
"""

from __future__ import annotations

import pytest

from ex3.data.toy import FUNCTIONS
from ex3.studies.toy.study import SLOTS, ToyProtocol, run_one, run_stacked

PROTOCOLS = [
    ToyProtocol(seeds=(0, 7), epochs=3),
    ToyProtocol(seeds=(1,), epochs=2, substitutions=(("y0", "cnn", "linear"),
                                                     ("y1", "linear", "linear_far"),
                                                     ("y2", "cnn", "cnn_no_relu")),
                targets=(("y2", "y0"),)),
]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_stacked_study_matches_runs_trained_alone(protocol):
    stacked = run_stacked(protocol)
    assert set(stacked) == {(s, f, m) for s in protocol.seeds for f in FUNCTIONS for m in SLOTS}
    for (seed, function, slot), curves in stacked.items():
        alone = run_one(protocol, seed, function, slot)
        assert len(curves.test) == protocol.epochs + 1
        assert curves.diverged == alone.diverged
        assert curves.train == pytest.approx(alone.train, rel=1e-5, abs=1e-9)
        assert curves.test == pytest.approx(alone.test, rel=1e-5, abs=1e-9)
