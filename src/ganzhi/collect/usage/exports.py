"""Operators' own exports → the audit's inputs: 话单 (CDR) CSV for usage events, SMS-gateway logs for reminders.

Why a converter: no operator exports `subscriber_id, ts, bytes, plan_id`. A 话单 export has Chinese
headers (用户号码, 开始时间, 上行流量(KB), 下行流量(KB), 套餐编码 …), GBK text, `yyyyMMddHHmmss` Beijing
times and the volume split into uplink and downlink, in bytes, KB or MB. A gateway log holds the SMS text,
and the threshold a reminder announces ("已使用套餐内流量的80%", "流量已用完") and the overage unit price
it states ("超出后按3元/GB计费") are only in that text. These converters write the canonical Parquet
files (`events`: subscriber_id, ts, bytes, plan_id; `reminders`: subscriber_id, ts, threshold,
states_unit_price, unit_price_yuan_per_gb), each row with its `origin_file` / `origin_row` (physical line),
and quarantine every bad row in a CSV (file, row, the raw fields, problem codes, a reason naming the field).

Streaming: the file is decoded incrementally (UTF-8 with or without BOM, else GB18030, a superset of GBK),
parsed by the csv module into batches of `batch_rows`, typed and validated by DuckDB per batch; memory is
bounded by the batch, not the file. Field sizes, rows and bytes per file are bounded (`ExportLimits`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganzhi.collect.usage.config import BEIJING_OFFSET_MS, AuditConfig
from ganzhi.errors import InputError

#: Canonical field → accepted header names (compared after `_header_key`), first match wins.
CDR_ALIASES: dict[str, tuple[str, ...]] = {
    "subscriber_id": ("用户号码", "手机号码", "计费号码", "服务号码", "号码", "msisdn", "用户标识", "subscriber_id"),
    "ts": ("开始时间", "话单开始时间", "起始时间", "会话开始时间", "上网开始时间", "start_time", "ts"),
    "up": ("上行流量", "上行", "上行字节数", "uplink", "up_bytes"),
    "down": ("下行流量", "下行", "下行字节数", "downlink", "down_bytes"),
    "total": ("总流量", "使用流量", "流量", "bytes", "volume"),
    "plan_id": ("套餐编码", "套餐代码", "套餐id", "套餐编号", "资费编码", "产品编码", "plan_id"),
}
SMS_ALIASES: dict[str, tuple[str, ...]] = {
    "subscriber_id": ("接收号码", "手机号码", "用户号码", "被叫号码", "号码", "msisdn", "subscriber_id"),
    "ts": ("发送时间", "下发时间", "提交时间", "发送日期时间", "send_time", "ts"),
    "content": ("短信内容", "消息内容", "内容", "content", "text", "message"),
}
#: Volume unit → bytes.
UNITS = {"b": 1, "byte": 1, "bytes": 1, "字节": 1, "kb": 1024, "k": 1024, "mb": 1024**2, "m": 1024**2, "gb": 1024**3}
_UNIT_RE = re.compile(r"^(.*?)\s*[(（\[]\s*([A-Za-z字节]+)\s*[)）\]]\s*$")
#: `yyyyMMddHHmmss` first (话单), then common text forms; all Beijing time.
TIME_FORMATS = ("%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")

# Threshold in the SMS text: "已使用…80%" / "达到80%" (used share), "剩余20%" (remaining share), "已用完" (100 %).
USED_RE = r"(?:已使用|已用|使用了|用量已达|已达到|达到|已达|超过)[^0-9%％]{0,16}?([0-9]{1,3}(?:\.[0-9]+)?)\s*[%％]"
LEFT_RE = r"剩余[^0-9%％]{0,10}?([0-9]{1,3}(?:\.[0-9]+)?)\s*[%％]"
FULL_RE = r"(?:已用完|已用尽|已全部用完|已全部使用|已耗尽|用完了|已超出|超出套餐|已超套|超套)"
# Unit price: "3元/GB", "0.29元/MB", "每GB收取3元", "按5元每GB"; converted to yuan per GB.
PRICE_PER_RE = r"([0-9]+(?:\.[0-9]+)?)\s*元\s*(?:/|每|／)\s*(GB|G|MB|M|KB|K)"
PRICE_EACH_RE = r"每\s*(GB|G|MB|M|KB|K)[^0-9]{0,6}?([0-9]+(?:\.[0-9]+)?)\s*元"
# Speed terms of an overage notice: "限速", "降速至128kbps", "速率降至1Mbps".
SPEED_RE = r"(?:限速|降速|速率[^，。,;；]{0,6}(?:降至|降为|不超过|限制)|[0-9]+\s*[KkMm]bps)"
#: Overage notices without a unit price kept as examples for the evidence.
MAX_EXAMPLES = 20


@dataclass(frozen=True, slots=True)
class ExportLimits:
    """What one export file may cost; configurable defaults, not rules."""

    max_file_bytes: int = 64 * 1024**3
    max_rows: int = 2_000_000_000
    max_field_chars: int = 65_536
    batch_rows: int = 1_000_000


@dataclass(slots=True)
class ConvertReport:
    """What one conversion wrote."""

    kind: str
    output: Path
    source: Path
    rows: int = 0
    written: int = 0
    rejected: int = 0
    rejected_path: Path | None = None
    rejected_by_problem: dict[str, int] = field(default_factory=dict)
    encoding: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    examples: list[tuple[int, str]] = field(default_factory=list)  # (row, text) of overage notices without a price


def _header_key(name: str) -> tuple[str, str | None]:
    """(normalised header, unit or None): '上行流量(KB)' → ('上行流量', 'kb')."""
    text = name.replace("\ufeff", "").strip()
    unit = None
    m = _UNIT_RE.match(text)
    if m and m.group(2).lower() in UNITS:
        text, unit = m.group(1), m.group(2).lower()
    return text.strip().lower().replace(" ", "_"), unit


def _detect_encoding(path: Path, wanted: str) -> str:
    """`wanted` unless 'auto': UTF-8 (BOM or strict decode of the first MB) else GB18030."""
    if wanted != "auto":
        try:
            codecs.lookup(wanted)
        except LookupError:
            raise InputError(str(path), f"encoding: unknown codec {wanted!r}") from None
        return wanted
    with path.open("rb") as f:
        head = f.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _map_columns(header: Sequence[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, tuple[int, str | None]]:
    """canonical field → (column index, unit from the header)."""
    keys = [_header_key(h) for h in header]
    found: dict[str, tuple[int, str | None]] = {}
    for name, names in aliases.items():
        for alias in names:
            hit = next((i for i, (key, _) in enumerate(keys) if key == alias.lower()), None)
            if hit is not None:
                found[name] = (hit, keys[hit][1])
                break
    return found


class _Lines:
    """Decoded text of a file, line by line, with bad bytes kept visible (surrogate escapes) and bounded size."""

    def __init__(self, path: Path, encoding: str, limits: ExportLimits) -> None:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise InputError(str(path), f"file: {size} bytes, more than the limit {limits.max_file_bytes}")
        self.raw = path.open("rb")
        self.text = io.TextIOWrapper(self.raw, encoding=encoding, errors="surrogateescape", newline="")

    def close(self) -> None:
        self.text.close()


_SURROGATES = re.compile("[\udc80-\udcff]")


def _batches(
    path: Path, encoding: str, limits: ExportLimits, width: int
) -> Iterator[tuple[list[list[str]], list[int]]]:
    """Rows (as `width` strings, padded or marked) and their physical line numbers, `batch_rows` at a time.

    A row with the wrong number of fields or undecodable bytes keeps its raw text in field 0 and is marked by
    a final field holding the problem code, so validation quarantines it with its line.
    """
    lines = _Lines(path, encoding, limits)
    try:
        csv.field_size_limit(limits.max_field_chars)
        reader = csv.reader(lines.text, strict=False)
        next(reader, None)  # header, already read
        rows: list[list[str]] = []
        numbers: list[int] = []
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rows.append(["", *[""] * (width - 1), f"line:malformed ({exc})"])
                numbers.append(line)
                line = reader.line_num + 1
                continue
            if not row or (len(row) == 1 and not row[0].strip()):
                line = reader.line_num + 1
                continue
            problem = ""
            if len(row) != width:
                problem = f"line:fields (expected {width} fields, got {len(row)})"
            elif any(_SURROGATES.search(v) for v in row):
                problem = f"line:encoding (bytes that are not {encoding})"
            if problem:
                text = ",".join(row).encode("utf-8", "backslashreplace").decode("utf-8")[:200]
                row = [text, *[""] * (width - 1)]
            rows.append([*row, problem])
            numbers.append(line)
            line = reader.line_num + 1
            if len(numbers) > limits.max_rows:
                raise InputError(str(path), f"file: more than {limits.max_rows} rows")
            if len(rows) >= limits.batch_rows:
                yield rows, numbers
                rows, numbers = [], []
        if rows:
            yield rows, numbers
    finally:
        lines.close()


def _header(path: Path, encoding: str, limits: ExportLimits) -> list[str]:
    lines = _Lines(path, encoding, limits)
    try:
        csv.field_size_limit(limits.max_field_chars)
        try:
            header = next(csv.reader(lines.text), None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(str(path), f"header: unreadable ({exc})") from None
    finally:
        lines.close()
    if not header:
        raise InputError(str(path), "header: the file is empty")
    return header


def phone_sql(col: str) -> str:
    """Subscriber number as BIGINT: spaces and dashes removed, a leading +86 / 0086 / 86 on 13-digit numbers
    dropped; NULL unless 5 to 18 digits remain (masked numbers such as 138****1234 are not ids)."""
    t = f"regexp_replace(trim({col}), '[ \\-]', '', 'g')"
    t = f"regexp_replace({t}, '^(\\+86|0086|86)(1[0-9]{{10}})$', '\\2')"
    return f"CASE WHEN regexp_full_match({t}, '[0-9]{{5,18}}') THEN CAST({t} AS BIGINT) END"


def time_sql(col: str) -> str:
    """Beijing wall-clock text (`TIME_FORMATS`) → UTC epoch ms; NULL when unparseable."""
    formats = "[" + ", ".join(f"'{f}'" for f in TIME_FORMATS) + "]"
    return f"epoch_ms(try_strptime(trim({col}), {formats})) - {BEIJING_OFFSET_MS}"


def volume_sql(col: str, unit_bytes: int) -> str:
    """A volume in `unit_bytes` units (whole or decimal, >= 0) → whole bytes; NULL when not a number."""
    num = f"try_cast(nullif(trim({col}), '') AS DECIMAL(24, 6))"
    return f"CAST(round({num} * {unit_bytes}) AS BIGINT)"


def _quote(col: str) -> str:
    return f"coalesce('''' || left({col}, 80) || '''', 'empty')"


@dataclass(frozen=True, slots=True)
class _Check:
    code: str
    condition: str
    message: str


class _Writer:
    """Parquet for the valid rows, CSV for the quarantined ones, per batch through DuckDB."""

    def __init__(self, out: Path, rejected: Path, source: Path, raw_fields: list[str]) -> None:
        import duckdb

        self.con = duckdb.connect(":memory:")
        self.con.execute("SET threads = 2")
        self.out, self.rejected_path, self.source, self.raw_fields = out, rejected, source, raw_fields
        self.writer: Any = None
        self.bad: Any = None
        self.rejected = 0
        self.by_problem: dict[str, int] = {}

    def batch(self, rows: list[list[str]], numbers: list[int], typed: str, checks: list[_Check]) -> int:
        """Validate one batch; returns the rows written."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        names = [*(f"raw_{f}" for f in self.raw_fields), "line_problem"]
        columns: dict[str, Any] = {name: pa.array([r[i] for r in rows], pa.string()) for i, name in enumerate(names)}
        columns["origin_row"] = pa.array(numbers, pa.int64())
        self.con.register("raw", pa.table(columns))
        # A line that is not a row (wrong field count, bad bytes) gets that one problem, not one per field.
        flags = ", ".join(["line_problem <> '' AS bad_0"] + [
            f"coalesce(line_problem = '' AND ({c.condition}), false) AS bad_{i}" for i, c in enumerate(checks, 1)
        ])  # fmt: skip
        checks = [_Check("line", "", "line_problem"), *checks]
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE typed AS SELECT *, {flags} FROM ({typed})")
        any_bad = " OR ".join(f"bad_{i}" for i in range(len(checks)))
        ok: pa.Table = self.con.sql(
            f"SELECT * EXCLUDE ({', '.join(f'bad_{i}' for i in range(len(checks)))}, "
            f"{', '.join(f'raw_{f}' for f in self.raw_fields)}, line_problem) FROM typed WHERE NOT ({any_bad})"
        ).to_arrow_table()
        ok = ok.append_column("origin_file", pa.array([str(self.source)] * ok.num_rows, pa.string()))
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.out, ok.schema)
        self.writer.write_table(ok)
        codes = ", ".join(["CASE WHEN bad_0 THEN split_part(line_problem, ' ', 1) END"] +
                          [f"CASE WHEN bad_{i} THEN '{c.code}' END" for i, c in enumerate(checks) if i])  # fmt: skip
        messages = ", ".join(f"CASE WHEN bad_{i} THEN {c.message} END" for i, c in enumerate(checks))
        raw = ", ".join(f"left(raw_{f}, 200) AS {f}" for f in self.raw_fields)
        bad = self.con.execute(
            f"SELECT origin_row, {raw}, concat_ws(',', {codes}) AS problems, concat_ws('; ', {messages}) AS reason "
            f"FROM typed WHERE {any_bad} ORDER BY origin_row"
        ).fetchall()
        if bad:
            if self.bad is None:
                handle = self.rejected_path.open("w", newline="", encoding="utf-8")
                self.bad = (handle, csv.writer(handle))
                self.bad[1].writerow(["file", "row", *self.raw_fields, "problems", "reason"])
            for row in bad:
                self.bad[1].writerow([str(self.source), *row])
                for code in str(row[-2]).split(","):
                    key = code.split(" ")[0]
                    self.by_problem[key] = self.by_problem.get(key, 0) + 1
            self.rejected += len(bad)
        self.con.unregister("raw")
        return int(ok.num_rows)

    def close(self, empty_schema: Any) -> None:
        import pyarrow.parquet as pq

        if self.writer is None:
            self.writer = pq.ParquetWriter(self.out, empty_schema)
        self.writer.close()
        if self.bad is not None:
            self.bad[0].close()
        self.con.close()


