"""Typed, validated views over the raw inputs; bad rows are quarantined with a reason, never fatal.

For each kind this creates `<kind>_typed` (parsed columns + `problems`, short codes such as
`ts:unparseable`), `<kind>_ok` (rows without problems) and `<kind>_bad` (rows with problems, with a
human-readable `reason` naming the field, the expectation and the actual value). Validity is a
boolean expression on typed columns, so the hot path (`*_ok`) never builds strings.

Time: `ts` may be epoch milliseconds (number or digits) or ISO 8601. ISO text with an offset (`Z`,
`+08:00`) is exact; without one it is Beijing time (UTC+8, no DST). Everything becomes UTC epoch ms.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ganzhi.collect.usage.config import BEIJING_OFFSET_MS, AuditConfig
from ganzhi.collect.usage.sources import Source, sql_str

INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT"}
FLOAT_TYPES = {"FLOAT", "DOUBLE", "REAL"}
_OFFSET_RE = r"[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?\s*(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"


def is_integer_type(typ: str | None) -> bool:
    return typ is not None and typ in INTEGER_TYPES


def text_sql(col: str, typ: str | None) -> str:
    """The column as trimmed text, NULL when absent or empty."""
    if typ is None:
        return "NULL::VARCHAR"
    if typ == "VARCHAR":
        return f"nullif(trim({col}), '')"
    return f"CAST({col} AS VARCHAR)"


def int_sql(col: str, typ: str | None) -> str:
    """The column as BIGINT, NULL when it is not a whole number (no silent rounding of 12.5)."""
    if typ is None:
        return "NULL::BIGINT"
    if typ in INTEGER_TYPES:
        return f"CAST({col} AS BIGINT)"
    if typ in FLOAT_TYPES or typ.startswith("DECIMAL"):
        return f"CASE WHEN {col} = floor({col}) AND abs({col}) < 9e18 THEN CAST({col} AS BIGINT) END"
    text = f"trim(CAST({col} AS VARCHAR))"
    return f"CASE WHEN regexp_full_match({text}, '[+-]?[0-9]{{1,18}}') THEN CAST({text} AS BIGINT) END"


def ts_ms_sql(col: str, typ: str | None) -> str:
    """The column as UTC epoch milliseconds (see module docstring), NULL when unparseable."""
    if typ is None:
        return "NULL::BIGINT"
    if typ in INTEGER_TYPES or typ in FLOAT_TYPES:
        return int_sql(col, typ)
    if typ.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"epoch_ms({col})"
    if typ.startswith("TIMESTAMP"):
        return f"epoch_ms(CAST({col} AS TIMESTAMP)) - {BEIJING_OFFSET_MS}"
    if typ == "DATE":
        return f"epoch_ms(CAST({col} AS TIMESTAMP)) - {BEIJING_OFFSET_MS}"
    t = f"trim(CAST({col} AS VARCHAR))"
    return (
        f"CASE WHEN regexp_full_match({t}, '-?[0-9]{{1,15}}') THEN CAST({t} AS BIGINT) "
        f"WHEN regexp_matches({t}, '{_OFFSET_RE}') THEN epoch_ms(try_cast({t} AS TIMESTAMPTZ)) "
        f"ELSE epoch_ms(try_cast({t} AS TIMESTAMP)) - {BEIJING_OFFSET_MS} END"
    )


@dataclass(frozen=True, slots=True)
class Problem:
    """One way a row can be bad: a condition on typed columns, a short code and a message (SQL)."""

    code: str
    condition: str
    message: str


def _create(con: duckdb.DuckDBPyConnection, kind: str, typed_select: str, problems: list[Problem],
            raw_fields: list[str]) -> None:  # fmt: skip
    """Create `<kind>_typed`, `<kind>_ok` and `<kind>_bad` from a typed SELECT and its problems."""
    any_problem = " OR ".join(f"coalesce({p.condition}, false)" for p in problems) or "false"
    codes = ", ".join(f"CASE WHEN coalesce({p.condition}, false) THEN {sql_str(p.code)} END" for p in problems)
    messages = ", ".join(f"CASE WHEN coalesce({p.condition}, false) THEN {p.message} END" for p in problems)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {kind}_typed AS {typed_select}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {kind}_ok AS SELECT * FROM {kind}_typed WHERE NOT ({any_problem})")
    raw = ", ".join(f"left(CAST(raw_{f} AS VARCHAR), 80) AS {f}" for f in raw_fields)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {kind}_bad AS SELECT src_file, src_row, {raw}, "
        f"concat_ws(',', {codes}) AS problems, concat_ws('; ', {messages}) AS reason "
        f"FROM {kind}_typed WHERE {any_problem}"
    )


def _quote(raw: str) -> str:
    """SQL for the raw value shown in a message."""
    return f"coalesce('''' || left(CAST({raw} AS VARCHAR), 80) || '''', 'empty')"


def _ts_problems(cfg: AuditConfig) -> list[Problem]:
    return [
        Problem("ts:unparseable", "ts_ms IS NULL",
                f"'ts: expected ISO 8601 or epoch milliseconds, got ' || {_quote('raw_ts')}"),
        Problem("ts:out_of_range", f"ts_ms NOT BETWEEN {cfg.min_ts_ms} AND {cfg.max_ts_ms}",
                f"'ts: expected a time between ' || epoch_ms({cfg.min_ts_ms}::BIGINT) || ' and ' || "
                f"epoch_ms({cfg.max_ts_ms}::BIGINT) || ' UTC, got ' || {_quote('raw_ts')} || "
                "' (epoch seconds instead of milliseconds?)'"),
    ]  # fmt: skip


def prepare_plans(con: duckdb.DuckDBPyConnection, src: Source, cfg: AuditConfig) -> None:
    """`plans_ok_t` (plan_id, quota_bytes, province, pidx: a small integer key); a repeated id's first row wins."""
    typed = (
        f"SELECT {text_sql('plan_id', src.type_of('plan_id'))} AS plan_id, "
        f"{int_sql('quota_bytes', src.type_of('quota_bytes'))} AS quota_bytes, "
        f"lower(coalesce({text_sql('cycle', src.type_of('cycle'))}, 'month')) AS cycle, "
        f"coalesce({text_sql('province', src.type_of('province'))}, 'unknown') AS province, "
        "plan_id AS raw_plan_id, quota_bytes AS raw_quota_bytes, "
        f"{'cycle' if src.type_of('cycle') else 'NULL'} AS raw_cycle, src_file, src_row, "
        "row_number() OVER (PARTITION BY "
        f"{text_sql('plan_id', src.type_of('plan_id'))} ORDER BY src_file, src_row) AS occurrence FROM plans_src"
    )
    problems = [
        Problem("plan_id:empty", "plan_id IS NULL", "'plan_id: expected a non-empty id, got empty'"),
        Problem("quota_bytes:not_integer", "quota_bytes IS NULL",
                f"'quota_bytes: expected a whole number of bytes, got ' || {_quote('raw_quota_bytes')}"),
        Problem("quota_bytes:not_positive", "quota_bytes <= 0",
                "'quota_bytes: expected > 0, got ' || quota_bytes"),
        Problem("cycle:unsupported", "cycle <> 'month'",
                f"'cycle: expected ''month'' (calendar month, Beijing time), got ' || {_quote('raw_cycle')}"),
        Problem("plan_id:duplicate", "plan_id IS NOT NULL AND occurrence > 1",
                "'plan_id: ' || plan_id || ' already defined on an earlier row; this row is ignored'"),
    ]  # fmt: skip
    _create(con, "plans", typed, problems, ["plan_id", "quota_bytes", "cycle"])
    con.execute(
        "CREATE OR REPLACE TEMP TABLE plans_ok_t AS SELECT plan_id, quota_bytes, province, "
        "CAST(row_number() OVER (ORDER BY plan_id) AS INTEGER) AS pidx FROM plans_ok"
    )


