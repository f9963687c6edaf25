"""Partitions come back whole and in append order, from memory or from one file per partition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ganzhi.collect.usage.scan import Batch
from ganzhi.collect.usage.spill import PartitionBatches, PartitionFiles
from ganzhi.collect.usage.workspace import Workspace


def test_chunks_of_every_column_come_back_in_order(tmp_path: Path) -> None:
    files = PartitionFiles(tmp_path / "spill", {"key": np.int64, "pidx": np.int32})
    batches: list[dict[str, np.ndarray[Any, Any]]] = [
        {"key": np.arange(10, dtype=np.int64), "pidx": np.arange(10, dtype=np.int32) * -1},
        {"key": np.arange(100, 106, dtype=np.int64), "pidx": np.full(6, 7, dtype=np.int32)}]  # fmt: skip
    files.append(3, batches[0], 2, 5)
    files.append(0, batches[0], 0, 2)
    files.append(3, batches[1], 0, 6)
    files.close()
    assert files.parts() == [0, 3]
    assert len(list((tmp_path / "spill").iterdir())) == 2  # one file per partition, whatever the columns
    loaded = files.load(3, Workspace())
    assert loaded["key"].tolist() == [2, 3, 4, 100, 101, 102, 103, 104, 105]
    assert loaded["pidx"].tolist() == [-2, -3, -4, 7, 7, 7, 7, 7, 7]
    assert files.load(0, Workspace())["key"].tolist() == [0, 1]
    assert not list((tmp_path / "spill").iterdir())  # read back, then deleted


def _batch(parts: list[int], keys: list[int]) -> Batch:
    """A split batch: `keys` already ordered by partition, `parts` the partition of each."""
    bounds = np.searchsorted(np.asarray(parts, dtype=np.int64), np.arange(6), side="left").astype(np.int64)  # 5 parts
    key = np.asarray(keys, dtype=np.int64)
    return Batch({"key": key, "pidx": (-key).astype(np.int16)}, bounds, len(keys))


def test_partitions_in_memory_are_gathered_from_every_batch_in_order() -> None:
    store = PartitionBatches({"key": np.int64, "pidx": np.int16})
    store.add(_batch([0, 2, 2, 3], [10, 20, 21, 30]))
    store.add(_batch([], []))  # an empty batch (every row rejected) is skipped
    store.add(_batch([2, 2, 2], [22, 23, 24]))
    store.close()
    assert store.parts() == [0, 2, 3] and store.rows(2) == 5 and store.rows(1) == 0
    work = Workspace()
    loaded = store.load(2, work)
    assert loaded["key"].tolist() == [20, 21, 22, 23, 24]
    assert loaded["pidx"].dtype == np.int16 and loaded["pidx"].tolist() == [-20, -21, -22, -23, -24]
    assert store.load(3, work)["key"].tolist() == [30]  # the worker's buffers are reused, partition after partition


def test_spill_files_take_whole_batches(tmp_path: Path) -> None:
    files = PartitionFiles(tmp_path / "spill", {"key": np.int64, "pidx": np.int16})
    files.add(_batch([1, 1, 4], [5, 6, 7]))
    files.add(_batch([4], [8]))
    files.close()
    assert files.parts() == [1, 4]
    assert files.load(4, Workspace())["key"].tolist() == [7, 8]
