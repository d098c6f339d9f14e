"""The claims suite: one test per claim id, each compared with its pinned verdict.

A claim pinned REPRODUCED passes when it is measured REPRODUCED. A claim
pinned NOT REPRODUCED runs as a strict xfail whose reason carries the measured
numbers: should it ever measure REPRODUCED, the run fails. SKIPPED (e.g. the
full-data claims on the bundled sample) and NOT TESTABLE are pytest skips with
their reasons. At the end of the session ``verdicts.json``, ``verdicts.md`` and
the figures are written to ``$EX3_OUT`` (default ``./ex3-out``), with ``report.html``.

Under pytest-xdist (``-n auto``) each worker evaluates its share of the claims
and renders their figures, but writes nothing to ``$EX3_OUT``: it hands its
results (``ClaimResult.to_json``) and figure PNGs to the controller through
``config.workeroutput``; the controller merges them as each worker goes down
and writes the one complete set of files at the end.
"""

from __future__ import annotations

import base64
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ex3.config import out_dir_from_env
from ex3.engine.claim import ClaimResult, RunContext
from ex3.engine.gate import check
from ex3.engine.registry import get_claim
from ex3.report.session import Session
from ex3.training.threads import run_threads

_SESSION: Session | None = None
_STARTED = time.perf_counter()
#: This session's pytest configuration (how many xdist workers train at once).
_CONFIG: pytest.Config | None = None
#: Figure PNGs rendered by xdist workers, by name (controller only).
_WORKER_FIGURES: dict[str, bytes] = {}
#: The xdist workers whose results were merged (controller only).
_MERGED: set[str] = set()
RESULTS_KEY, FIGURES_KEY = "ex3_results", "ex3_figures"


def _training_processes(config: pytest.Config | None) -> int:
    """How many processes train at once: the xdist workers (``-n N``), else this one."""
    if config is None:
        return 1
    workerinput = getattr(config, "workerinput", None)
    if workerinput:
        return int(workerinput.get("workercount", 1))
    numprocesses = getattr(config.option, "numprocesses", None)
    return numprocesses if isinstance(numprocesses, int) and numprocesses > 0 else 1


def _session() -> Session:
    global _SESSION
    if _SESSION is None:
        _SESSION = Session(RunContext.resolve(threads=run_threads(_training_processes(_CONFIG))))
    return _SESSION


@pytest.fixture
def check_claim(request: pytest.FixtureRequest) -> Callable[[str], ClaimResult]:
    """Evaluate a claim by id (once per session) and check it against its pin."""

    def run(claim_id: str) -> ClaimResult:
        result = _session().run(get_claim(claim_id))
        check(result, request)
        return result

    return run


def _is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workeroutput")


def pytest_sessionstart(session: pytest.Session) -> None:
    global _STARTED, _CONFIG
    _STARTED = time.perf_counter()
    _CONFIG = session.config


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if _is_xdist_worker(config):
        _hand_over(config.workeroutput)  # type: ignore[attr-defined]
        return
    if _SESSION is None or not _SESSION.results:
        return
    out = out_dir_from_env()
    _SESSION.started = _STARTED
    figures = {f for r in _SESSION.results.values() for f in r.figures}
    from_workers = {n: png for n, png in _WORKER_FIGURES.items() if n in figures}
    front_end = (f"pytest claims/ ({len(_MERGED)} xdist workers)" if _MERGED
                 else "pytest claims/")
    paths = _SESSION.write(out, figures=not from_workers, extra={"front_end": front_end})
    if from_workers:
        _write_worker_figures(from_workers, figures, out)
    from ex3.report.html import write_html

    write_html(out)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"ex3: verdicts written to {paths[-1].parent}")


def _hand_over(workeroutput: dict[str, Any]) -> None:
    """In an xdist worker: pass results and rendered figures to the controller, write nothing."""
    if _SESSION is None or not _SESSION.results:
        return
    from ex3.report.figures import render_figures

    results = list(_SESSION.results.values())
    workeroutput[RESULTS_KEY] = json.dumps([r.to_json() for r in results], allow_nan=True)
    names = sorted({f for r in results for f in r.figures})
    with tempfile.TemporaryDirectory(prefix="ex3-worker-figures-") as tmp:
        rendered = render_figures(names, _SESSION.ctx, Path(tmp))
        workeroutput[FIGURES_KEY] = {
            p.stem: base64.b64encode(p.read_bytes()).decode("ascii") for p in rendered}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the xdist controller: merge what a finished worker evaluated and rendered."""
    output = getattr(node, "workeroutput", None) or {}
    if RESULTS_KEY not in output:
        return
    session = _session()
    _MERGED.add(str(getattr(node, "gateway", node).id))
    for data in json.loads(output[RESULTS_KEY]):
        result = ClaimResult.from_json(data)
        session.results[result.id] = result
    for name, png in output.get(FIGURES_KEY, {}).items():
        _WORKER_FIGURES[name] = base64.b64decode(png)


def _write_worker_figures(rendered: dict[str, bytes], wanted: set[str], out: Path) -> None:
    """Write the workers' figures; draw here any that no worker handed over."""
    from ex3.report.atomic import write_atomic
    from ex3.report.figures import render_figures

    for name, png in rendered.items():
        write_atomic(out / f"{name}.png", png)
    missing = wanted - set(rendered)
    if missing:
        render_figures(missing, _session().ctx, out)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int,
                            config: pytest.Config) -> None:
    """After the results: profile, data, claims per verdict and where the report is.

    pytest's own lines say passed / xfailed; this block says what that means
    for the report's claims, so the run needs no file opened to be read.
    """
    if _is_xdist_worker(config) or _SESSION is None or not _SESSION.results:
        return
    from ex3.report.run_facts import summary_lines

    doc = _SESSION.document(extra={"seeds": _SESSION.ctx.seeds, "front_end": "pytest claims/"})
    terminalreporter.write_sep("-", "ex3 claims")
    for line in summary_lines(doc, out_dir_from_env()):
        terminalreporter.write_line(line)
