"""Building the results table: subscriber codes, the cycle a spurious reminder is charged to, the file schema."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from usage_fixtures import bj, write_csv

from ganzhi.collect.usage import AuditConfig, run_audit
from ganzhi.collect.usage import arrow_numpy as an
from ganzhi.collect.usage.results import cycle_lookup, sub_codes


def _i(values: list[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def test_sub_codes_are_equal_exactly_for_equal_ids() -> None:
    for subs in (an.array(_i([7, 9, 7, 8]), pa.int64()),  # dense: offsets
                 an.array(_i([2**62, 5, 2**62, -3]), pa.int64()),  # sparse: dictionary
                 an.strings(["U1", "U2", "U1", "U3"])):  # fmt: skip
        codes = sub_codes(subs)
        assert codes.min() >= 0
        assert codes[0] == codes[2] and len({int(codes[0]), int(codes[1]), int(codes[3])}) == 3


def test_cycle_lookup_same_month_else_latest_else_none() -> None:
    # Cycles: subscriber 0 in months 10 and 12, subscriber 2 in month 11.
    sub, month = _i([2, 0, 0]), _i([11, 12, 10])
    found = cycle_lookup(sub, month, sub=_i([0, 0, 0, 2, 1, 3]), month=_i([10, 11, 13, 9, 11, 11]))
    assert found.tolist() == [2, 1, 1, 0, -1, -1]
    assert cycle_lookup(_i([]), _i([]), _i([4]), _i([1])).tolist() == [-1]


def test_parquet_results_read_as_plain_typed_columns(tmp_path: Path) -> None:
    plans = write_csv(tmp_path / "p.csv", ["plan_id", "quota_bytes", "province"], [["P1", 100, "江苏"]])
    events = write_csv(tmp_path / "e.csv", ["subscriber_id", "ts", "bytes", "plan_id"],
                       [[1, bj(2024, 1, 2), 90, "P1"]])  # fmt: skip
    reminders = write_csv(tmp_path / "r.csv", ["subscriber_id", "ts", "threshold"],
                          [[1, bj(2024, 1, 2, 0, 30), 0.8], [5, bj(2024, 2, 1), 1.0]])  # fmt: skip
    report = run_audit(plans, events, reminders, tmp_path / "out", AuditConfig())
    schema = pq.read_schema(report.results_path)
    assert [str(schema.field(n).type) for n in ("cycle", "plan_id", "province", "status", "reminder_file")] == [
        "string"] * 5  # fmt: skip
    assert str(schema.field("crossed_at").type) == "timestamp[us, tz=UTC]"
    assert str(schema.field("subscriber_id").type) == "string"  # CSV ids are text
    rows = sorted(pq.read_table(report.results_path).to_pylist(), key=lambda r: r["subscriber_id"])
    assert [(r["subscriber_id"], r["status"], r["plan_id"], r["province"], r["quota_bytes"]) for r in rows] == [
        ("1", "on_time", "P1", "江苏", 100), ("5", "spurious", "unknown", "unknown", None)]  # fmt: skip
