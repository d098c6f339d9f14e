"""Worker processes that stop the moment they are told to, and never outlive their parent.

``concurrent.futures.ProcessPoolExecutor`` fits training badly at the two
moments that matter: on Ctrl-C its workers catch the KeyboardInterrupt as a
task failure and go on with their queued tasks, and when the parent is killed
they train on, orphaned, writing cache entries nobody asked for. This pool
keeps the parent in charge instead:

* workers ignore SIGINT (a terminal's Ctrl-C reaches the whole process group);
  the parent, on KeyboardInterrupt, SIGTERM or a failed task, terminates
  every worker at once: queued tasks never start, running ones are abandoned
  (the run cache writes entries atomically, so nothing half-written remains);
* each worker watches its parent (:func:`watch_parent`): on Linux the kernel
  kills it when the parent dies (``PR_SET_PDEATHSIG``), and a daemon thread
  that polls the parent's pid does the same everywhere else.

Tasks are handed out one at a time from a shared queue, in the order given.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any

#: ``prctl`` option: the signal the kernel sends this process when its parent dies.
PR_SET_PDEATHSIG = 1


class WorkerDied(RuntimeError):
    """A worker process ended without finishing its task (killed, out of memory, crashed)."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, kept as its ``__cause__``."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


def _set_pdeathsig(sig: int) -> bool:
    """Ask the Linux kernel to send ``sig`` to this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def watch_parent(parent_pid: int, interval: float = 0.5, use_prctl: bool = True) -> None:
    """End this process as soon as the process ``parent_pid`` is no longer its parent.

    With ``use_prctl`` on Linux the kernel does it (SIGKILL on the parent's
    death), and a check right after covers a parent that died before that took
    effect; a daemon thread polling ``os.getppid()`` every ``interval`` seconds
    covers systems without prctl. The exit is immediate (``os._exit``): an
    orphan has no one to report to.
    """
    if use_prctl:
        _set_pdeathsig(signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the watch began
        os._exit(1)

    def poll() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=poll, name="ex3-watch-parent", daemon=True).start()


def _worker_main(parent_pid: int, tasks: Any, results: Any, fn: Callable[..., Any],
                 initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    """A worker's life: watch the parent, ignore Ctrl-C, run tasks until the ``None`` sentinel."""
    watch_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if initializer is not None:
        initializer(*initargs)
    while True:
        task = tasks.get()
        if task is None:
            return
        index, args = task
        results.put(_outcome(index, fn, args))


def _outcome(index: int, fn: Callable[..., Any], args: tuple[Any, ...]) -> bytes:
    """``fn(*args)`` or the exception it raised, pickled here, so that a value that does
    not pickle fails in the worker, where it can still be reported, not in the queue's
    feeder thread, which would drop it."""
    try:
        return pickle.dumps((index, True, fn(*args)))
    except Exception as exc:
        text = "".join(traceback.format_exception(exc))
        try:
            return pickle.dumps((index, False, (exc, text)))
        except Exception:
            return pickle.dumps((index, False, (RuntimeError(_first_line(exc)), text)))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Block SIGINT while workers start: a spawned child inherits the mask through exec,
    so a Ctrl-C during its start-up is discarded instead of printing a traceback."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class WorkerPool:
    """``workers`` spawned processes running ``fn`` over tasks; use as a context manager.

    Leaving the ``with`` block normally waits for the workers to finish; leaving
    it on an exception (KeyboardInterrupt, SIGTERM's Terminated, a failed task)
    terminates them at once.
    """

    def __init__(self, workers: int, fn: Callable[..., Any],
                 initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        self._mp = multiprocessing.get_context("spawn")
        self._tasks = self._mp.Queue()
        self._results = self._mp.Queue()
        self._procs = [self._mp.Process(target=_worker_main, name=f"ex3-worker-{i}",
                                        args=(os.getpid(), self._tasks, self._results, fn,
                                              initializer, initargs))
                       for i in range(workers)]

    def __enter__(self) -> WorkerPool:
        try:
            with _sigint_blocked():
                for proc in self._procs:
                    proc.start()
        except BaseException:
            self.terminate()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self.terminate()

    @property
    def processes(self) -> list[multiprocessing.process.BaseProcess]:
        return list(self._procs)

    def map_unordered(self, args: Sequence[tuple[Any, ...]], poll_s: float = 0.25,
                      on_idle: Callable[[], None] | None = None) -> Iterator[tuple[int, Any]]:
        """Run ``fn(*a)`` for each ``a`` in ``args``; iterate ``(index, result)`` as each ends.

        The tasks are queued at once (call this once per pool); iterating
        collects their results. A task that raises re-raises here (the worker's
        traceback as its ``__cause__``); a worker that dies mid-task raises
        WorkerDied. ``on_idle`` is called about every ``poll_s`` seconds while
        waiting.
        """
        for index, task_args in enumerate(args):
            self._tasks.put((index, task_args))
        for _ in self._procs:
            self._tasks.put(None)
        return self._collect(len(args), poll_s, on_idle)

    def _collect(self, n: int, poll_s: float,
                 on_idle: Callable[[], None] | None) -> Iterator[tuple[int, Any]]:
        pending = set(range(n))
        while pending:
            try:
                index, ok, value = pickle.loads(self._results.get(timeout=poll_s))
            except queue.Empty:
                if on_idle is not None:
                    on_idle()
                self._check_alive(poll_s)
                continue
            pending.discard(index)
            if not ok:
                exc, text = value
                raise exc from RemoteTraceback(text)
            yield index, value

    def _check_alive(self, poll_s: float) -> None:
        """Raise WorkerDied when a worker crashed, or when all ended and results are missing."""
        for proc in self._procs:
            if proc.exitcode not in (None, 0):
                raise WorkerDied(f"worker process {proc.name} (pid {proc.pid}) ended with exit "
                                 f"code {proc.exitcode} before finishing its task")
        if all(proc.exitcode is not None for proc in self._procs) and self._results.empty():
            time.sleep(poll_s)  # a result written just before its worker ended may be in flight
            if self._results.empty():
                raise WorkerDied("every worker process ended, but some tasks reported nothing")

    def close(self) -> None:
        """Wait for the workers, which end after their sentinel."""
        for proc in self._procs:
            proc.join()
        self._release()

    def terminate(self, grace_s: float = 2.0) -> None:
        """Stop every worker now: SIGTERM, then SIGKILL for any still alive after ``grace_s``."""
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
        deadline = time.monotonic() + grace_s
        for proc in self._procs:
            if proc.pid is None:
                continue
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        self._release()

    def _release(self) -> None:
        # Tasks no worker took stay in the pipe; do not wait at exit to flush them.
        for q in (self._tasks, self._results):
            q.cancel_join_thread()
            q.close()
