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

Crossings come from the numpy kernel (`kernel.py`, fed partition by partition by `partitioned.py`, which
reads Parquet row groups with pyarrow on every thread: `scan.py`) when subscriber ids are integers, else
from a DuckDB window (`build_cycles`); both give identical Arrow tables. Reminders are then attributed in
numpy (`attribution.py`) and the per-row results built as Arrow (`results.py`), in subscriber chunks on
`threads` threads. Memory is bounded by DuckDB's `memory_limit` (it spills to `temp_dir`) and the
kernel's `partition_rows`, CPU by `threads`; no Python code runs per event. Per-row results, rejected
rows and a JSON summary (with per-stage timings) are written to `out_dir`.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ganzhi.collect.usage.config import BEIJING_OFFSET_MS, AuditConfig
from ganzhi.collect.usage.ingest import key_type, prepare_events, prepare_plans, prepare_reminders
from ganzhi.collect.usage.months import MONTH_SQL
from ganzhi.collect.usage.partitioned import build_cycles_partitioned, small_pages
from ganzhi.collect.usage.results import TEXT_COLUMNS, build_results
from ganzhi.collect.usage.sources import Source, open_source, sql_str
from ganzhi.collect.usage.summary import build_summary
from ganzhi.errors import InputError

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


def _crossing_cols(cfg: AuditConfig, quota: str) -> str:
    return ", ".join(
        f"min(ts_ms) FILTER (WHERE CAST(cum AS DOUBLE) >= {float(t)!r}::DOUBLE * {quota}) AS cross_{i}"
        for i, t in enumerate(cfg.thresholds)
    )


def _events_with_cycle() -> str:
    return f"SELECT sub, ts_ms, bytes, pidx, quota_bytes, {MONTH_SQL} AS cyc FROM events_ok"


def build_cycles(con: duckdb.DuckDBPyConnection, cfg: AuditConfig) -> pa.Table:
    """The `cycles` table (see `kernel.cycles_schema`) by SQL windows: for text ids, or ids too sparse to pack.

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
    crossed = ", ".join(f"cross_{i}" for i in range(len(cfg.thresholds)))
    table: pa.Table = con.sql(f"""
        SELECT sub, CAST(cyc AS BIGINT) AS m, CAST(pidx AS INTEGER) AS pidx, quota_bytes, events, duplicates,
               mixed_plans, CAST(used_bytes AS BIGINT) AS used_bytes, {crossed}
        FROM (SELECT * FROM cycles_fast WHERE NOT ({flagged}) UNION ALL BY NAME SELECT * FROM cycles_exact)
    """).to_arrow_table()
    con.execute("DROP TABLE cycles_fast")
    con.execute("DROP TABLE cycles_exact")
    return table


def _cycles(
    con: duckdb.DuckDBPyConnection, cfg: AuditConfig, events: Source, key: str, temp_dir: Path
) -> tuple[pa.Table, int | None]:
    """The `cycles` table through the numpy kernel when ids are integers (and allowed), else the SQL window,
    and the number of valid events when the kernel counted them (None on the SQL path)."""
    if cfg.kernel == "sql" or (cfg.kernel == "auto" and key != "BIGINT"):
        return build_cycles(con, cfg), None
    if key != "BIGINT":
        raise InputError(str(events.path), "kernel numpy: expected integer subscriber_id values; use sql or auto")
    try:
        return build_cycles_partitioned(con, cfg, events, temp_dir)
    except ValueError:
        if cfg.kernel == "numpy":
            raise
        return build_cycles(con, cfg), None


def _all_valid(con: duckdb.DuckDBPyConnection, src: Source, valid: int | None) -> bool:
    """True when every row of `src` is known valid (so its rejected rows need no scan)."""
    if valid is None:
        return False
    if src.fmt == "parquet":
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in src.files)
    else:
        rows = int(con.execute(f"SELECT count(*) FROM {src.kind}_src").fetchall()[0][0])
    return rows == valid


#: Cycles and reminders per chunk of subscribers when results are built in parallel (`build_results`).
RESULT_CHUNK_ROWS = 1 << 19


def _results(con: duckdb.DuckDBPyConnection, cfg: AuditConfig, cycles: pa.Table, pool: ThreadPoolExecutor) -> pa.Table:
    """The per-row results (see `results.py`) from the cycles, the valid plans and the audited reminders.

    Reminders carry the rank of their file name (files in SQL text order) instead of the name itself.
    """
    audited = ", ".join(f"{float(t)!r}::DOUBLE" for t in cfg.thresholds)
    plans = con.sql("SELECT pidx, plan_id, province FROM plans_ok_t").to_arrow_table()
    names = [str(row[0]) for row in con.execute("SELECT DISTINCT src_file FROM reminders_src ORDER BY 1").fetchall()]
    ranks = ", ".join(f"({sql_str(name)}, {i})" for i, name in enumerate(names)) or "(NULL, 0)"
    reminders = con.sql(f"""
        SELECT r.sub, r.ts_ms, r.threshold, f.file, r.src_row
        FROM reminders_ok r JOIN (VALUES {ranks}) f(src_file, file) ON r.src_file = f.src_file
        WHERE r.threshold IN ({audited})
    """).to_arrow_table()
    rows = cycles.num_rows + reminders.num_rows
    chunks = min(4 * cfg.threads, -(-rows // RESULT_CHUNK_ROWS)) if cfg.threads > 1 else 1
    return build_results(cycles, plans, reminders, names, cfg, pool, chunks)


#: Beijing ISO 8601 text of a UTC epoch-ms column, for CSV results.
_ISO = "strftime(epoch_ms({0} + " + str(BEIJING_OFFSET_MS) + "), '%Y-%m-%dT%H:%M:%S.%g+08:00')"


#: Result columns worth Parquet statistics.
_KEYS = ["subscriber_id", "cycle", "plan_id", "province", "threshold", "status"]


def _write_parquet(results: pa.Table, path: Path) -> None:
    """Typed timestamps (UTC instants), rows unordered (sorting millions of rows costs more than the audit's
    window work; sort when reading). Text columns stay dictionary-encoded (pyarrow takes a list of columns;
    its stubs only know bool); without the Arrow schema in the footer, readers see plain strings."""
    pq.write_table(results, path, compression="snappy", use_dictionary=TEXT_COLUMNS,  # type: ignore[arg-type]
                   write_statistics=_KEYS, store_schema=False)  # fmt: skip


def _write_csv(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Sorted rows, times as Beijing ISO 8601 text."""
    order = "ORDER BY subscriber_id, cycle, threshold, status, reminded_at_ms, reminder_row"
    con.execute(f"COPY (SELECT * REPLACE ({_ISO.format('crossed_at_ms')} AS crossed_at, "
                f"{_ISO.format('reminded_at_ms')} AS reminded_at) FROM results {order}) "
                f"TO {sql_str(str(path))} (HEADER)")  # fmt: skip


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