def _field(found: dict[str, tuple[int, str | None]], name: str) -> str:
    return f"raw_{name}" if name in found else "NULL::VARCHAR"


def _ts_checks(cfg: AuditConfig) -> list[_Check]:
    return [
        _Check("ts:unparseable", "ts IS NULL",
               f"'ts: expected Beijing time as yyyyMMddHHmmss or yyyy-MM-dd HH:mm:ss, got ' || {_quote('raw_ts')}"),
        _Check("ts:out_of_range", f"ts NOT BETWEEN {cfg.min_ts_ms} AND {cfg.max_ts_ms}",
               f"'ts: expected a time between 2000 and 2100, got ' || {_quote('raw_ts')}"),
    ]  # fmt: skip


def _id_check() -> _Check:
    got = _quote("raw_subscriber_id")
    return _Check("subscriber_id:invalid", "subscriber_id IS NULL",
                  f"'subscriber_id: expected a phone number or numeric id, got ' || {got}")  # fmt: skip


def convert_cdr(path: Path, out: Path, rejected: Path, *, encoding: str = "auto", unit: str | None = None,
                cfg: AuditConfig | None = None, limits: ExportLimits | None = None) -> ConvertReport:  # fmt: skip
    """A 话单 CSV export → canonical events Parquet (`out`) and quarantined rows (`rejected`, when any).

    `unit` (b, kb, mb) is the volume unit when the headers do not say it (e.g. '上行流量(KB)'); `bytes` otherwise.
    InputError when the file is unreadable or a needed column is missing.
    """
    import pyarrow as pa

    cfg, limits = cfg or AuditConfig(), limits or ExportLimits()
    enc = _detect_encoding(path, encoding)
    header = _header(path, enc, limits)
    found = _map_columns(header, CDR_ALIASES)
    volumes = [f for f in ("up", "down", "total") if f in found]
    missing = [f for f in ("subscriber_id", "ts", "plan_id") if f not in found]
    if missing or not volumes:
        need = missing + ([] if volumes else ["上行流量/下行流量 or 总流量"])
        raise InputError(str(path), f"cdr: missing column(s) {need}; found {header}")
    if unit is not None and unit.lower() not in UNITS:
        raise InputError(str(path), f"unit: expected one of {sorted(UNITS)}, got {unit!r}")
    scale = {f: UNITS[(found[f][1] or unit or "b").lower()] for f in volumes}
    raw_fields = list(found)
    # Up + down when split (either may be empty), else the total.
    split = [f for f in ("up", "down") if f in found]
    if split:
        parts = [f"coalesce({volume_sql(f'raw_{f}', scale[f])}, 0)" for f in split]
        bytes_sql = " + ".join(parts)
        unreadable = " OR ".join(
            f"(nullif(trim(raw_{f}), '') IS NOT NULL AND {volume_sql(f'raw_{f}', scale[f])} IS NULL)" for f in split
        )
        empty = " AND ".join(f"nullif(trim(raw_{f}), '') IS NULL" for f in split)
        bad_volume = f"({unreadable}) OR ({empty})"
        shown = " || '/' || ".join(_quote(f"raw_{f}") for f in split)
        volume_label = "/".join(header[found[f][0]] for f in split)
    else:
        bytes_sql = volume_sql("raw_total", scale["total"])
        bad_volume = "bytes IS NULL"
        shown = _quote("raw_total")
        volume_label = header[found["total"][0]]
    typed = (
        f"SELECT {phone_sql('raw_subscriber_id')} AS subscriber_id, {time_sql('raw_ts')} AS ts, "
        f"{bytes_sql} AS bytes, nullif(trim(raw_plan_id), '') AS plan_id, origin_row, line_problem, "
        f"{', '.join(f'raw_{f}' for f in raw_fields)} FROM raw"
    )
    checks = [
        _id_check(), *_ts_checks(cfg),
        _Check("bytes:not_number", bad_volume,
               f"'bytes: expected a volume ({volume_label}) >= 0, got ' || {shown}"),
        _Check("bytes:negative", "bytes < 0", "'bytes: expected >= 0, got ' || bytes"),
        _Check("bytes:absurd", f"bytes > {cfg.max_event_bytes}",
               f"'bytes: expected at most {cfg.max_event_bytes} per record, got ' || bytes"),
        _Check("plan_id:empty", "plan_id IS NULL", "'plan_id: expected a plan code, got empty'"),
    ]  # fmt: skip
    report = ConvertReport("events", out, path, encoding=enc, columns={f: header[i] for f, (i, _) in found.items()})
    writer = _Writer(out, rejected, path, raw_fields)
    order = [found[f][0] for f in raw_fields]
    try:
        for rows, numbers in _batches(path, enc, limits, len(header)):
            picked = [[r[i] for i in order] + [r[-1]] for r in rows]
            report.rows += len(rows)
            report.written += writer.batch(picked, numbers, typed, checks)
    finally:
        fields: list[tuple[str, pa.DataType]] = [
            ("subscriber_id", pa.int64()), ("ts", pa.int64()), ("bytes", pa.int64()), ("plan_id", pa.string()),
            ("origin_row", pa.int64()), ("origin_file", pa.string()),
        ]  # fmt: skip
        schema = pa.schema(fields)
        writer.close(schema)
    return _finish(report, writer, rejected)


