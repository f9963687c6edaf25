"""Read broadband contracts and speed-test results from CSV into evidence.

Contracts: one row per line with `线路/line_id`, `合同编号/contract_id`, `下行速率/down`, `上行速率/up`
(cells such as '1000M', '1000Mbps', '1G'; rates may instead be written in `合同条款/contract_text`,
e.g. '下行理论速率1000Mbps，上行理论速率50Mbps'), `接入方式/access` and `告知内容/disclosure_text`.
Speed tests: `line_id, started_at, download_mbps, upload_mbps, connection (wired|wifi), server, errors`.
Every bad cell becomes a `RowProblem` (`ganzhi.errors`) naming file, row and field; the row is kept when it
still makes sense. Files are decoded as the other importers decode text (BOM, UTF-8, GB18030, then charset
detection: `collect.policy.ingest.decode_bytes`), and each file is read inside one boundary
(`collect.bounded.guard`), so a library failure becomes an `InputError` naming the file. `Loaded` counts
the rows kept and the rows rejected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from ganzhi.collect.bounded import guard
from ganzhi.collect.policy.ingest import decode_bytes
from ganzhi.errors import InputError, RowProblem
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.broadband_contract import SUBJECT_TYPE, BroadbandContract
from ganzhi.evidence.speedtest import EnvironmentFacts, SpeedtestResult

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
#: Characters of a line id (the evidence subject id holds at most 512).
_MAX_ID = 512
#: One rate in a cell or clause: a number and its unit ('1000M', '1 Gbps', '300兆', '1000M光宽带'); Latin units end
#: where Latin letters end, so a CJK word may follow ('1000M光宽带', '50M上行').
_RATE = re.compile(r"(\d+(?:\.\d+)?)\s*(Gbps|Mbps|Gbit/s|Mbit/s|G|M|兆)(?![A-Za-z])", re.IGNORECASE)
_BARE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*")
_RATE_WORDS = {"万兆": 10_000.0, "千兆": 1000.0, "百兆": 100.0}
_DIRECTION = {"down": "下行", "up": "上行"}
#: A direction word and the rate it governs: '下行理论速率最高1000Mbps', '上行50M'; or the rate first: '200M（下行）'.
_ONE_RATE = r"(\d+(?:\.\d+)?\s*(?:Gbps|Mbps|Gbit/s|Mbit/s|G|M|兆)(?![A-Za-z])|[万千百]兆)"
_TEXT_RATE = {
    key: (
        re.compile(word + r"[^0-9，。；,;（）()]{0,10}?" + _ONE_RATE, re.IGNORECASE),
        re.compile(_ONE_RATE + r"\s*[（(]?\s*" + word, re.IGNORECASE),
    )
    for key, word in _DIRECTION.items()
}
#: A rate sold as the line's product ('500M宽带', '千兆光宽带'): the downlink when no direction is named.
_PRODUCT_RATE = re.compile(_ONE_RATE + r"\s*(?:光纤|光|FTTH|FTTR)?\s*宽带", re.IGNORECASE)
_CONTRACT_COLUMNS = {
    "line_id": ("line_id", "线路", "线路编号", "宽带账号", "账号", "宽带号码", "用户账号", "接入号"),
    "contract_id": ("contract_id", "合同编号", "合同号", "协议编号"),
    "down": ("down", "down_mbps", "下行速率", "下行理论速率", "签约下行", "下行带宽", "下行"),
    "up": ("up", "up_mbps", "上行速率", "上行理论速率", "签约上行", "上行带宽", "上行"),
    "access": ("access", "接入方式", "接入类型"),
    "contract_text": ("contract_text", "合同条款", "合同内容", "协议条款"),
    "disclosure_text": ("disclosure_text", "告知内容", "影响因素告知", "网速影响告知", "告知事项", "温馨提示"),
}
_SPEEDTEST_COLUMNS = {
    "line_id": _CONTRACT_COLUMNS["line_id"],
    "started_at": ("started_at", "测速时间", "开始时间", "测试时间", "时间"),
    "download_mbps": ("download_mbps", "下载速率", "下行速率", "下载", "下行"),
    "upload_mbps": ("upload_mbps", "上传速率", "上行速率", "上传", "上行"),
    "connection": ("connection", "连接方式", "连接类型", "网络连接", "终端连接"),
    "server": ("server", "测速节点", "测速服务器", "服务器", "节点"),
    "errors": ("errors", "异常", "错误", "失败原因"),
}
#: Connection words of speed-test exports → the evidence's vocabulary.
_CONNECTION = {"wired": ("wired", "有线", "网线", "lan", "ethernet", "以太网", "有线连接"),
               "wifi": ("wifi", "wi-fi", "wlan", "无线", "无线连接", "无线网络")}  # fmt: skip
_HEADER_JUNK = re.compile(r"[\s_（）()\[\]【】:：/]+|mbps|mbit/s|m$", re.IGNORECASE)


def _key(header: str) -> str:
    return _HEADER_JUNK.sub("", header.strip().lower())


def map_columns(headers: list[str], spec: dict[str, tuple[str, ...]]) -> tuple[dict[str, str], list[str]]:
    """Header → field: an exact spelling first, else the longest spelling it contains ('签约下行(Mbps)' → down);
    the headers no field claims are returned so the caller can name them."""
    spellings = sorted(((_key(n), fld) for fld, names in spec.items() for n in names), key=lambda p: -len(p[0]))
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for header in headers:
        key = _key(header or "")
        fld = next((f for n, f in spellings if key == n), None) or next(
            (f for n, f in spellings if len(n) >= 2 and n in key), None
        )
        if fld is None:
            if key:
                unknown.append(header)
        else:
            mapping[header] = fld
    return mapping, unknown


def _cells(row: dict[str, str], mapping: dict[str, str], fields: dict[str, tuple[str, ...]]) -> dict[str, str]:
    cells = dict.fromkeys(fields, "")
    for header, fld in mapping.items():
        value = (row.get(header) or "").strip()
        if value and not cells[fld]:
            cells[fld] = value
    return cells


def connection_of(text: str) -> str | None:
    """'wired' / 'wifi' for the usual spellings (有线, 网线, LAN, Wi-Fi, 无线 …); None when unknown or empty."""
    key = text.strip().lower()
    return next((conn for conn, words in _CONNECTION.items() if key in words), None)


def parse_started(text: str) -> dt.datetime:
    """A test time from ISO 8601 or the usual export forms ('2025/04/01 20:10', '2025年4月1日 20:10')."""
    clean = text.strip().replace("/", "-")
    zh = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(.*)", clean)
    if zh:
        clean = f"{zh.group(1)}-{int(zh.group(2)):02d}-{int(zh.group(3)):02d} {zh.group(4)}".strip()
    parts = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(.*)", clean)
    if parts:
        clean = f"{parts.group(1)}-{int(parts.group(2)):02d}-{int(parts.group(3)):02d}{parts.group(4)}"
    return dt.datetime.fromisoformat(clean)


@dataclass(slots=True)
class Loaded:
    """Evidence read from a file, the problems met, and how many rows were rejected."""

    source: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rejected: int = 0

    @property
    def accepted(self) -> int:
        """Rows kept (one evidence item each)."""
        return len(self.evidence)

    @property
    def warnings(self) -> int:
        """Problems that kept their row, with a doubt."""
        return sum(1 for p in self.problems if p.level == "warning")

    def problem(
        self, row: int | None, fld: str | None, message: str, level: Literal["error", "warning"] = "error"
    ) -> None:
        """Record a problem at `row` (1-based, the header is row 1) and `fld`."""
        self.problems.append(RowProblem(self.source, row, fld, message, level=level))

    def reject(self, row: int, fld: str | None, message: str) -> None:
        """Record that `row` is not kept, and why."""
        self.problem(row, fld, message)
        self.rejected += 1

    def invalid(self, row: int, exc: ValidationError) -> None:
        """A row whose values the evidence model refused (each refused field named); the row is not kept."""
        for err in exc.errors():
            got = repr(err.get("input"))
            self.problem(row, ".".join(map(str, err["loc"])), f"{err['msg']} (got {got[:200]})")
        self.rejected += 1


def rate_mbps(text: str, direction: str | None = None) -> float:
    """Mbit/s from a rate cell: '1000M', '1000Mbps', '1 Gbps', '1G', '千兆', '300兆', '1000M光宽带', '上行50M',
    '200Mbps（下行）', a bare number (Mbit/s); a cell naming both directions is read for `direction`.
    ValueError naming the text when no rate is there."""
    clean = text.strip().replace("\u3000", " ")
    if direction is not None:
        stated = rates_in_text(clean)
        if direction in stated:
            return stated[direction]
    bare = _BARE.fullmatch(clean)
    if bare:
        return float(bare.group(1))
    match = _RATE.search(clean)
    if match:
        value = float(match.group(1))
        return value * 1000 if match.group(2).lower() in {"g", "gbps", "gbit/s"} else value
    word = next((mbps for w, mbps in _RATE_WORDS.items() if w in clean), None)
    if word is not None:
        return word
    raise ValueError(f"expected a rate such as '1000Mbps', got {text!r}")


def rates_in_text(text: str) -> dict[str, float]:
    """Uplink/downlink rates written in contract text ('下行理论速率1000Mbps，上行理论速率50Mbps', '500M宽带
    （上行40M）'); a product rate with no direction ('500M宽带') is the downlink."""
    found: dict[str, float] = {}
    for direction, patterns in _TEXT_RATE.items():
        for pattern in patterns:
            match = pattern.search(text)
            if match:
                found[direction] = rate_mbps(match.group(1))
                break
    if "down" not in found:
        product = _PRODUCT_RATE.search(text)
        if product and not re.search(r"上行\s*$", text[: product.start()]):
            found["down"] = rate_mbps(product.group(1))
    return found


def _rows(path: Path) -> list[dict[str, str]]:
    """The CSV's rows keyed by header, decoded like every text input; `InputError` when it cannot be read."""
    if not path.is_file():
        raise InputError(str(path), "file not found (or not a regular file)")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(str(path), f"larger than {MAX_BYTES} bytes")
    text = decode_bytes(path.read_bytes(), str(path))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[dict[str, str]] = []
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise InputError(str(path), f"more than {MAX_ROWS} rows; split the file")
            rows.append({str(k): v if isinstance(v, str) else "" for k, v in row.items() if k is not None})
    except csv.Error as exc:
        raise InputError(str(path), f"line {reader.line_num}: not readable CSV ({exc})") from None
    return rows


def load_contracts(path: Path) -> Loaded:
    """`broadband_contract` evidence, one per row with a line id."""
    with guard(str(path), what="cannot read the contracts"):  # the boundary: no library error escapes
        return _load_contracts(path)


def _line_rows(
    path: Path, columns: dict[str, tuple[str, ...]], loaded: Loaded
) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(row number, where, cells) of every row with a usable line id; the others are rejected in `loaded`."""
    rows = _rows(path)
    mapping, unknown = map_columns(list(rows[0]) if rows else [], columns)
    if rows and "line_id" not in mapping.values():
        raise InputError(str(path), f"no line id column; expected one of {columns['line_id']}")
    if unknown:
        loaded.problem(1, None, f"unrecognised columns ignored: {unknown}", "warning")
    for number, row in enumerate(rows, start=2):
        cells = _cells(row, mapping, columns)
        line = cells["line_id"]
        if not line:
            loaded.reject(number, "line_id", "empty; row skipped")
        elif len(line) > _MAX_ID:
            loaded.reject(number, "line_id", f"{len(line)} characters; at most {_MAX_ID}")
        else:
            yield number, f"{path}, row {number}", cells


def _load_contracts(path: Path) -> Loaded:
    loaded = Loaded(source=str(path))
    for number, where, cells in _line_rows(path, _CONTRACT_COLUMNS, loaded):
        in_text = rates_in_text(cells["contract_text"])
        rates: dict[str, float | None] = {}
        for direction in ("down", "up"):
            raw = cells[direction]
            try:
                rates[direction] = rate_mbps(raw, direction) if raw else in_text.get(direction)
            except ValueError as exc:
                loaded.problem(number, direction, str(exc))
                rates[direction] = in_text.get(direction)
        try:
            contract = BroadbandContract(
                contract_id=cells["contract_id"] or cells["line_id"], row=where, down_mbps=rates["down"],
                up_mbps=rates["up"], access=cells["access"] or None, contract_text=cells["contract_text"],
                disclosure_text=cells["disclosure_text"],
            )  # fmt: skip
        except ValidationError as exc:
            loaded.invalid(number, exc)
            continue
        subject = Subject(type=SUBJECT_TYPE, id=cells["line_id"])
        loaded.evidence.append(Evidence.of(contract, subject, source=where))
    return loaded


def load_speedtests(path: Path) -> Loaded:
    """`speedtest_result` evidence from a CSV of runs (the probe's own output or an import)."""
    with guard(str(path), what="cannot read the speed tests"):  # the boundary: no library error escapes
        return _load_speedtests(path)


def _load_speedtests(path: Path) -> Loaded:
    loaded = Loaded(source=str(path))
    for number, where, row in _line_rows(path, _SPEEDTEST_COLUMNS, loaded):
        line = row["line_id"]
        try:
            started = parse_started(row["started_at"])
        except ValueError:
            loaded.reject(number, "started_at", f"expected ISO 8601, got {row['started_at'][:80]!r}")
            continue
        values: dict[str, float | None] = {}
        for key in ("download_mbps", "upload_mbps"):
            text = row[key]
            try:
                values[key] = float(text) if text else None
            except ValueError:
                loaded.problem(number, key, f"expected a number, got {text[:80]!r}")
                values[key] = None
        connection = connection_of(row["connection"])
        if row["connection"] and connection is None:
            loaded.problem(number, "connection", f"unknown connection {row['connection'][:80]!r} (expected "
                           "wired/有线 or wifi/无线); the test is kept as unknown", "warning")  # fmt: skip
        errors = [e for e in row["errors"].split(";") if e.strip()]
        try:
            result = SpeedtestResult(
                server=row["server"] or "imported", started_at=started,
                download_mbps=values["download_mbps"], upload_mbps=values["upload_mbps"], errors=errors,
                environment=EnvironmentFacts.model_validate({"connection": connection}),
            )  # fmt: skip
        except ValidationError as exc:
            loaded.invalid(number, exc)
            continue
        loaded.evidence.append(Evidence.of(result, Subject(type=SUBJECT_TYPE, id=line), source=where))
    return loaded
