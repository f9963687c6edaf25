"""Reusable numpy buffers for one worker of the partitioned kernel.

Why: on the benchmark VM every fresh array costs a page fault per 4 KiB page when first written,
and large arrays freed in worker threads go back to the kernel, so each partition faulted its whole
working set in again (a third of the audit's CPU time). A worker instead keeps its buffers and hands
out views of them, partition after partition; the kernel's results never alias them.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt


class Workspace:
    """Named buffers that grow (with headroom: partitions differ a little in size) and are reused after that."""

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray[Any, Any]] = {}

    def array(self, name: str, n: int, dtype: npt.DTypeLike) -> np.ndarray[Any, Any]:
        """A view of `n` elements of buffer `name` (contents undefined until written)."""
        want = np.dtype(dtype)
        buffer = self._buffers.get(name)
        if buffer is None or buffer.dtype != want or len(buffer) < n:
            buffer = self._buffers[name] = np.empty(n + n // 4, dtype=want)
        return buffer[:n]

    def iota(self, n: int, dtype: npt.DTypeLike = np.int64) -> np.ndarray[Any, Any]:
        """`arange(n)` as `dtype` (int64 by default), kept between calls; read only."""
        name = f"_iota_{np.dtype(dtype).str}"
        buffer = self._buffers.get(name)
        if buffer is None or len(buffer) < n:
            buffer = self._buffers[name] = np.arange(n + n // 4, dtype=dtype)
        return buffer[:n]


class ThreadWorkspaces(threading.local):
    """One `Workspace` per thread (for a pool of kernel workers)."""

    def __init__(self) -> None:
        self.workspace = Workspace()
