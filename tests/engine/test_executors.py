from __future__ import annotations

import pytest

from ganzhi.engine.executors import DaskExecutor, LocalExecutor, SerialExecutor, make_executor


def _square(x: int) -> int:
    return x * x


def test_serial_and_local_agree() -> None:
    items = range(300)
    expected = sorted(_square(i) for i in items)
    assert sorted(SerialExecutor().map_unordered(_square, items)) == expected
    pool = LocalExecutor(workers=2)
    try:
        assert sorted(pool.map_unordered(_square, iter(items))) == expected
    finally:
        pool.close()


def test_dask_local_cluster_agrees() -> None:
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    dask = DaskExecutor(workers=2)
    try:
        assert sorted(dask.map_unordered(_square, iter(range(50)))) == sorted(i * i for i in range(50))
    finally:
        dask.close()


def test_unknown_executor_is_named() -> None:
    with pytest.raises(ValueError, match="unknown executor 'gpu'"):
        make_executor("gpu")