def _finish(report: ConvertReport, writer: _Writer, rejected: Path) -> ConvertReport:
    report.rejected = writer.rejected
    report.rejected_by_problem = dict(sorted(writer.by_problem.items()))
    report.rejected_path = rejected if writer.rejected else None
    return report


def threshold_sql(content: str) -> str:
    """The fraction of the quota an SMS announces, from its text (NULL: not a usage reminder)."""
    used = f"try_cast(nullif(regexp_extract({content}, '{USED_RE}', 1), '') AS DOUBLE) / 100"
    left = f"1 - try_cast(nullif(regexp_extract({content}, '{LEFT_RE}', 1), '') AS DOUBLE) / 100"
    full = f"CASE WHEN regexp_matches({content}, '{FULL_RE}') THEN 1.0 END"
    return f"round(coalesce({used}, {left}, {full}), 6)"


def unit_price_sql(content: str) -> str:
    """The overage unit price stated in the SMS, in yuan per GB (NULL: none stated)."""
    per = f"regexp_extract({content}, '{PRICE_PER_RE}', ['price', 'unit'])"
    each = f"regexp_extract({content}, '{PRICE_EACH_RE}', ['unit', 'price'])"
    to_gb = "CASE upper(left({0}.unit, 1)) WHEN 'G' THEN 1 WHEN 'M' THEN 1024 WHEN 'K' THEN 1048576 END"
    return (f"coalesce(try_cast(nullif({per}.price, '') AS DOUBLE) * {to_gb.format(per)}, "
            f"try_cast(nullif({each}.price, '') AS DOUBLE) * {to_gb.format(each)})")  # fmt: skip


