"""The regression gate: a measured result against its pinned verdict, as a pytest outcome.

* pinned REPRODUCED: a normal test, failing (with the numbers) unless
  measured REPRODUCED;
* pinned NOT REPRODUCED: a strict xfail whose reason carries the measured
  numbers; measuring REPRODUCED makes it XPASS(strict), which fails the run;
* pinned INCONCLUSIVE (a reduced budget that cannot decide, see
  ``ex3.engine.agreement``): a normal test that passes when measured
  INCONCLUSIVE and fails when the budget states a verdict;
* measured SKIPPED: a skip with its reason; NOT TESTABLE: a skip, after
  checking that it is pinned so.

A measured verdict other than the pinned one always fails, before any xfail
marker is applied, so a pinned NOT REPRODUCED cannot hide a change to
INCONCLUSIVE.
"""

from __future__ import annotations

import pytest

from ex3.engine.claim import ClaimResult, Verdict


def check(result: ClaimResult, request: pytest.FixtureRequest) -> None:
    """Turn a measured result and its pinned verdict into a pytest outcome."""
    where = f"{result.id} [{result.verdict}] {result.reason}"
    if result.verdict is Verdict.SKIPPED:
        pytest.skip(where)
    if result.verdict is Verdict.NOT_TESTABLE:
        assert result.expected is Verdict.NOT_TESTABLE, f"{where}; pinned {result.expected}"
        pytest.skip(where)
    assert result.expected is not None, f"{result.id} has no pinned verdict; measured {where}"
    assert result.verdict is result.expected, f"pinned {result.expected}, measured {where}"
    if result.expected is Verdict.NOT_REPRODUCED:
        request.applymarker(pytest.mark.xfail(strict=True, reason=where))
        raise AssertionError(where)
