"""Partitions of the kernel's input, filled batch by batch and read back whole: in memory or on disk.

`PartitionBatches` keeps the scan's batches (each already ordered by partition) and gathers a partition's
slices when the kernel loads it. `PartitionFiles` spills to disk
(for inputs larger than the memory budget): each batch appends, per partition, one chunk holding that
partition's slice of every column (column after column); the chunk sizes stay in memory. One file per
partition, rather than one per column, keeps the open handles at the number of partitions.

Why memory when it fits: at 10^8 events the 1.8 GB of spill files cost more than the kernel itself on
the benchmark VM (write-back throttling blocked the scan; deleting the read files freed page cache
page by page), while copying the same slices into preallocated arrays took a sixth of the CPU time; keeping the batches
and gathering each partition once, in the kernel's worker, moves even that copy off the scanning thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

import numpy as np
import numpy.typing as npt

from ganzhi.collect.usage.workspace import Workspace

if TYPE_CHECKING:
    from ganzhi.collect.usage.scan import Batch


class PartitionStore(Protocol):
    """Where the scan puts each batch's partitions and the kernel's workers get them back."""

    columns: dict[str, np.dtype[Any]]

    def add(self, batch: Batch) -> None: ...

    def close(self) -> None: ...

    def parts(self) -> list[int]: ...

    def load(self, part: int, work: Workspace) -> dict[str, np.ndarray[Any, Any]]: ...


class PartitionBatches:
    """The split batches themselves, kept as they came (no copy while scanning); a partition is gathered from
    its slice of every batch when loaded."""

    def __init__(self, columns: dict[str, npt.DTypeLike]) -> None:
        self.columns = {name: np.dtype(dtype) for name, dtype in columns.items()}
        self._batches: list[Batch] = []
        self._rows: npt.NDArray[np.int64] | None = None

    def add(self, batch: Batch) -> None:
        if batch.rows:
            self._batches.append(batch)

    def close(self) -> None:
        """Count each partition's rows over all batches."""
        if self._batches:
            self._rows = np.sum([np.diff(b.bounds) for b in self._batches], axis=0)

    def parts(self) -> list[int]:
        """The partitions that received rows, in order."""
        return [] if self._rows is None else np.flatnonzero(self._rows).tolist()

    def rows(self, part: int) -> int:
        return 0 if self._rows is None else int(self._rows[part])

    def load(self, part: int, work: Workspace) -> dict[str, np.ndarray[Any, Any]]:
        """Partition `part`'s columns, gathered into `work`'s buffers (`in_<column>`)."""
        n = self.rows(part)
        arrays = {name: work.array(f"in_{name}", n, dtype) for name, dtype in self.columns.items()}
        at = 0
        for batch in self._batches:
            lo, hi = int(batch.bounds[part]), int(batch.bounds[part + 1])
            if hi > lo:
                for name, array in arrays.items():
                    array[at : at + hi - lo] = batch.columns[name][lo:hi]
                at += hi - lo
        return arrays


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

    def add(self, batch: Batch) -> None:
        """Append each partition's slice of `batch`."""
        edges = batch.bounds.tolist()
        for part in range(len(edges) - 1):
            if edges[part + 1] > edges[part]:
                self.append(part, batch.columns, edges[part], edges[part + 1])

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
