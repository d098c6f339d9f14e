"""Figures: each study registers functions that draw one figure from its measurements.

A figure function takes the run context and returns a matplotlib Figure; it
reads the study's (cached) measurement, so drawing never retrains anything.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from ex3.engine.claim import RunContext
from ex3.report.atomic import write_atomic
from ex3.studies.contract import FigureFn


def registry() -> dict[str, FigureFn]:
    """Every figure name the studies provide, mapped to its drawing function."""
    from ex3.engine.registry import studies

    figures: dict[str, FigureFn] = {}
    for study in studies():
        figures.update(study.figures())
    return figures


def render_pngs(names: Iterable[str], ctx: RunContext) -> dict[str, bytes]:
    """Draw each named figure; its PNG bytes by name, for writing with the rest of a run."""
    known = registry()
    pngs = {}
    for name in sorted(set(names)):
        fig = known[name](ctx)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        pngs[name] = buffer.getvalue()
    return pngs


def render_figures(names: Iterable[str], ctx: RunContext, out_dir: Path) -> list[Path]:
    """Draw each named figure and write it as ``out_dir/<name>.png``."""
    written = []
    for name, png in render_pngs(names, ctx).items():
        path = out_dir / f"{name}.png"
        write_atomic(path, png)
        written.append(path)
    return written
