"""Partitions of the kernel's input spilled to disk: one raw file per partition, read back whole.

Each batch appends, per partition, one chunk holding that partition's slice of every column (column
after column); the chunk sizes stay in memory. One file per partition, rather than one per column,
keeps the open handles at the number of partitions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from ganzhi.collect.usage.workspace import Workspace


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
