"""Bad input is quarantined with a reason naming the file, row and field; good rows are still audited."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from usage_fixtures import bj, read_rows, write_csv

from ganzhi.collect.usage import AuditConfig, run_audit
from ganzhi.errors import InputError


def _plans(d: Path) -> Path:
    return write_csv(d / "plans.csv", ["plan_id", "quota_bytes", "cycle"],
                     [["P1", 1000, "month"], ["P1", 5, "month"], ["P9", -3, "month"], ["PW", 100, "week"]])  # fmt: skip


def _rejected(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_bad_rows_are_quarantined_with_reasons(tmp_path: Path) -> None:
    events_csv = tmp_path / "events.csv"
    events_csv.write_text(
        "subscriber_id,ts,bytes,plan_id\n"
        f"A,{bj(2024, 3, 5, 10)},900,P1\n"  # line 2: good, crosses 0.8
        "A,yesterday,10,P1\n"  # line 3: unparseable ts
        "A,1709622000,10,P1\n"  # line 4: epoch seconds, out of range
        "A,oops,extra,P1,too many\n"  # line 5: malformed line
        "A,2024-03-05T11:00:00+08:00,-5,P1\n"  # line 6: negative bytes
        "A,2024-03-05T11:00:00+08:00,12.5,P1\n"  # line 7: not a whole number
        "A,2024-03-05T11:00:00+08:00,10000000000000,P1\n"  # line 8: absurd
        "A,2024-03-05T11:00:00+08:00,10,PX\n"  # line 9: unknown plan
        ",2024-03-05T11:00:00+08:00,10,P1\n"  # line 10: empty subscriber
        "B,2024-03-05T11:00:00+08:00,50,P1\n",  # line 11: good
        encoding="utf-8",
    )
    reminder_rows: list[list[object]] = [
        ["A", bj(2024, 3, 5, 10, 5), "0.8"],
        ["A", "2024-13-01", "0.8"],
        ["A", bj(2024, 3, 5), "zero"],
        ["B", bj(2024, 3, 5, 12), "-1"],
    ]
    reminders = write_csv(tmp_path / "rem.csv", ["subscriber_id", "ts", "threshold"], reminder_rows)
    report = run_audit(_plans(tmp_path), events_csv, reminders, tmp_path / "out", AuditConfig())

    events = {int(r["row"]): r for r in _rejected(report.rejected_paths["events"])}
    assert sorted(events) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert all(r["file"] == str(events_csv) for r in events.values())
    assert "ts: expected ISO 8601 or epoch milliseconds, got 'yesterday'" in events[3]["reason"]
    assert "epoch seconds" in events[4]["reason"]
    assert events[5]["problems"] == "line:malformed"
    assert "bytes: expected >= 0, got -5" in events[6]["reason"]
    assert "bytes: expected a whole number of bytes, got '12.5'" in events[7]["reason"]
    assert events[8]["problems"] == "bytes:absurd"
    assert "plan_id: expected an id of a valid row of the plans file, got 'PX'" in events[9]["reason"]
    assert events[10]["problems"] == "subscriber_id:invalid"

    plans = {int(r["row"]): r["problems"] for r in _rejected(report.rejected_paths["plans"])}
    assert plans == {3: "plan_id:duplicate", 4: "quota_bytes:not_positive", 5: "cycle:unsupported"}
    rem = {int(r["row"]): r["problems"] for r in _rejected(report.rejected_paths["reminders"])}
    assert rem == {3: "ts:unparseable", 4: "threshold:invalid", 5: "threshold:invalid"}

    summary: Any = report.summary
    assert summary["inputs"]["events"]["rows"] == 10
    assert summary["inputs"]["events"]["rejected"] == 8
    assert summary["inputs"]["events"]["rejected_by_problem"]["line:malformed"] == 1
    rows = read_rows(report.results_path)
    assert [(r["subscriber_id"], r["status"]) for r in rows] == [("A", "on_time")]  # the first P1 row won


def test_parquet_typed_columns_and_integer_ids(tmp_path: Path) -> None:
    pq.write_table(pa.table({"plan_id": ["P1"], "quota_bytes": [1000], "cycle": ["month"]}), tmp_path / "p.parquet")
    pq.write_table(pa.table({
        "subscriber_id": pa.array([7, 7, 8], pa.int64()), "ts": pa.array([bj(2024, 3, 5, 10), bj(2024, 3, 5, 11), 5]),
        "bytes": pa.array([500, 400, 10], pa.int64()), "plan_id": ["P1", "P1", "P1"],
    }), tmp_path / "e.parquet")  # fmt: skip
    # Reminder ids as text must still match integer event ids; "x" cannot.
    pq.write_table(pa.table({"subscriber_id": ["7", "x"], "ts": ["2024-03-05T11:30:00+08:00", "2024-03-05"],
                             "threshold": [0.8, 0.8]}), tmp_path / "r.parquet")  # fmt: skip
    report = run_audit(tmp_path / "p.parquet", tmp_path / "e.parquet", tmp_path / "r.parquet", tmp_path / "out")
    rows = read_rows(report.results_path)
    assert [(r["subscriber_id"], r["status"], r["latency_s"]) for r in rows] == [(7, "on_time", 1800.0)]
    events = _rejected(report.rejected_paths["events"])
    assert [(r["row"], r["problems"]) for r in events] == [("3", "ts:out_of_range")]
    (rem,) = _rejected(report.rejected_paths["reminders"])
    assert rem["row"] == "2"
    assert "subscriber_id: expected an integer id" in rem["reason"]


def test_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    plans = _plans(tmp_path)
    events = write_csv(tmp_path / "e.csv", ["subscriber_id", "ts", "plan_id"], [["A", 1, "P1"]])
    rem = write_csv(tmp_path / "r.csv", ["subscriber_id", "ts", "threshold"], [])
    with pytest.raises(InputError, match=r"e\.csv: events: missing column\(s\) \['bytes'\]"):
        run_audit(plans, events, rem, tmp_path / "out")


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="plans input not found"):
        run_audit(tmp_path / "nope.csv", tmp_path / "e.csv", tmp_path / "r.csv", tmp_path / "out")
    (tmp_path / "plans.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError, match=r"expected a \.parquet or \.csv file"):
        run_audit(tmp_path / "plans.xlsx", tmp_path / "e.csv", tmp_path / "r.csv", tmp_path / "out")


def test_directory_of_csv_files(tmp_path: Path) -> None:
    ev_dir = tmp_path / "events"
    ev_dir.mkdir()
    write_csv(ev_dir / "a.csv", ["subscriber_id", "ts", "bytes", "plan_id"], [["A", bj(2024, 3, 5, 10), 500, "P1"]])
    b_rows: list[list[object]] = [[bj(2024, 3, 5, 11), "A", "P1", "bad"], [bj(2024, 3, 5, 11), "A", "P1", 400]]
    write_csv(ev_dir / "b.csv", ["ts", "subscriber_id", "plan_id", "bytes"], b_rows)
    rem = write_csv(tmp_path / "r.csv", ["subscriber_id", "ts", "threshold"], [])
    report = run_audit(_plans(tmp_path), ev_dir, rem, tmp_path / "out")
    rows = read_rows(report.results_path)
    assert [(r["status"], r["crossed_at_ms"]) for r in rows] == [("missing", bj(2024, 3, 5, 11))]
    (bad,) = _rejected(report.rejected_paths["events"])
    assert (Path(bad["file"]).name, bad["row"], bad["problems"]) == ("b.csv", "2", "bytes:not_integer")


def test_time_formats_use_fixed_utc_plus_8(tmp_path: Path) -> None:
    """Naive text, 'Z', compact offsets, Parquet TIMESTAMP and TIMESTAMPTZ all land on the same instants."""
    from datetime import UTC, datetime

    plans = write_csv(tmp_path / "p.csv", ["plan_id", "quota_bytes", "cycle"], [["P1", 1000, "month"]])
    naive = [datetime(2024, 7, 1, 0, 0), datetime(2024, 7, 1, 0, 30)]  # summer: no DST shift in Beijing time
    aware = [datetime(2024, 6, 30, 16, 0, tzinfo=UTC), datetime(2024, 6, 30, 16, 30, tzinfo=UTC)]
    pq.write_table(pa.table({
        "subscriber_id": ["N", "N", "Z", "Z"], "ts": pa.array(naive + naive, pa.timestamp("ms")),
        "bytes": [500, 400, 500, 400], "plan_id": ["P1"] * 4,
    }), tmp_path / "e_naive.parquet")  # fmt: skip
    pq.write_table(pa.table({
        "subscriber_id": ["N", "N", "Z", "Z"], "ts": pa.array(aware + aware, pa.timestamp("ms", tz="UTC")),
        "bytes": [500, 400, 500, 400], "plan_id": ["P1"] * 4,
    }), tmp_path / "e_aware.parquet")  # fmt: skip
    rem = write_csv(tmp_path / "r.csv", ["subscriber_id", "ts", "threshold"],
                    [["N", "2024-07-01T01:30:00+0800", 0.8], ["Z", "2024-06-30T17:30:00Z", 0.8]])  # fmt: skip
    for events in ("e_naive.parquet", "e_aware.parquet"):
        report = run_audit(plans, tmp_path / events, rem, tmp_path / f"out-{events}")
        rows = read_rows(report.results_path)
        assert [(r["subscriber_id"], r["cycle"], r["crossed_at_ms"], r["latency_s"]) for r in rows] == [
            ("N", "2024-07", bj(2024, 7, 1, 0, 30), 3600.0),
            ("Z", "2024-07", bj(2024, 7, 1, 0, 30), 3600.0),
        ], events
