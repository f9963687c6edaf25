"""Read broadband contracts and speed-test results from CSV into evidence.

Contracts: one row per line with `线路/line_id`, `合同编号/contract_id`, `下行速率/down`, `上行速率/up`
(cells such as '1000M', '1000Mbps', '1G'; rates may instead be written in `合同条款/contract_text`,
e.g. '下行理论速率1000Mbps，上行理论速率50Mbps'), `接入方式/access` and `告知内容/disclosure_text`.
Speed tests: `line_id, started_at, download_mbps, upload_mbps, connection (wired|wifi), server, errors`.
Every bad cell becomes a problem naming file, row and field; the row is kept when it still makes sense.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ganzhi.errors import InputError
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.broadband_contract import SUBJECT_TYPE, BroadbandContract
from ganzhi.evidence.speedtest import EnvironmentFacts, SpeedtestResult

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
_RATE = re.compile(r"(\d+(?:\.\d+)?)\s*(Gbps|Mbps|G|M|兆|千兆|百兆)?", re.IGNORECASE)
_TEXT_RATE = {
    "down": re.compile(r"下行[^0-9，。；,;]{0,8}?(\d+(?:\.\d+)?)\s*(Gbps|Mbps|G|M|兆)", re.IGNORECASE),
    "up": re.compile(r"上行[^0-9，。；,;]{0,8}?(\d+(?:\.\d+)?)\s*(Gbps|Mbps|G|M|兆)", re.IGNORECASE),
}
_CONTRACT_COLUMNS = {
    "line_id": ("line_id", "线路", "宽带账号", "账号"),
    "contract_id": ("contract_id", "合同编号"),
    "down": ("down", "down_mbps", "下行速率", "下行理论速率"),
    "up": ("up", "up_mbps", "上行速率", "上行理论速率"),
    "access": ("access", "接入方式"),
    "contract_text": ("contract_text", "合同条款"),
    "disclosure_text": ("disclosure_text", "告知内容", "影响因素告知"),
}


@dataclass(slots=True)
class Loaded:
    """Evidence read from a file and the problems met."""

    evidence: list[Evidence] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def rate_mbps(text: str) -> float:
    """Mbit/s from '1000M', '1000Mbps', '1G', '千兆'; ValueError naming the text otherwise."""
    clean = text.strip()
    if clean in {"千兆", "千兆宽带"}:
        return 1000.0
    match = _RATE.fullmatch(clean.replace(" ", ""))
    if not match:
        raise ValueError(f"expected a rate such as '1000Mbps', got {text!r}")
    value = float(match.group(1))
    unit = (match.group(2) or "").lower()
    return value * 1000 if unit in {"g", "gbps"} else value


def rates_in_text(text: str) -> dict[str, float]:
    """Uplink/downlink rates written in contract text ('下行理论速率1000Mbps，上行理论速率50Mbps')."""
    found: dict[str, float] = {}
    for direction, pattern in _TEXT_RATE.items():
        match = pattern.search(text)
        if match:
            found[direction] = rate_mbps(match.group(1) + match.group(2))
    return found


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise InputError(str(path), "file not found (or not a regular file)")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(str(path), f"larger than {MAX_BYTES} bytes")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if len(rows) > MAX_ROWS:
        raise InputError(str(path), f"{len(rows)} rows; at most {MAX_ROWS} are read")
    return rows


def _pick(row: dict[str, str], names: tuple[str, ...]) -> str:
    return next(((row.get(n) or "").strip() for n in names if (row.get(n) or "").strip()), "")


def load_contracts(path: Path) -> Loaded:
    """`broadband_contract` evidence, one per row with a line id."""
    loaded = Loaded()
    rows = _rows(path)
    header = set(rows[0]) if rows else set()
    if rows and not header & set(_CONTRACT_COLUMNS["line_id"]):
        raise InputError(str(path), f"no line id column; expected one of {_CONTRACT_COLUMNS['line_id']}")
    for number, row in enumerate(rows, start=2):
        where = f"{path}, row {number}"
        cells = {key: _pick(row, names) for key, names in _CONTRACT_COLUMNS.items()}
        if not cells["line_id"]:
            loaded.problems.append(f"{where}, field line_id: empty; row skipped")
            continue
        in_text = rates_in_text(cells["contract_text"])
        rates: dict[str, float | None] = {}
        for direction in ("down", "up"):
            raw = cells[direction]
            try:
                rates[direction] = rate_mbps(raw) if raw else in_text.get(direction)
            except ValueError as exc:
                loaded.problems.append(f"{where}, field {direction}: {exc}")
                rates[direction] = in_text.get(direction)
        try:
            contract = BroadbandContract(
                contract_id=cells["contract_id"] or cells["line_id"], row=where, down_mbps=rates["down"],
                up_mbps=rates["up"], access=cells["access"] or None, contract_text=cells["contract_text"],
                disclosure_text=cells["disclosure_text"],
            )  # fmt: skip
        except ValidationError as exc:
            for err in exc.errors():
                loaded.problems.append(f"{where}, field {'.'.join(map(str, err['loc']))}: {err['msg']} "
                                       f"(got {err.get('input')!r})")  # fmt: skip
            continue
        subject = Subject(type=SUBJECT_TYPE, id=cells["line_id"])
        loaded.evidence.append(Evidence.of(contract, subject, source=where))
    return loaded


def load_speedtests(path: Path) -> Loaded:
    """`speedtest_result` evidence from a CSV of runs (the probe's own output or an import)."""
    loaded = Loaded()
    for number, row in enumerate(_rows(path), start=2):
        where = f"{path}, row {number}"
        line = (row.get("line_id") or "").strip()
        if not line:
            loaded.problems.append(f"{where}, field line_id: empty; row skipped")
            continue
        try:
            started = dt.datetime.fromisoformat((row.get("started_at") or "").strip())
        except ValueError:
            loaded.problems.append(f"{where}, field started_at: expected ISO 8601, got {row.get('started_at')!r}")
            continue
        values: dict[str, float | None] = {}
        for key in ("download_mbps", "upload_mbps"):
            raw = (row.get(key) or "").strip()
            try:
                values[key] = float(raw) if raw else None
            except ValueError:
                loaded.problems.append(f"{where}, field {key}: expected a number, got {raw!r}")
                values[key] = None
        connection = (row.get("connection") or "").strip().lower() or None
        errors = [e for e in (row.get("errors") or "").split(";") if e.strip()]
        try:
            result = SpeedtestResult(
                server=(row.get("server") or "imported").strip() or "imported", started_at=started,
                download_mbps=values["download_mbps"], upload_mbps=values["upload_mbps"], errors=errors,
                environment=EnvironmentFacts.model_validate({"connection": connection}),
            )  # fmt: skip
        except ValidationError as exc:
            for err in exc.errors():
                loaded.problems.append(f"{where}, field {'.'.join(map(str, err['loc']))}: {err['msg']} "
                                       f"(got {err.get('input')!r})")  # fmt: skip
            continue
        loaded.evidence.append(Evidence.of(result, Subject(type=SUBJECT_TYPE, id=line), source=where))
    return loaded