def _export_all_rejected(con: duckdb.DuckDBPyConnection, sources: dict[str, Source], valid_events: int | None,
                         out_dir: Path) -> tuple[dict[str, int], dict[str, Path]]:  # fmt: skip
    """`_export_rejected` for every kind: the counts, and the files written."""
    rejected: dict[str, int] = {}
    paths: dict[str, Path] = {}
    for kind in KINDS:
        clean = kind == "events" and _all_valid(con, sources["events"], valid_events)
        rejected[kind], path = _export_rejected(con, kind, out_dir, clean)
        if path is not None:
            paths[kind] = path
    return rejected, paths


class _Clock:
    """Wall and CPU seconds (all threads) per stage: together, how parallel each stage ran."""

    def __init__(self) -> None:
        self.started, self._cpu_started = time.perf_counter(), time.process_time()
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        self.wall[stage] = round(time.perf_counter() - self.started - sum(self.wall.values()), 3)
        self.cpu[stage] = round(time.process_time() - self._cpu_started - sum(self.cpu.values()), 3)


def run_audit(
    plans: Path, events: Path, reminders: Path, out_dir: Path, cfg: AuditConfig | None = None,
    results_format: ResultsFormat = "parquet", results_hook: Callable[[pa.Table], pa.Table] | None = None,
) -> AuditReport:  # fmt: skip
    """Audit `events` and `reminders` against `plans`; write results, rejected rows and summary.json.

    `results_hook` may rewrite the per-row results before they are summarised and written (once), keeping
    their schema: the distributed audit maps reminder rows back to their original files with it.
    Raises InputError when an input is missing, unreadable or lacks a required column; bad rows
    never raise, they are counted and written to `rejected_<kind>.csv`.
    """
    cfg = cfg or AuditConfig()
    clock = _Clock()
    lap = clock.lap

    out_dir.mkdir(parents=True, exist_ok=True)
    with small_pages(), tempfile.TemporaryDirectory(prefix="ganzhi-usage-", dir=cfg.temp_dir) as tmp:
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
            cycles, valid_events = _cycles(con, cfg, sources["events"], key, Path(tmp))
            con.register("cycles", cycles)
            lap("cycles")
            with ThreadPoolExecutor(max_workers=cfg.threads) as pool:
                results = _results(con, cfg, cycles, pool)
            if results_hook is not None:
                results = results_hook(results)
            con.register("results", results)
            lap("results")
            results_path = out_dir / f"results.{results_format}"
            # pyarrow writes Parquet without DuckDB (and without the GIL): it overlaps the next two stages.
            with ThreadPoolExecutor(max_workers=1) as writer:
                parquet = writer.submit(_write_parquet, results, results_path) if results_format == "parquet" else None
                rejected, rejected_paths = _export_all_rejected(con, sources, valid_events, out_dir)
                lap("rejected")
                summary = build_summary(con, cfg, sources, rejected, cycles)
                lap("summary")
                if parquet is None:
                    _write_csv(con, results_path)
                else:
                    parquet.result()
                lap("write")
        except duckdb.Error as exc:
            raise InputError(str(events), f"audit failed: {str(exc).splitlines()[0]}") from exc
        finally:
            con.close()
    summary["elapsed_s"] = round(time.perf_counter() - clock.started, 3)
    summary["stage_s"] = clock.wall
    summary["stage_cpu_s"] = clock.cpu
    summary["outputs"] = {"results": str(results_path), **{f"rejected_{k}": str(p) for k, p in rejected_paths.items()}}
    summary_path = out_dir / "summary.json"
    summary_path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return AuditReport(summary, results_path, summary_path, rejected_paths)