def convert_sms(path: Path, out: Path, rejected: Path, *, encoding: str = "auto", cfg: AuditConfig | None = None,
                limits: ExportLimits | None = None) -> ConvertReport:  # fmt: skip
    """An SMS-gateway log CSV → canonical reminders Parquet, threshold and unit price read from the text.

    Messages that announce no usage threshold are quarantined (`content:no_threshold`), never dropped.
    `stats`: overage notices (threshold >= 1) and how many of them state the unit price.
    """
    import pyarrow as pa

    cfg, limits = cfg or AuditConfig(), limits or ExportLimits()
    enc = _detect_encoding(path, encoding)
    header = _header(path, enc, limits)
    found = _map_columns(header, SMS_ALIASES)
    missing = [f for f in SMS_ALIASES if f not in found]
    if missing:
        raise InputError(str(path), f"sms: missing column(s) {missing}; found {header}")
    raw_fields = list(found)
    typed = (
        f"SELECT {phone_sql('raw_subscriber_id')} AS subscriber_id, {time_sql('raw_ts')} AS ts, "
        f"{threshold_sql('raw_content')} AS threshold, {unit_price_sql('raw_content')} AS unit_price_yuan_per_gb, "
        f"origin_row, line_problem, {', '.join(f'raw_{f}' for f in raw_fields)} FROM raw"
    )
    checks = [
        _id_check(), *_ts_checks(cfg),
        _Check("content:no_threshold", "threshold IS NULL",
               f"'content: no usage threshold (such as 80% or 已用完) in the message: ' || {_quote('raw_content')}"),
        _Check("content:threshold_out_of_range", f"threshold <= 0 OR threshold > {cfg.max_threshold}",
               f"'content: expected a share of the quota in (0, {cfg.max_threshold}], got ' || threshold"),
    ]  # fmt: skip
    stated = "unit_price_yuan_per_gb IS NOT NULL"
    speed = f"regexp_matches(raw_content, '{SPEED_RE}')"
    final = (f"SELECT subscriber_id, ts, threshold, {stated} AS states_unit_price, unit_price_yuan_per_gb, "
             f"{speed} AS states_speed_terms, origin_row, line_problem, "
             "* EXCLUDE (subscriber_id, ts, threshold, unit_price_yuan_per_gb, origin_row, line_problem) "
             f"FROM ({typed})")  # fmt: skip
    report = ConvertReport("reminders", out, path, encoding=enc, columns={f: header[i] for f, (i, _) in found.items()})
    writer = _Writer(out, rejected, path, raw_fields)
    order = [found[f][0] for f in raw_fields]
    try:
        for rows, numbers in _batches(path, enc, limits, len(header)):
            picked = [[r[i] for i in order] + [r[-1]] for r in rows]
            report.rows += len(rows)
            report.written += writer.batch(picked, numbers, final, checks)
            if len(report.examples) < MAX_EXAMPLES:
                valid = " OR ".join(f"bad_{i}" for i in range(len(checks) + 1))  # + the line check
                report.examples += writer.con.execute(
                    f"SELECT origin_row, left(raw_content, 300) FROM typed WHERE NOT ({valid}) AND threshold >= 1 "
                    f"AND NOT states_unit_price ORDER BY origin_row LIMIT {MAX_EXAMPLES - len(report.examples)}"
                ).fetchall()
    finally:
        fields: list[tuple[str, pa.DataType]] = [
            ("subscriber_id", pa.int64()), ("ts", pa.int64()), ("threshold", pa.float64()),
            ("states_unit_price", pa.bool_()), ("unit_price_yuan_per_gb", pa.float64()),
            ("states_speed_terms", pa.bool_()), ("origin_row", pa.int64()), ("origin_file", pa.string()),
        ]  # fmt: skip
        schema = pa.schema(fields)
        writer.close(schema)
    report.stats = overage_stats(out)
    return _finish(report, writer, rejected)


