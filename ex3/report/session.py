"""A session: evaluate claims, keep their results, write verdicts and figures.

Both front ends, ``pytest claims/`` and the ``ex3`` command, run claims
through this one class, so they cannot disagree.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ex3.engine.claim import Claim, ClaimResult, RunContext
from ex3.engine.evaluate import evaluate_claim
from ex3.report.outputs import commit_outputs
from ex3.report.verdicts import build_document, verdict_files


class Session:
    """Claims evaluated under one run context, in the order they were run."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.results: dict[str, ClaimResult] = {}
        self.started = time.perf_counter()

    def run(self, claim: Claim) -> ClaimResult:
        """Evaluate ``claim`` once per session (later calls return the same result)."""
        if claim.id not in self.results:
            self.results[claim.id] = evaluate_claim(claim, self.ctx)
        return self.results[claim.id]

    def ordered(self) -> list[ClaimResult]:
        """The results in the report's order."""
        from ex3.engine.registry import all_claims

        order = {c.id: i for i, c in enumerate(all_claims())}
        return sorted(self.results.values(), key=lambda r: order.get(r.id, len(order)))

    def document(self, extra: dict | None = None) -> dict:
        """The verdicts document for what has run so far."""
        from ex3.training.cache import retrained_entries

        results = self.ordered()
        sources = [r.evidence.get("data_source") for r in results if r.evidence.get("data_source")]
        # Runs whose cache entry failed verification and were trained again: the report says so.
        extra = {"retrained_runs": retrained_entries(), **(extra or {})}
        return build_document(results, profile=self.ctx.profile,
                              duration_s=time.perf_counter() - self.started,
                              train_threads=self.ctx.threads, device=self.ctx.device,
                              data_source=sources[0] if sources else None, extra=extra)

    def outputs(self, figures: bool = True, extra: dict | None = None,
                html: bool = False) -> dict[str, bytes | str]:
        """Every file of this session's output set, by name, rendered but not yet written.

        ``verdicts.json``, ``verdicts.md``, the figures the claims name (with
        ``figures``) and ``report.html`` (with ``html``), so that a caller can
        write them as one set (:func:`~ex3.report.outputs.commit_outputs`).
        """
        from ex3.report.figures import render_pngs
        from ex3.report.html import REPORT_NAME, render_html

        names = [f for r in self.results.values() for f in r.figures] if figures else []
        pngs = render_pngs(names, self.ctx)
        doc = self.document(extra)
        files: dict[str, bytes | str] = {f"{name}.png": png for name, png in pngs.items()}
        files.update(verdict_files(doc))
        if html:
            # from the JSON text, as a reader of verdicts.json sees the document
            files[REPORT_NAME] = render_html(json.loads(files["verdicts.json"]), pngs)
        return files

    def write(self, out_dir: Path, figures: bool = True, extra: dict | None = None) -> list[Path]:
        """Write verdicts.json, verdicts.md and (optionally) every figure the claims name."""
        return commit_outputs(out_dir, self.outputs(figures=figures, extra=extra))
