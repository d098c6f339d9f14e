"""Progress of ``ex3 verify`` on a terminal: claim, run, seed, epoch, elapsed, time left.

A full verification trains for minutes to hours, so a person at a terminal
needs to see what is running and roughly how long is left. The display is one
status line redrawn in place; when stdout is not a terminal (CI logs, pipes)
it stays silent so logs hold only results.

The estimate of what is left counts the epochs still to train of the runs the
selected claims plan (``planned_runs`` of each study), each weighted by its
number of training images and by the seconds per image measured so far for
that model. Runs already in the cache count as done; claims whose study plans
no runs (seconds of work) are not estimated.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO

from ex3.training import runner
from ex3.training.loop import EpochRecord
from ex3.training.runs import RunSpec

Clock = Callable[[], float]


def format_duration(seconds: float) -> str:
    """``42s``, ``3m05s`` or ``1h02m``: short enough for a status line."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def describe_run(spec: RunSpec) -> str:
    """A run in a few words: model, optimiser, learning rate, seed."""
    c = spec.config
    return f"{spec.model} {c.optimizer} lr {c.lr:g} seed {c.seed}"


class Progress:
    """One status line, redrawn in place on a terminal, silent elsewhere.

    ``stage`` names what is running (a claim, or the parallel training);
    ``on_epoch`` is the training hook (``runner.progress_hook``); ``plan``
    declares the runs still to train so the time left can be estimated;
    ``message`` prints a permanent line (a claim's verdict) above the status.
    """

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None,
                 clock: Clock = time.monotonic, tick_s: float = 1.0) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.clock = clock
        self.tick_s = tick_s
        self.started = clock()
        self.stage_label = ""
        self.detail = ""
        self.concurrency = 1
        self._todo: dict[RunSpec, int] = {}  # run -> epochs not yet trained
        self._images: dict[RunSpec, int] = {}  # run -> training images per epoch
        self._last_event: dict[RunSpec, float] = {}
        self._seconds: dict[str, float] = {}  # model -> measured seconds ...
        self._count: dict[str, int] = {}  # ... over this many images
        self._lock = threading.RLock()
        self._shown = False
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    # -- what is planned and what happened

    def plan(self, planned: Iterable[tuple[RunSpec, int]], concurrency: int = 1) -> None:
        """Declare runs still to train, each with its number of training images per epoch."""
        with self._lock:
            for spec, images in planned:
                self._todo[spec] = spec.config.epochs
                self._images[spec] = images
            self.concurrency = max(1, concurrency)

    def stage(self, label: str, detail: str = "") -> None:
        """Name what runs now (e.g. ``M2 (3/7)``) and redraw."""
        with self._lock:
            self.stage_label, self.detail = label, detail
        self.draw()

    def on_epoch(self, spec: RunSpec, record: EpochRecord) -> None:
        """Training hook: one epoch of ``spec`` finished (epoch 0: the run started)."""
        now = self.clock()
        with self._lock:
            if record.epoch == 0 and self.concurrency == 1:
                # One run at a time: a new run means the previous one ended, even early
                # (a diverged run stops before its last epoch).
                for other in [o for o in self._last_event if o != spec]:
                    self.run_finished(other)
            last = self._last_event.get(spec)
            self._last_event[spec] = now
            if record.epoch > 0 and last is not None:
                images = self._images.get(spec) or 1
                self._seconds[spec.model] = self._seconds.get(spec.model, 0.0) + now - last
                self._count[spec.model] = self._count.get(spec.model, 0) + images
            if record.epoch > 0 and spec in self._todo:
                self._todo[spec] = max(0, self._todo[spec] - 1)
            self.detail = f"{describe_run(spec)}, epoch {record.epoch}/{spec.config.epochs}"
        self.draw()

    def run_finished(self, spec: RunSpec) -> None:
        """A run ended (trained, or found in the cache by another process)."""
        with self._lock:
            self._todo[spec] = 0
            self._last_event.pop(spec, None)

    # -- the estimate

    def remaining_s(self) -> float | None:
        """Seconds of training left, or None while nothing has been timed yet."""
        with self._lock:
            if not self._count:
                return None
            overall = sum(self._seconds.values()) / max(1, sum(self._count.values()))
            total = 0.0
            for spec, epochs in self._todo.items():
                if epochs:
                    rate = (self._seconds[spec.model] / self._count[spec.model]
                            if self._count.get(spec.model) else overall)
                    total += epochs * self._images[spec] * rate
            return total / self.concurrency

    def line(self) -> str:
        """The status line as it would be drawn now."""
        with self._lock:
            parts = [p for p in (self.stage_label, self.detail) if p]
            parts.append(f"{format_duration(self.clock() - self.started)} elapsed")
            left = self.remaining_s()
            if left is not None and any(self._todo.values()):
                parts.append(f"~{format_duration(left)} of training left")
            return "ex3 " + " | ".join(parts)

    # -- drawing

    def draw(self) -> None:
        """Redraw the status line in place (terminal only); the ticker keeps time moving."""
        if not self.enabled:
            return
        with self._lock:
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.stream.write("\r" + self.line()[:width] + "\x1b[K")
            self.stream.flush()
            self._shown = True

    def clear(self) -> None:
        """Remove the status line so ordinary output starts on a clean line."""
        if not self.enabled:
            return
        with self._lock:
            if self._shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self._shown = False

    def message(self, text: str) -> None:
        """Print a permanent line (shown on terminals and in logs alike)."""
        with self._lock:
            self.clear()
            print(text, file=self.stream, flush=True)
        self.draw()

    # -- lifetime

    def __enter__(self) -> Progress:
        if self.enabled:
            self._ticker = threading.Thread(target=self._tick, name="ex3-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        self.clear()

    def _tick(self) -> None:
        while not self._stop.wait(self.tick_s):
            self.draw()


@contextmanager
def hooked(progress: Progress | None) -> Iterator[None]:
    """Point ``runner.progress_hook`` at ``progress`` for the duration, then restore it."""
    previous = runner.progress_hook
    runner.progress_hook = progress.on_epoch if progress is not None else previous
    try:
        yield
    finally:
        runner.progress_hook = previous


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
