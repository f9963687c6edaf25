"""The usage-reminder audit, out of core with DuckDB (T1: 及时提醒用户套餐内流量使用情况).

Semantics, for every subscriber, billing cycle (calendar month, Beijing time) and audited threshold:

1. Usage events are deduplicated on (subscriber, ts, bytes) and summed in (ts, bytes, plan) order; the
   crossing is the first event time at which cumulative usage in the cycle reaches `threshold × quota`
   (compared in float64). The quota is that of the plan on the cycle's first event (a cycle mixing
   plans is counted and reported).
2. A reminder (same subscriber and threshold) is attributed to the latest crossing at or before
   `reminder ts + early tolerance`, provided it arrives before that crossing's cycle end plus the
   attribution grace. The first attributed reminder decides: `on_time` when its latency is at most
   the configured latency (inclusive), else `late`; no attributed reminder means `missing`; later
   attributed reminders are `repeat`; unattributed reminders are `spurious`.

Crossings come from the numpy kernel (`kernel.py`, fed partition by partition by `partitioned.py`)
when subscriber ids are integers, else from a DuckDB window (`build_cycles`); both give identical
tables. Memory is bounded by DuckDB's `memory_limit` (it spills to `temp_dir`) and the kernel's
`partition_rows`, CPU by `threads`; no Python code runs per event. Per-row results, rejected rows and
a JSON summary (with per-stage timings) are written to `out_dir`.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import pyarrow.parquet as pq

from ganzhi.errors import InputError
from ganzhi.telecom.usage.config import BEIJING_OFFSET_MS, AuditConfig, ReminderStatus
from ganzhi.telecom.usage.ingest import key_type, prepare_events, prepare_plans, prepare_reminders
from ganzhi.telecom.usage.partitioned import build_cycles_partitioned
from ganzhi.telecom.usage.sources import Source, open_source, sql_str
from ganzhi.telecom.usage.summary import build_summary

ResultsFormat = Literal["parquet", "csv"]
KINDS = ("plans", "events", "reminders")


@dataclass(slots=True)
class AuditReport:
    """What one audit run produced: the summary (JSON-ready) and the files it wrote."""

    summary: dict[str, object]
    results_path: Path
    summary_path: Path
    rejected_paths: dict[str, Path] = field(default_factory=dict)


def connect(cfg: AuditConfig, temp_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB bounded by the config's memory limit and threads, spilling to `temp_dir`."""
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = {sql_str(cfg.memory_limit)}")
    con.execute(f"SET threads = {int(cfg.threads)}")
    con.execute(f"SET temp_directory = {sql_str(str(temp_dir))}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET TimeZone = 'UTC'")
    return con


def _cycle_sql(ts: str) -> str:
    """The Beijing calendar month of a UTC epoch-ms expression, as a DATE (the 1st)."""
    return f"CAST(date_trunc('month', epoch_ms({ts} + {BEIJING_OFFSET_MS})) AS DATE)"


def _crossing_cols(cfg: AuditConfig, quota: str) -> str:
    return ", ".join(
        f"min(ts_ms) FILTER (WHERE CAST(cum AS DOUBLE) >= {float(t)!r}::DOUBLE * {quota}) AS cross_{i}"
        for i, t in enumerate(cfg.thresholds)
    )


def _events_with_cycle() -> str:
    return f"SELECT sub, ts_ms, bytes, pidx, quota_bytes, {_cycle_sql('ts_ms')} AS cyc FROM events_ok"


