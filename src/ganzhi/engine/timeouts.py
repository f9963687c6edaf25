"""Per-item time limits that interrupt a runaway check where the platform allows it."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class ItemTimeout(Exception):
    """A check ran longer than its time limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[bool]:
    """Raise ItemTimeout inside the block after `seconds`.

    Uses a real-time interval timer, which only the main thread of a process can own; elsewhere (e.g. Dask
    worker threads) the block runs unbounded and the caller compares the elapsed time afterwards. Yields
    whether the limit is enforced.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield False
        return

    def _expire(signum: int, frame: FrameType | None) -> None:
        raise ItemTimeout(f"exceeded the time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
