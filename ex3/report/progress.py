"""Progress of ``ex3 verify`` on a terminal: claim, run, seed, epoch, elapsed, time left.

A full verification trains for minutes to hours, so a person at a terminal
needs to see what is running and roughly how long is left. The display is one
status line redrawn in place by ``rich.progress`` (verdicts print above it and
it is erased at the end); when the stream is not a terminal (CI logs, pipes)
nothing is drawn, so logs hold only results.

The estimate of what is left counts the epochs still to train of the runs the
selected claims plan (``planned_runs`` of each study), each weighted by its
number of training images and by the seconds per image measured so far for
that model. Runs already in the cache count as done; claims whose study plans
no runs (seconds of work) are not estimated. ``rich``'s own estimate assumes
equal steps, which epochs of different models and data sizes are not, so the
estimate is computed here and shown as a field of the task.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import Progress as Display
from rich.progress import ProgressColumn, Task
from rich.text import Text

from ex3.studies.contract import RunContext
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


def status_line(task: Task) -> str:
    """``ex3 STAGE | RUN | ELAPSED | TIME LEFT`` for the display's one task."""
    parts = [p for p in (task.description, f"{format_duration(task.elapsed or 0.0)} elapsed",
                         task.fields.get("left", "")) if p]
    return "ex3 " + " | ".join(parts)


class _Line(ProgressColumn):
    """The status line as one column, cut with an ellipsis at the terminal's width.

    One column rather than one per part: rich shrinks a row of columns by
    wrapping them, and a status line must stay on one line.
    """

    def render(self, task: Task) -> Text:
        return Text(status_line(task), no_wrap=True, overflow="ellipsis")


class Progress:
    """One status line, redrawn in place on a terminal, silent elsewhere.

    ``stage`` names what is running (a claim, or the parallel training);
    ``on_epoch`` is the training callback (passed in as ``RunContext.on_epoch``); ``plan``
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
        # Guards the estimate only; never held while calling into rich, so the two locks
        # (this one and the display's, taken by its refresh thread) cannot deadlock.
        self._lock = threading.RLock()
        console = Console(file=self.stream, force_terminal=self.enabled, highlight=False,
                          emoji=False, markup=False, soft_wrap=True)
        # Other output to the display's own stream goes above the line; the other stream
        # is left alone (with --json, stdout carries verdicts.json and nothing else).
        self._display = Display(
            _Line(), console=console, auto_refresh=self.enabled,
            refresh_per_second=1.0 / tick_s, transient=True, get_time=clock,
            disable=not self.enabled,
            redirect_stdout=self.stream is sys.stdout, redirect_stderr=self.stream is sys.stderr)
        self._task = self._display.add_task("", left="")

    # -- what is planned and what happened

    def plan(self, planned: Iterable[tuple[RunSpec, int]], concurrency: int = 1) -> None:
        """Declare runs still to train, each with its number of training images per epoch."""
        with self._lock:
            for spec, images in planned:
                self._todo[spec] = spec.config.epochs
                self._images[spec] = images
            self.concurrency = max(1, concurrency)
        self.draw()

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

    def _fields(self) -> dict[str, str]:
        """The task's description (stage and run) and time left, as the columns show them."""
        with self._lock:
            left = self.remaining_s()
            shown = left is not None and any(self._todo.values())
            return {"description": " | ".join(p for p in (self.stage_label, self.detail) if p),
                    "left": f"~{format_duration(left or 0.0)} of training left" if shown else ""}

    def line(self) -> str:
        """The status line as it would be drawn now."""
        self._display.update(self._task, **self._fields())
        return status_line(self._display.tasks[0])

    # -- drawing

    def draw(self) -> None:
        """Bring the status line up to date now (terminal only); rich's ticker keeps time moving."""
        if not self.enabled:
            return
        self._display.update(self._task, **self._fields())
        self._display.refresh()

    def message(self, text: str) -> None:
        """Print a permanent line (shown on terminals and in logs alike) above the status."""
        if self._display.live.is_started:
            # Through the console, which moves the status line below the text.
            self._display.console.out(text, highlight=False)
        else:
            print(text, file=self.stream, flush=True)

    # -- lifetime

    def __enter__(self) -> Progress:
        self.draw()
        self._display.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._display.stop()


@contextmanager
def reporting(progress: Progress | None, ctx: RunContext) -> Iterator[None]:
    """Pass ``progress``'s epoch callback to the session of ``ctx`` for the duration.

    Every run the session trains is then drawn (``RunContext.on_epoch``); the
    session's previous callback is restored after.
    """
    previous = ctx.cache.on_epoch
    if progress is not None:
        ctx.cache.on_epoch = progress.on_epoch
    try:
        yield
    finally:
        ctx.cache.on_epoch = previous


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