def build_cycles(con: duckdb.DuckDBPyConnection, cfg: AuditConfig) -> None:
    """Table `cycles`: one row per (subscriber, cycle) with usage, duplicates and crossing times.

    One window pass (one sort) serves the common case. Its cumulative sum counts duplicates and uses
    each event's own quota, so the few cycles with duplicates or mixed plans are recomputed exactly
    by a second, two-level pass restricted to those cycles.
    """
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE cycles_fast AS
        WITH marked AS (
            SELECT sub, cyc, ts_ms, bytes, pidx, quota_bytes,
                   coalesce(ts_ms = lag(ts_ms) OVER w AND bytes = lag(bytes) OVER w, false) AS dup,
                   sum(bytes) OVER w AS cum
            FROM ({_events_with_cycle()})
            WINDOW w AS (PARTITION BY sub, cyc ORDER BY ts_ms, bytes ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        )
        SELECT sub, cyc, min(pidx) AS pidx, min(quota_bytes) AS quota_bytes, count(*) AS events,
               count(*) FILTER (WHERE dup) AS duplicates, min(pidx) <> max(pidx) AS mixed_plans,
               sum(bytes) AS used_bytes, {_crossing_cols(cfg, "quota_bytes")}
        FROM marked GROUP BY sub, cyc
    """)
    flagged = "duplicates > 0 OR mixed_plans"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE cycles_exact AS
        WITH selected AS (
            SELECT e.* FROM ({_events_with_cycle()}) e
            SEMI JOIN (SELECT sub, cyc FROM cycles_fast WHERE {flagged}) f ON e.sub = f.sub AND e.cyc = f.cyc
        ), marked AS (
            SELECT sub, cyc, ts_ms, bytes, pidx, quota_bytes,
                   coalesce(ts_ms = lag(ts_ms) OVER w AND bytes = lag(bytes) OVER w, false) AS dup
            FROM selected WINDOW w AS (PARTITION BY sub, cyc ORDER BY ts_ms, bytes, pidx)
        ), cumulated AS (
            SELECT sub, cyc, ts_ms, dup, pidx, CASE WHEN dup THEN 0 ELSE bytes END AS counted,
                   sum(CASE WHEN dup THEN 0 ELSE bytes END) OVER w AS cum,
                   first_value(pidx) OVER w AS first_pidx, first_value(quota_bytes) OVER w AS first_quota
            FROM marked
            WINDOW w AS (PARTITION BY sub, cyc ORDER BY ts_ms, bytes, pidx
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        )
        SELECT sub, cyc, any_value(first_pidx) AS pidx, any_value(first_quota) AS quota_bytes, count(*) AS events,
               count(*) FILTER (WHERE dup) AS duplicates, min(pidx) <> max(pidx) AS mixed_plans,
               sum(counted) AS used_bytes, {_crossing_cols(cfg, "first_quota")}
        FROM cumulated GROUP BY sub, cyc
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE cycles AS
        SELECT c.*, p.plan_id FROM (SELECT * FROM cycles_fast WHERE NOT ({flagged})
                                    UNION ALL BY NAME SELECT * FROM cycles_exact) c
        JOIN plans_ok_t p ON p.pidx = c.pidx
    """)
    con.execute("DROP TABLE cycles_fast")
    con.execute("DROP TABLE cycles_exact")


def _cycles(con: duckdb.DuckDBPyConnection, cfg: AuditConfig, events: Source, key: str, temp_dir: Path) -> int | None:
    """Table `cycles` through the numpy kernel when ids are integers (and allowed), else the SQL window.

    Returns the number of valid events when the kernel counted them (None on the SQL path).
    """
    if cfg.kernel == "sql" or (cfg.kernel == "auto" and key != "BIGINT"):
        build_cycles(con, cfg)
        return None
    if key != "BIGINT":
        raise InputError(str(events.path), "kernel numpy: expected integer subscriber_id values; use sql or auto")
    try:
        return build_cycles_partitioned(con, cfg, events, temp_dir)
    except ValueError:
        if cfg.kernel == "numpy":
            raise
        build_cycles(con, cfg)
        return None


def _all_valid(con: duckdb.DuckDBPyConnection, src: Source, valid: int | None) -> bool:
    """True when every row of `src` is known valid (so its rejected rows need no scan)."""
    if valid is None:
        return False
    if src.fmt == "parquet":
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in src.files)
    else:
        rows = int(con.execute(f"SELECT count(*) FROM {src.kind}_src").fetchall()[0][0])
    return rows == valid


