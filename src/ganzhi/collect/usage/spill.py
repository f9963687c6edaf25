"""Partitions of the kernel's input, filled batch by batch and read back whole: in memory or on disk.

`PartitionMemory` keeps one growable array per column and partition. `PartitionFiles` spills to disk
(for inputs larger than the memory budget): each batch appends, per partition, one chunk holding that
partition's slice of every column (column after column); the chunk sizes stay in memory. One file per
partition, rather than one per column, keeps the open handles at the number of partitions.

Why memory when it fits: at 10^8 events the 1.8 GB of spill files cost more than the kernel itself on
the benchmark VM (write-back throttling blocked the scan; deleting the read files freed page cache
page by page), while copying the same slices into preallocated arrays took a sixth of the CPU time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Protocol

import numpy as np
import numpy.typing as npt

from ganzhi.collect.usage.workspace import Workspace


class PartitionStore(Protocol):
    """Where `_spilled` puts each partition's rows and the kernel's workers get them back."""

    columns: dict[str, np.dtype[Any]]

    def append(self, part: int, columns: dict[str, np.ndarray[Any, Any]], lo: int, hi: int) -> None: ...

    def close(self) -> None: ...

    def parts(self) -> list[int]: ...

    def load(self, part: int, work: Workspace) -> dict[str, np.ndarray[Any, Any]]: ...


class PartitionMemory:
    """Rows appended per partition into arrays of `expected` rows (grown by half when a partition gets more).

    Untouched capacity costs no memory (pages are only mapped when written), so `expected` may be generous.
    """

    def __init__(self, columns: dict[str, npt.DTypeLike], expected: int) -> None:
        self.columns = {name: np.dtype(dtype) for name, dtype in columns.items()}
        self.expected = max(1, expected)
        self._arrays: dict[int, dict[str, np.ndarray[Any, Any]]] = {}
        self._rows: dict[int, int] = {}

    def append(self, part: int, columns: dict[str, np.ndarray[Any, Any]], lo: int, hi: int) -> None:
        """Append rows [lo, hi) of every column to partition `part`."""
        arrays = self._arrays.get(part)
        at = self._rows.get(part, 0)
        end = at + hi - lo
        if arrays is None:
            arrays = self._arrays[part] = {n: np.empty(max(self.expected, end), d) for n, d in self.columns.items()}
        elif end > len(next(iter(arrays.values()))):
            size = max(end, len(next(iter(arrays.values()))) * 3 // 2)
            for name, old in arrays.items():
                grown = np.empty(size, old.dtype)
                grown[:at] = old[:at]
                arrays[name] = grown
        for name, array in arrays.items():
            array[at:end] = columns[name][lo:hi]
        self._rows[part] = end

    def close(self) -> None:
        """Nothing to flush."""

    def parts(self) -> list[int]:
        """The partitions that received rows, in order."""
        return sorted(self._rows)

    def rows(self, part: int) -> int:
        return self._rows.get(part, 0)

    def load(self, part: int, work: Workspace) -> dict[str, np.ndarray[Any, Any]]:
        """Partition `part`'s columns (its own arrays, released by the store: `work` is not needed)."""
        n = self._rows.pop(part)
        return {name: array[:n] for name, array in self._arrays.pop(part).items()}


class PartitionFiles:
    """Raw column chunks appended per partition under `directory`."""

    def __init__(self, directory: Path, columns: dict[str, npt.DTypeLike]) -> None:
        self.directory = directory
        self.columns = {name: np.dtype(dtype) for name, dtype in columns.items()}
        self._handles: dict[int, BinaryIO] = {}
        self._chunks: dict[int, list[int]] = {}
        directory.mkdir(parents=True, exist_ok=True)

    def _path(self, part: int) -> Path:
        return self.directory / f"{part}.bin"

    def append(self, part: int, columns: dict[str, np.ndarray[Any, Any]], lo: int, hi: int) -> None:
        """Append rows [lo, hi) of every column to partition `part`."""
        handle = self._handles.get(part)
        if handle is None:
            handle = self._handles[part] = self._path(part).open("wb")
            self._chunks[part] = []
        for name in self.columns:
            columns[name][lo:hi].tofile(handle)
        self._chunks[part].append(hi - lo)

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()

    def parts(self) -> list[int]:
        """The partitions that received rows, in order."""
        return sorted(self._chunks)

    def rows(self, part: int) -> int:
        return sum(self._chunks.get(part, []))

    def load(self, part: int, work: Workspace) -> dict[str, np.ndarray[Any, Any]]:
        """Partition `part`'s columns in `work`'s buffers (`in_<column>`); its file is deleted."""
        n = self.rows(part)
        arrays = {name: work.array(f"in_{name}", n, dtype) for name, dtype in self.columns.items()}
        path = self._path(part)
        with path.open("rb") as handle:
            at = 0
            for size in self._chunks[part]:
                for name in self.columns:
                    view = arrays[name][at : at + size].data.cast("B")
                    if handle.readinto(view) != view.nbytes:
                        raise OSError(f"{path}: spill file shorter than written")
                at += size
        path.unlink()
        return arrays
