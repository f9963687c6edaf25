"""Hand-built cases for every verdict, at the boundaries the audit's semantics define."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from usage_fixtures import BEIJING, bj, read_rows, write_csv

from ganzhi.collect.usage import AuditConfig, run_audit

QUOTA = 1000  # bytes: thresholds 0.8 and 1.0 are 800 and 1000 bytes
HOUR_MS = 3_600_000


@pytest.fixture(scope="module")
def audited(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[tuple[str, str, float], list[dict[str, object]]], dict[str, object]]:
    d = tmp_path_factory.mktemp("usage-audit")
    plans = write_csv(d / "plans.csv", ["plan_id", "quota_bytes", "cycle", "province"],
                      [["P1", QUOTA, "month", "北京"], ["P2", 2 * QUOTA, "month", "上海"]])  # fmt: skip
    events = [
        # A: rows out of order; exactly 800 at 11:00 (crossing 0.8), 1000 at 12:00 (crossing 1.0); ISO and epoch mixed.
        ["A", "2024-03-05T12:00:00+08:00", 200, "P1"],
        ["A", str(bj(2024, 3, 5, 11)), 300, "P1"],
        ["A", "2024-03-05 10:00:00", 500, "P1"],
        # B: 799 bytes, one short of 0.8: no crossing.
        ["B", "2024-03-05T10:00:00+08:00", 799, "P1"],
        # C: crosses 0.8, never reminded.
        ["C", "2024-03-06T08:00:00Z", 900, "P1"],
        # D: Beijing midnight on the 1st splits the cycles: 700 in March, 200 + 700 in April (crossing at 00:00).
        ["D", "2024-03-31T23:59:59.999+08:00", 700, "P1"],
        ["D", "2024-03-31T16:00:00Z", 200, "P1"],
        ["D", str(bj(2024, 4, 1)), 700, "P1"],
        # E: a duplicated event is counted once: 400 + 300 = 700 < 800.
        ["E", "2024-03-05T10:00:00+08:00", 400, "P1"],
        ["E", "2024-03-05T10:00:00+08:00", 400, "P1"],
        ["E", "2024-03-05T11:00:00+08:00", 300, "P1"],
        # F: crossing at 10:00, reminder 30 s early (within the 60 s tolerance).
        ["F", "2024-03-05T10:00:00+08:00", 850, "P1"],
        # G: crossing at 10:00, reminder 10 min early (spurious) and none after (missing).
        ["G", "2024-03-05T10:00:00+08:00", 850, "P1"],
        # H: crossing at 10:00, two reminders (on time, then a repeat).
        ["H", "2024-03-05T10:00:00+08:00", 850, "P1"],
        # I: crossing at 23:30 on the last day, reminder 75 min later in the next cycle (late, still attributed).
        ["I", "2024-03-31T23:30:00+08:00", 850, "P1"],
        # J: plan P2 (quota 2000): 1600 crosses 0.8 only.
        ["J", "2024-03-10T09:00:00+08:00", 1600, "P2"],
    ]
    reminders = [
        ["A", str(bj(2024, 3, 5, 12)), "0.8"],  # exactly at the latency limit: on time
        ["A", str(bj(2024, 3, 5, 13) + 1), "1.0"],  # 1 ms past the limit: late
        ["B", "2024-03-05T10:05:00+08:00", "0.8"],  # no crossing in the cycle: spurious
        ["D", "2024-03-31T16:30:00Z", "80%"],  # April crossing at 00:00 Beijing, 30 min later: on time
        ["F", "2024-03-05T09:59:30+08:00", "0.8"],
        ["G", "2024-03-05T09:50:00+08:00", "0.8"],
        ["H", "2024-03-05T10:10:00+08:00", "0.8"],
        ["H", "2024-03-05T10:20:00+08:00", "0.8"],
        ["I", "2024-04-01T00:45:00+08:00", "0.8"],
        ["J", "2024-03-10T09:01:00+08:00", "0.8"],
        ["J", "2024-03-10T09:02:00+08:00", "0.9"],  # a threshold nobody audits: counted, not judged
    ]
    ev = write_csv(d / "events.csv", ["subscriber_id", "ts", "bytes", "plan_id"], events)
    rem = write_csv(d / "reminders.csv", ["subscriber_id", "ts", "threshold"], reminders)
    report = run_audit(plans, ev, rem, d / "out", AuditConfig())
    by_key: dict[tuple[str, str, float], list[dict[str, object]]] = {}
    for row in read_rows(report.results_path):
        by_key.setdefault((str(row["subscriber_id"]), str(row["cycle"]), float(row["threshold"])), []).append(row)  # type: ignore[arg-type]
    return by_key, report.summary


def _statuses(rows: dict[tuple[str, str, float], list[dict[str, object]]], key: tuple[str, str, float]) -> list[str]:
    return sorted(str(r["status"]) for r in rows.get(key, []))


def test_exactly_at_threshold_and_latency_limit_is_on_time(audited) -> None:  # type: ignore[no-untyped-def]
    rows, _ = audited
    (row,) = rows[("A", "2024-03", 0.8)]
    assert row["status"] == "on_time"
    assert row["crossed_at_ms"] == bj(2024, 3, 5, 11)
    assert row["latency_s"] == 3600.0
    assert row["crossed_at"] == datetime(2024, 3, 5, 11, tzinfo=BEIJING)  # typed instant in Parquet


def test_one_millisecond_past_the_limit_is_late(audited) -> None:  # type: ignore[no-untyped-def]
    rows, _ = audited
    (row,) = rows[("A", "2024-03", 1.0)]
    assert (row["status"], row["crossed_at_ms"], row["latency_s"]) == ("late", bj(2024, 3, 5, 12), 3600.001)


def test_below_threshold_reminder_is_spurious_and_no_crossing_row(audited) -> None:  # type: ignore[no-untyped-def]
    rows, _ = audited
    assert _statuses(rows, ("B", "2024-03", 0.8)) == ["spurious"]
    (row,) = rows[("B", "2024-03", 0.8)]
    assert row["crossed_at_ms"] is None
    assert row["plan_id"] == "P1"
    assert row["province"] == "北京"


def test_crossing_without_reminder_is_missing(audited) -> None:  # type: ignore[no-untyped-def]
    rows, _ = audited
    assert _statuses(rows, ("C", "2024-03", 0.8)) == ["missing"]
    assert ("C", "2024-03", 1.0) not in rows


def test_cycles_split_at_beijing_midnight_on_the_first(audited) -> None:  # type: ignore[no-untyped-def]
    rows, _ = audited
    assert ("D", "2024-03", 0.8) not in rows  # 700 in March only
    (row,) = rows[("D", "2024-04", 0.8)]
    assert (row["status"], row["crossed_at_ms"], row["latency_s"]) == ("on_time", bj(2024, 4, 1), 1800.0)


def test_duplicate_events_count_once_and_are_reported(audited) -> None:  # type: ignore[no-untyped-def]
    rows, summary = audited
    assert not any(key[0] == "E" for key in rows)
    assert summary["data_quality"]["duplicate_events"] == 1


def test_early_tolerance_boundary(audited) -> None:  # type: ignore[no-untyped-def]
    rows, _ = audited
    (row,) = rows[("F", "2024-03", 0.8)]
    assert (row["status"], row["latency_s"]) == ("on_time", -30.0)
    assert _statuses(rows, ("G", "2024-03", 0.8)) == ["missing", "spurious"]


def test_second_reminder_for_the_same_crossing_is_a_repeat(audited) -> None:  # type: ignore[no-untyped-def]
    rows, _ = audited
    assert _statuses(rows, ("H", "2024-03", 0.8)) == ["on_time", "repeat"]


def test_late_reminder_in_the_next_cycle_is_attributed(audited) -> None:  # type: ignore[no-untyped-def]
    rows, _ = audited
    (row,) = rows[("I", "2024-03", 0.8)]
    assert (row["status"], row["latency_s"]) == ("late", 4500.0)
    assert ("I", "2024-04", 0.8) not in rows


def test_quota_comes_from_the_plan_and_other_thresholds_are_counted(audited) -> None:  # type: ignore[no-untyped-def]
    rows, summary = audited
    (row,) = rows[("J", "2024-03", 0.8)]
    assert (row["status"], row["province"], row["quota_bytes"]) == ("on_time", "上海", 2 * QUOTA)
    assert ("J", "2024-03", 1.0) not in rows
    assert summary["data_quality"]["reminders_other_thresholds"] == 1


def test_summary_counts_and_groups(audited) -> None:  # type: ignore[no-untyped-def]
    _, summary = audited
    assert summary["by_status"] == {"on_time": 5, "late": 2, "missing": 2, "spurious": 2, "repeat": 1}
    provinces = {p["province"]: p for p in summary["by_province"]}
    assert set(provinces) == {"北京", "上海"}
    assert provinces["上海"]["on_time_rate"] == 1.0
    assert summary["params"]["latency_s"] == {"value": 3600.0, "label": "configurable default"}
    assert summary["inputs"]["events"]["rejected"] == 0


def test_thresholds_and_latency_are_configurable(tmp_path: Path) -> None:
    plans = write_csv(tmp_path / "p.csv", ["plan_id", "quota_bytes", "cycle"], [["P1", QUOTA, "month"]])
    ev = write_csv(tmp_path / "e.csv", ["subscriber_id", "ts", "bytes", "plan_id"],
                   [[1, bj(2024, 3, 5, 10), 500, "P1"]])  # fmt: skip
    rem = write_csv(tmp_path / "r.csv", ["subscriber_id", "ts", "threshold"], [[1, bj(2024, 3, 5, 10, 20), 0.5]])
    cfg = AuditConfig(thresholds=(0.5,), latency_s=600)
    rows = read_rows(run_audit(plans, ev, rem, tmp_path / "out", cfg, results_format="csv").results_path)
    assert [(r["threshold"], r["status"], r["latency_s"]) for r in rows] == [(0.5, "late", 1200.0)]


def test_config_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="thresholds"):
        AuditConfig(thresholds=(0.0,))
    with pytest.raises(ValueError, match="latency_s"):
        AuditConfig(latency_s=-1)