def key_type(events: Source) -> str:
    """SQL type of subscriber ids: BIGINT when the events file stores integers, else VARCHAR."""
    return "BIGINT" if is_integer_type(events.type_of("subscriber_id")) else "VARCHAR"


def _key_sql(src: Source, key: str) -> str:
    typ = src.type_of("subscriber_id")
    if key == "BIGINT":
        return int_sql("subscriber_id", typ)
    return text_sql("subscriber_id", typ)


def prepare_events(con: duckdb.DuckDBPyConnection, src: Source, cfg: AuditConfig, key: str) -> None:
    """`events_ok` (sub, ts_ms, bytes, plan_id, pidx, quota_bytes) joined to the valid plans."""
    typed = (
        "SELECT e.sub, e.ts_ms, e.bytes, e.plan_id, p.pidx, p.quota_bytes, e.raw_subscriber_id, e.raw_ts, "
        f"e.raw_bytes, e.raw_plan_id, e.src_file, e.src_row FROM (SELECT {_key_sql(src, key)} AS sub, "
        f"{ts_ms_sql('ts', src.type_of('ts'))} AS ts_ms, {int_sql('bytes', src.type_of('bytes'))} AS bytes, "
        f"{text_sql('plan_id', src.type_of('plan_id'))} AS plan_id, subscriber_id AS raw_subscriber_id, "
        "ts AS raw_ts, bytes AS raw_bytes, plan_id AS raw_plan_id, src_file, src_row FROM events_src) e "
        "LEFT JOIN plans_ok_t p ON e.plan_id = p.plan_id"
    )
    id_msg = "an integer id (the events file uses integers)" if key == "BIGINT" else "a non-empty id"
    problems = [
        Problem("subscriber_id:invalid", "sub IS NULL",
                f"'subscriber_id: expected {id_msg}, got ' || {_quote('raw_subscriber_id')}"),
        *_ts_problems(cfg),
        Problem("bytes:not_integer", "bytes IS NULL",
                f"'bytes: expected a whole number of bytes, got ' || {_quote('raw_bytes')}"),
        Problem("bytes:negative", "bytes < 0", "'bytes: expected >= 0, got ' || bytes"),
        Problem("bytes:absurd", f"bytes > {cfg.max_event_bytes}",
                f"'bytes: expected at most {cfg.max_event_bytes} per record, got ' || bytes"),
        Problem("plan_id:unknown", "quota_bytes IS NULL",
                f"'plan_id: expected an id of a valid row of the plans file, got ' || {_quote('raw_plan_id')}"),
    ]  # fmt: skip
    _create(con, "events", typed, problems, ["subscriber_id", "ts", "bytes", "plan_id"])