def build_crossings(con: duckdb.DuckDBPyConnection, cfg: AuditConfig) -> None:
    """Table `crossings`: one row per (subscriber, cycle, threshold) that was crossed."""
    union = " UNION ALL ".join(
        f"SELECT sub, cyc, {float(t)!r}::DOUBLE AS threshold, cross_{i} AS crossed_at, plan_id, quota_bytes, "
        f"epoch_ms(CAST(cyc + INTERVAL 1 MONTH AS TIMESTAMP)) - {BEIJING_OFFSET_MS} AS cycle_end "
        f"FROM cycles WHERE cross_{i} IS NOT NULL"
        for i, t in enumerate(cfg.thresholds)
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE crossings AS {union}")


def attribute_reminders(con: duckdb.DuckDBPyConnection, cfg: AuditConfig) -> None:
    """Table `attributed`: each audited reminder with its crossing (or none) and its rank there."""
    audited = ", ".join(f"{float(t)!r}::DOUBLE" for t in cfg.thresholds)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE attributed AS
        WITH matched AS (
            SELECT r.sub, r.ts_ms, r.threshold, r.src_file, r.src_row,
                   CASE WHEN r.ts_ms < c.cycle_end + {cfg.attribution_grace_ms} THEN c.cyc END AS c_cyc
            FROM (SELECT * FROM reminders_ok WHERE threshold IN ({audited})) r
            ASOF LEFT JOIN crossings c
              ON r.sub = c.sub AND r.threshold = c.threshold AND r.ts_ms + {cfg.early_tolerance_ms} >= c.crossed_at
        )
        SELECT *, CASE WHEN c_cyc IS NOT NULL THEN
                  row_number() OVER (PARTITION BY sub, threshold, c_cyc ORDER BY ts_ms, src_file, src_row) END AS rank
        FROM matched
    """)


def build_results(con: duckdb.DuckDBPyConnection, cfg: AuditConfig) -> None:
    """Table `results`: one row per crossing, per repeated reminder and per spurious reminder."""
    s = ReminderStatus
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE results AS
        WITH results_raw AS (
        SELECT c.sub, c.cyc, c.plan_id, c.quota_bytes, c.threshold, c.crossed_at, a.ts_ms AS reminded_at,
               CASE WHEN a.ts_ms IS NULL THEN '{s.MISSING}'
                    WHEN a.ts_ms - c.crossed_at <= {cfg.latency_ms} THEN '{s.ON_TIME}' ELSE '{s.LATE}' END AS status,
               a.src_file AS reminder_file, a.src_row AS reminder_row
        FROM crossings c LEFT JOIN (SELECT * FROM attributed WHERE rank = 1) a
          ON c.sub = a.sub AND c.threshold = a.threshold AND c.cyc = a.c_cyc
        UNION ALL
        SELECT c.sub, c.cyc, c.plan_id, c.quota_bytes, c.threshold, c.crossed_at, a.ts_ms, '{s.REPEAT}',
               a.src_file, a.src_row
        FROM attributed a JOIN crossings c ON c.sub = a.sub AND c.threshold = a.threshold AND c.cyc = a.c_cyc
        WHERE a.rank > 1
        UNION ALL
        SELECT a.sub, a.cyc, coalesce(y.plan_id, l.plan_id), coalesce(y.quota_bytes, l.quota_bytes), a.threshold,
               NULL, a.ts_ms, '{s.SPURIOUS}', a.src_file, a.src_row
        FROM (SELECT *, {_cycle_sql("ts_ms")} AS cyc FROM attributed WHERE c_cyc IS NULL) a
        LEFT JOIN cycles y ON y.sub = a.sub AND y.cyc = a.cyc
        LEFT JOIN (SELECT sub, arg_max(plan_id, cyc) AS plan_id, arg_max(quota_bytes, cyc) AS quota_bytes
                   FROM cycles GROUP BY sub) l ON l.sub = a.sub
        )
        SELECT r.sub AS subscriber_id, strftime(r.cyc, '%Y-%m') AS cycle, coalesce(r.plan_id, 'unknown') AS plan_id,
               coalesce(p.province, 'unknown') AS province, r.quota_bytes, r.threshold, r.status,
               r.crossed_at AS crossed_at_ms, r.reminded_at AS reminded_at_ms,
               (r.reminded_at - r.crossed_at) / 1000.0 AS latency_s,
               CAST(epoch_ms(r.crossed_at) AS TIMESTAMPTZ) AS crossed_at,
               CAST(epoch_ms(r.reminded_at) AS TIMESTAMPTZ) AS reminded_at,
               r.reminder_file, r.reminder_row
        FROM results_raw r LEFT JOIN plans_ok_t p ON p.plan_id = r.plan_id
    """)


#: Beijing ISO 8601 text of a UTC epoch-ms column, for CSV results.
_ISO = "strftime(epoch_ms({0} + " + str(BEIJING_OFFSET_MS) + "), '%Y-%m-%dT%H:%M:%S.%g+08:00')"