def overage_stats(reminders: Path) -> dict[str, int]:
    """Overage notices (threshold >= 1) in a converted reminders file and how many state the unit price / speed."""
    import duckdb

    from ganzhi.collect.usage.sources import sql_str

    row = (
        duckdb.connect()
        .execute(
            "SELECT count(*) FILTER (WHERE threshold >= 1), "
            "count(*) FILTER (WHERE threshold >= 1 AND states_unit_price), "
            "count(*) FILTER (WHERE threshold >= 1 AND states_speed_terms) "
            f"FROM read_parquet({sql_str(str(reminders))})"
        )
        .fetchone()
    )
    names = ("overage_notices", "overage_notices_with_unit_price", "overage_notices_with_speed_terms")
    return {name: int(row[i]) if row else 0 for i, name in enumerate(names)}


def overage_evidence(report: ConvertReport, subject_id: str) -> Any:
    """`usage_overage_notices` evidence for the check `t1_usage_overage_notice` from an SMS conversion."""
    from ganzhi.evidence.base import Evidence, Subject
    from ganzhi.evidence.usage_audit import SUBJECT_TYPE, OverageNoticeExample, UsageOverageNotices

    payload = UsageOverageNotices(
        messages=report.rows, reminders=report.written, notices=report.stats.get("overage_notices", 0),
        with_unit_price=report.stats.get("overage_notices_with_unit_price", 0),
        with_speed_terms=report.stats.get("overage_notices_with_speed_terms", 0),
        examples_without_price=[OverageNoticeExample(file=str(report.source), row=int(r), text=str(t))
                                for r, t in report.examples],
    )  # fmt: skip
    return Evidence.of(payload, Subject(type=SUBJECT_TYPE, id=subject_id), source=str(report.source))