def threshold_sql(src: Source) -> str:
    """Threshold as a fraction; text like '80%' is accepted as 0.8."""
    typ = src.type_of("threshold")
    if typ in INTEGER_TYPES or typ in FLOAT_TYPES or (typ or "").startswith("DECIMAL"):
        return "CAST(threshold AS DOUBLE)"
    t = "trim(CAST(threshold AS VARCHAR))"
    return (
        f"CASE WHEN {t} LIKE '%\\%' ESCAPE '\\' THEN try_cast(rtrim({t}, '%') AS DOUBLE) / 100 "
        f"ELSE try_cast({t} AS DOUBLE) END"
    )


def prepare_reminders(con: duckdb.DuckDBPyConnection, src: Source, cfg: AuditConfig, key: str) -> None:
    """`reminders_ok` (sub, ts_ms, threshold, src_file, src_row); all thresholds, audited or not."""
    typed = (
        f"SELECT {_key_sql(src, key)} AS sub, {ts_ms_sql('ts', src.type_of('ts'))} AS ts_ms, "
        f"{threshold_sql(src)} AS threshold, subscriber_id AS raw_subscriber_id, ts AS raw_ts, "
        "threshold AS raw_threshold, src_file, src_row FROM reminders_src"
    )
    id_msg = "an integer id (the events file uses integers)" if key == "BIGINT" else "a non-empty id"
    problems = [
        Problem("subscriber_id:invalid", "sub IS NULL",
                f"'subscriber_id: expected {id_msg}, got ' || {_quote('raw_subscriber_id')}"),
        *_ts_problems(cfg),
        Problem("threshold:invalid", f"threshold IS NULL OR isnan(threshold) OR threshold <= 0 OR "
                f"threshold > {cfg.max_threshold}",
                f"'threshold: expected a fraction of the quota in (0, {cfg.max_threshold}] such as 0.8, got ' || "
                f"{_quote('raw_threshold')}"),
    ]  # fmt: skip
    _create(con, "reminders", typed, problems, ["subscriber_id", "ts", "threshold"])