def _results_select(results_format: ResultsFormat) -> str:
    """Parquet keeps typed timestamps (UTC instants) and is written unordered (sorting millions of rows
    costs more than the audit's window work; sort when reading); CSV is sorted, with Beijing ISO text."""
    order = "ORDER BY subscriber_id, cycle, threshold, status, reminded_at_ms, reminder_row"
    if results_format == "parquet":
        return "SELECT * FROM results"
    return (f"SELECT * REPLACE ({_ISO.format('crossed_at_ms')} AS crossed_at, {_ISO.format('reminded_at_ms')} "
            f"AS reminded_at) FROM results {order}")  # fmt: skip


def _export_rejected(
    con: duckdb.DuckDBPyConnection, kind: str, out_dir: Path, clean: bool = False
) -> tuple[int, Path | None]:
    """Write `rejected_<kind>.csv` (file, row, raw fields, problems, reason); returns the count.

    `clean`: every parsed row is known valid, so only lines the CSV reader refused are counted (no scan).
    """
    bad = "0" if clean else f"(SELECT count(*) FROM {kind}_bad)"
    count = con.execute(f"SELECT {bad} + (SELECT count(*) FROM {kind}_csv_rejects)").fetchone()
    n = int(count[0]) if count else 0
    if n == 0:
        return 0, None
    path = out_dir / f"rejected_{kind}.csv"
    fields = [c[0] for c in con.execute(f"DESCRIBE {kind}_bad").fetchall()][2:-2]
    nulls = ", ".join(f"NULL AS {f}" for f in fields)
    con.execute(f"""
        COPY (SELECT src_file AS file, src_row AS row, {", ".join(fields)}, problems, reason FROM {kind}_bad
              UNION ALL
              SELECT src_file, src_row, {nulls}, 'line:malformed', reason FROM {kind}_csv_rejects
              ORDER BY file, row) TO {sql_str(str(path))} (HEADER, DELIMITER ',')
    """)
    return n, path


def run_audit(
    plans: Path, events: Path, reminders: Path, out_dir: Path, cfg: AuditConfig | None = None,
    results_format: ResultsFormat = "parquet",
) -> AuditReport:  # fmt: skip
    """Audit `events` and `reminders` against `plans`; write results, rejected rows and summary.json.

    Raises InputError when an input is missing, unreadable or lacks a required column; bad rows
    never raise, they are counted and written to `rejected_<kind>.csv`.
    """
    cfg = cfg or AuditConfig()
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        timings[stage] = round(time.perf_counter() - started - sum(timings.values()), 3)

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ganzhi-usage-", dir=cfg.temp_dir) as tmp:
        con = connect(cfg, Path(tmp))
        try:
            sources = {
                "plans": open_source(con, plans, "plans"),
                "events": open_source(con, events, "events"),
                "reminders": open_source(con, reminders, "reminders"),
            }
            key = key_type(sources["events"])
            prepare_plans(con, sources["plans"], cfg)
            prepare_events(con, sources["events"], cfg, key)
            prepare_reminders(con, sources["reminders"], cfg, key)
            lap("prepare")
            valid_events = _cycles(con, cfg, sources["events"], key, Path(tmp))
            lap("cycles")
            build_crossings(con, cfg)
            attribute_reminders(con, cfg)
            lap("attribute")
            build_results(con, cfg)
            lap("results")
            rejected: dict[str, int] = {}
            rejected_paths: dict[str, Path] = {}
            for kind in KINDS:
                clean = kind == "events" and _all_valid(con, sources["events"], valid_events)
                n, path = _export_rejected(con, kind, out_dir, clean)
                rejected[kind] = n
                if path is not None:
                    rejected_paths[kind] = path
            lap("rejected")
            results_path = out_dir / f"results.{results_format}"
            copy_opts = "(FORMAT parquet, COMPRESSION snappy)" if results_format == "parquet" else "(HEADER)"
            con.execute(f"COPY ({_results_select(results_format)}) TO {sql_str(str(results_path))} {copy_opts}")
            lap("write")
            summary = build_summary(con, cfg, sources, rejected)
            lap("summary")
        except duckdb.Error as exc:
            raise InputError(str(events), f"audit failed: {str(exc).splitlines()[0]}") from exc
        finally:
            con.close()
    summary["elapsed_s"] = round(time.perf_counter() - started, 3)
    summary["stage_s"] = timings
    summary["outputs"] = {"results": str(results_path), **{f"rejected_{k}": str(p) for k, p in rejected_paths.items()}}
    summary_path = out_dir / "summary.json"
    summary_path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return AuditReport(summary, results_path, summary_path, rejected_paths)
