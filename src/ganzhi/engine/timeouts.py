"""Per-item time limits that interrupt a runaway check where the platform allows it."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class ItemTimeout(Exception):
    """A check ran longer than its time limit."""


def _expire(signum: int, frame: FrameType | None) -> None:
    raise ItemTimeout("exceeded its time limit")


class TimeLimiter:
    """Interrupts a block after a number of seconds with ItemTimeout.

    A real-time interval timer can only be owned by the main thread of a process; elsewhere (e.g. Dask worker
    threads) blocks run unbounded and `enforced` is False, so callers compare the elapsed time afterwards.
    The signal handler is installed once per `installed()` block, and each `limit()` costs one timer syscall,
    because a subject runs several checks in a row.
    """

    def __init__(self) -> None:
        self.enforced = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")

    @contextmanager
    def installed(self) -> Iterator[TimeLimiter]:
        """Install the handler for the duration of the block (restoring the previous one after)."""
        if not self.enforced:
            yield self
            return
        previous = signal.signal(signal.SIGALRM, _expire)
        try:
            yield self
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    @contextmanager
    def limit(self, seconds: float) -> Iterator[bool]:
        """Raise ItemTimeout inside the block after `seconds`; yields whether the limit is enforced."""
        if not self.enforced:
            yield False
            return
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield True
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
