"""Partitions come back whole and in append order, from memory or from one file per partition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ganzhi.collect.usage.spill import PartitionFiles, PartitionMemory
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


def test_partitions_in_memory_grow_past_the_expected_size() -> None:
    store = PartitionMemory({"key": np.int64, "pidx": np.int16}, expected=4)
    batch: dict[str, np.ndarray[Any, Any]] = {"key": np.arange(10, dtype=np.int64),
                                              "pidx": np.arange(10, dtype=np.int16) * -1}  # fmt: skip
    store.append(2, batch, 0, 3)
    store.append(2, batch, 5, 10)  # 8 rows: past the 4 expected
    store.append(1, batch, 9, 10)
    store.close()
    assert store.parts() == [1, 2] and store.rows(2) == 8
    loaded = store.load(2, Workspace())
    assert loaded["key"].tolist() == [0, 1, 2, 5, 6, 7, 8, 9]
    assert loaded["pidx"].dtype == np.int16 and loaded["pidx"].tolist() == [0, -1, -2, -5, -6, -7, -8, -9]
    assert store.parts() == [1]  # handed over: the store keeps no reference
