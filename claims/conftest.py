"""The claims suite: one test per claim id, each compared with its pinned verdict.

A claim pinned REPRODUCED passes when it is measured REPRODUCED. A claim
pinned NOT REPRODUCED runs as a strict xfail whose reason carries the measured
numbers: should it ever measure REPRODUCED, the run fails. SKIPPED (e.g. the
full-data claims on the bundled sample) and NOT TESTABLE are pytest skips with
their reasons. At the end of the session ``verdicts.json``, ``verdicts.md`` and
the figures are written to ``$EX3_OUT`` (default ``./ex3-out``).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from ex3.config import out_dir_from_env, profile_from_env
from ex3.engine.claim import ClaimResult, RunContext, Verdict
from ex3.engine.registry import get_claim
from ex3.engine.session import Session

_SESSION: Session | None = None


def _session() -> Session:
    global _SESSION
    if _SESSION is None:
        seeds = os.environ.get("EX3_SEEDS")
        _SESSION = Session(RunContext(profile=profile_from_env(),
                                      seeds=int(seeds) if seeds else None,
                                      data_dir=os.environ.get("EX3_DATA_DIR") or None))
    return _SESSION


def check(result: ClaimResult, request: pytest.FixtureRequest) -> None:
    """Turn a measured result and its pinned verdict into a pytest outcome."""
    where = f"{result.id} [{result.verdict}] {result.reason}"
    if result.verdict is Verdict.SKIPPED:
        pytest.skip(where)
    if result.verdict is Verdict.NOT_TESTABLE:
        assert result.expected is Verdict.NOT_TESTABLE, f"{where}; pinned {result.expected}"
        pytest.skip(where)
    assert result.expected is not None, f"{result.id} has no pinned verdict; measured {where}"
    if result.expected is Verdict.NOT_REPRODUCED:
        request.applymarker(pytest.mark.xfail(strict=True, reason=where))
        assert result.verdict is Verdict.REPRODUCED, where
        return
    assert result.verdict is result.expected, f"pinned {result.expected}, measured {where}"


@pytest.fixture
def check_claim(request: pytest.FixtureRequest) -> Callable[[str], ClaimResult]:
    """Evaluate a claim by id (once per session) and check it against its pin."""

    def run(claim_id: str) -> ClaimResult:
        result = _session().run(get_claim(claim_id))
        check(result, request)
        return result

    return run


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _SESSION is not None and _SESSION.results:
        paths = _SESSION.write(out_dir_from_env())
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"ex3: verdicts written to {paths[-2].parent}")
