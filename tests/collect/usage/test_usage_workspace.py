"""Workspace buffers are reused across calls, grow when asked for more, and keep their dtype apart."""

from __future__ import annotations

import threading

import numpy as np

from ganzhi.collect.usage.workspace import ThreadWorkspaces, Workspace


def test_views_share_one_buffer_until_it_must_grow() -> None:
    work = Workspace()
    a = work.array("key", 100, np.int64)
    b = work.array("key", 110, np.int64)  # within the headroom: same memory
    assert len(b) == 110 and np.shares_memory(a, b)
    c = work.array("key", 1000, np.int64)
    assert len(c) == 1000 and not np.shares_memory(a, c)
    assert work.array("key", 10, np.int32).dtype == np.int32
    assert not np.shares_memory(work.array("other", 10, np.int64), work.array("key", 10, np.int64))


def test_each_thread_has_its_own_workspace() -> None:
    spaces = ThreadWorkspaces()
    seen: list[Workspace] = []
    thread = threading.Thread(target=lambda: seen.append(spaces.workspace))
    thread.start()
    thread.join()
    assert seen[0] is not spaces.workspace
