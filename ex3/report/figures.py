"""Figures: each study registers functions that draw one figure from its measurements.

A figure function takes the run context and returns a matplotlib Figure; it
reads the study's (cached) measurement, so drawing never retrains anything.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ex3.engine.claim import RunContext
from ex3.report.atomic import write_atomic

FigureFn = Callable[[RunContext], Figure]


def registry() -> dict[str, FigureFn]:
    """Every figure name the studies provide, mapped to its drawing function."""
    from ex3.engine.registry import study_modules

    figures: dict[str, FigureFn] = {}
    for module in study_modules("figures"):
        figures.update(module.FIGURES)
    return figures


def render_figures(names: Iterable[str], ctx: RunContext, out_dir: Path) -> list[Path]:
    """Draw each named figure and write it as ``out_dir/<name>.png``."""
    known = registry()
    written = []
    for name in sorted(set(names)):
        fig = known[name](ctx)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        path = out_dir / f"{name}.png"
        write_atomic(path, buffer.getvalue())
        written.append(path)
    return written
