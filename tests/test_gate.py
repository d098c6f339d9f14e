"""The regression gate turns every (pinned, measured) pair into the right pytest outcome."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TEST_FILE = """
import pytest
from ex3.engine.claim import ClaimResult, Verdict
from ex3.engine.gate import check

def result(measured, pinned):
    return ClaimResult(id="X1", section="s", quote="q", summary="s", threshold="t",
                       verdict=Verdict(measured), expected=None if pinned is None
                       else Verdict(pinned), reason="numbers 0.123")

def test_claim(request):
    check(result({measured!r}, {pinned!r}), request)
"""


@pytest.mark.parametrize(("measured", "pinned", "outcome"), [
    ("REPRODUCED", "REPRODUCED", "passed"),
    ("NOT REPRODUCED", "REPRODUCED", "failed"),
    ("NOT REPRODUCED", "NOT REPRODUCED", "xfailed"),
    ("REPRODUCED", "NOT REPRODUCED", "failed"),     # XPASS(strict): the verdict changed
    ("SKIPPED", "REPRODUCED", "skipped"),
    ("NOT TESTABLE", "NOT TESTABLE", "skipped"),
    ("NOT TESTABLE", "REPRODUCED", "failed"),
    ("REPRODUCED", None, "failed"),                 # every claim must be pinned
    ("UNSTABLE", "REPRODUCED", "failed"),
    ("INCONCLUSIVE", "INCONCLUSIVE", "passed"),     # a reduced budget that cannot decide
    ("INCONCLUSIVE", "NOT REPRODUCED", "failed"),   # never hidden behind the xfail
    ("INCONCLUSIVE", "REPRODUCED", "failed"),
    ("REPRODUCED", "INCONCLUSIVE", "failed"),       # the budget now states a verdict
    ("NOT REPRODUCED", "INCONCLUSIVE", "failed"),
])
def test_outcome(pytester, measured, pinned, outcome):
    pytester.makepyfile(TEST_FILE.format(measured=measured, pinned=pinned))
    run = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-rxs")
    run.assert_outcomes(**{outcome: 1})
    if outcome == "xfailed":
        run.stdout.fnmatch_lines(["*numbers 0.123*"])
