"""Billing months in Beijing time, numpy side, agree with DuckDB's `MONTH_SQL`."""

from __future__ import annotations

import duckdb
import numpy as np
from usage_fixtures import bj

from ganzhi.collect.usage.months import MONTH_SQL, month_labels, month_of, month_start_ms


def test_months_split_at_beijing_midnight_on_the_first() -> None:
    instants = [bj(2024, 3, 31, 23, 59, 59, 999), bj(2024, 4, 1), bj(2023, 12, 31, 23, 59), bj(2024, 1, 1)]
    months = month_of(instants)
    assert months.tolist() == [2024 * 12 + 2, 2024 * 12 + 3, 2023 * 12 + 11, 2024 * 12]
    assert month_start_ms(months).tolist() == [bj(2024, 3, 1), bj(2024, 4, 1), bj(2023, 12, 1), bj(2024, 1, 1)]
    assert month_labels(months).tolist() == ["2024-03", "2024-04", "2023-12", "2024-01"]


def test_numpy_and_sql_months_agree() -> None:
    ts = np.random.default_rng(0).integers(bj(2000, 1, 1), bj(2099, 12, 31), 500)
    rows = duckdb.connect().execute(f"SELECT {MONTH_SQL} FROM (SELECT unnest(?::BIGINT[]) AS ts_ms)", [ts.tolist()])
    assert [r[0] for r in rows.fetchall()] == month_of(ts).tolist()
