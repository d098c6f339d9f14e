"""What the executors tell a progress display: the interface, not the display.

The display itself (``ex3.report.progress.Progress``) lives in the report
layer above; the executors only need these four calls, so they depend on
this protocol and the report layer is never imported from below.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ex3.training.loop import EpochRecord
    from ex3.training.runs import RunSpec


class ProgressSink(Protocol):
    """Told what is being trained, run by run and epoch by epoch."""

    def plan(self, planned: Iterable[tuple[RunSpec, int]], concurrency: int = 1) -> None:
        """The runs still to train (with their images per epoch) and how many train at once."""

    def stage(self, label: str, detail: str = "") -> None:
        """What is running now, in a few words."""

    def run_finished(self, spec: RunSpec) -> None:
        """One run is trained."""

    def on_epoch(self, spec: RunSpec, record: EpochRecord) -> None:
        """One epoch of a run is trained."""
