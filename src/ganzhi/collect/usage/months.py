"""Billing cycles as month numbers (`year * 12 + month - 1`) of Beijing calendar months, in numpy.

One definition (numpy, and `MONTH_SQL` for DuckDB) for the kernel's key layout, the SQL window, the
reminder deadlines and the result labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ganzhi.collect.usage.config import BEIJING_OFFSET_MS

I64 = npt.NDArray[np.int64]

#: Month number of January 1970, where numpy's `datetime64[M]` counts from.
EPOCH_MONTH = 1970 * 12
_LOCAL = f"epoch_ms(ts_ms + {BEIJING_OFFSET_MS})"
#: DuckDB: the month number of the UTC epoch-ms column `ts_ms`.
MONTH_SQL = f"CAST(year({_LOCAL}) * 12 + month({_LOCAL}) - 1 AS INTEGER)"


def month_of(ts_ms: npt.ArrayLike, offset_ms: int = BEIJING_OFFSET_MS) -> I64:
    """The month number of each UTC epoch-ms instant, in local time `offset_ms`."""
    local = (np.asarray(ts_ms, dtype=np.int64) + offset_ms).astype("datetime64[ms]")
    return local.astype("datetime64[M]").astype(np.int64) + EPOCH_MONTH


def month_start_ms(month: npt.ArrayLike, offset_ms: int = BEIJING_OFFSET_MS) -> I64:
    """UTC epoch ms of the first local instant of each month number."""
    months = (np.asarray(month, dtype=np.int64) - EPOCH_MONTH).astype("datetime64[M]")
    result: I64 = months.astype("datetime64[ms]").astype(np.int64) - offset_ms
    return result


def month_labels(month: npt.ArrayLike) -> np.ndarray[Any, np.dtype[np.str_]]:
    """`YYYY-MM` of each month number."""
    return np.datetime_as_string((np.asarray(month, dtype=np.int64) - EPOCH_MONTH).astype("datetime64[M]"), unit="M")
