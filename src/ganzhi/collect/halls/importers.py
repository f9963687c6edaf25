"""Import a hall registry (XLSX, CSV, JSON) into typed `Hall` records, one error record per bad row.

Columns are matched by the Chinese or English names registries and published lists use (see `COLUMNS`);
a list without a recognised name or address column has it recognised by content (cells ending in 营业厅,
cells reading as addresses). Cells are read as operators word them: 支持 / 暂停办理 / √ for yes/no, a
company name (中国移动通信集团江苏有限公司) or the hall name (中国移动南京新街口营业厅) for the operator,
and a registry row without an adcode takes its county from an address that names it unambiguously.

A row with a bad adcode, coordinates outside China, only one of lat/lon, a duplicate hall id or an
operator that cannot be read is rejected with a `RowProblem` (`ganzhi.errors`) naming the file, the row,
the field, the expected and the actual value; the other rows go on. A published-list entry whose operator
cannot be read is kept with operator `unknown` and a warning, so the checks can say they cannot tell
rather than count the entry as missing. A hall without coordinates is placed at its county's centroid
(cpca data), and says so. A value longer than the evidence allows (a 300-character hall name) is a rejected
row like any other. Each public entry (`import_halls`, `import_public_list`) reads its file inside one
boundary (`collect.bounded.guard`): a library failure becomes an `InputError` naming the file.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ganzhi.collect.bounded import guard
from ganzhi.collect.halls.headers import read_table
from ganzhi.collect.halls.tables import Row, parse_date, parse_float, pick
from ganzhi.collect.halls.wording import operator_in_text, yes_no
from ganzhi.errors import InputError, RowProblem
from ganzhi.evidence.halls import OPERATOR_NAMES, UNKNOWN_OPERATOR, Hall, HallPublicList, PublishedHall
from ganzhi.rules.regions.address import county_from_address
from ganzhi.rules.regions.divisions import Divisions
from ganzhi.rules.regions.geo import coordinate_problem

COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "hall_id", "营业厅编号", "编号", "厅店编码", "营业厅编码", "网点编码", "渠道编码"),
    "operator": ("operator", "运营商", "企业", "运营商名称", "所属运营商", "企业名称", "所属企业", "carrier"),
    "name": (
        "name",
        "hall_name",
        "营业厅名称",
        "名称",
        "厅店名称",
        "网点名称",
        "营业厅",
        "厅名",
        "门店名称",
        "营业网点",
    ),
    "address": ("address", "地址", "营业厅地址", "详细地址", "厅店地址", "网点地址", "门店地址", "addr"),
    "adcode": ("adcode", "行政区划代码", "区划代码", "区县代码", "区划编码", "行政区划编码"),
    "lat": ("lat", "latitude", "纬度"),
    "lon": ("lon", "lng", "longitude", "经度"),
    "port_out": (
        "port_out",
        "supports_port_out",
        "携出",
        "可办理携出",
        "是否可办理携出",
        "是否支持携出",
        "携号转网（携出）",
        "是否可办理携号转网",
        "携号转网业务",
        "携转业务",
    ),
    "port_in": ("port_in", "supports_port_in", "携入", "可办理携入", "是否可办理携入", "是否支持携入"),
    "listed": ("listed", "public_list", "公示", "已公示", "是否公示"),
    "opened_on": ("opened_on", "opening_date", "开通日期", "开放日期"),
}

_OPERATOR_ALIASES: dict[str, str] = {
    **{code: code for code in OPERATOR_NAMES},
    **{name: code for code, name in OPERATOR_NAMES.items()},
    "移动": "china_mobile",
    "cmcc": "china_mobile",
    "china mobile": "china_mobile",
    "联通": "china_unicom",
    "cucc": "china_unicom",
    "china unicom": "china_unicom",
    "电信": "china_telecom",
    "ctcc": "china_telecom",
    "china telecom": "china_telecom",
    "广电": "china_broadnet",
    "cbn": "china_broadnet",
    "china broadnet": "china_broadnet",
}

_SAMPLE_ROWS = 50
_ALIASES = tuple(alias for names in COLUMNS.values() for alias in names)
#: Cell content that marks a column as hall names or addresses, when its header is not recognised.
_NAME_CONTENT = re.compile(r"(?:营业厅|营业部|服务厅|旗舰店|专营店|体验店|营业网点|服务中心|厅)$")
_ADDRESS_CONTENT = re.compile(r"(?:省|市|区|县|镇)\S*(?:路|街|道|巷|号|广场|大厦|中心)")


def operator_code(value: Any) -> str:
    """The operator code for a name or alias (中国移动, 移动, CMCC, china_mobile…) or a company name naming
    one operator (中国移动通信集团江苏有限公司); ValueError otherwise."""
    code = _OPERATOR_ALIASES.get(str(value).strip().lower()) or operator_in_text(value)
    if code is None:
        raise ValueError(
            f"expected one of {', '.join(OPERATOR_NAMES.values())} or {', '.join(OPERATOR_NAMES)} (got {value!r})"
        )
    return code


@dataclass(slots=True)
class HallImport:
    """Accepted halls and rejected rows of one registry file."""

    source: str
    halls: list[Hall] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """Rows kept as halls."""
        return len(self.halls)

    @property
    def rejected(self) -> int:
        """Rows not kept (each has one error record)."""
        return sum(1 for e in self.errors if e.level == "error")

    @property
    def placed_at_centroid(self) -> int:
        """Halls whose position is a centroid, not a surveyed coordinate."""
        return sum(1 for hall in self.halls if hall.location_source != "registry")


class _RowFault(Exception):
    def __init__(self, field_name: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def _field(row: Row, name: str, parse: Callable[[Any], Any], *, required: bool) -> Any:
    raw = pick(row, COLUMNS[name])
    if raw is None:
        if required:
            raise _RowFault(name, f"missing (expected a value in one of the columns {', '.join(COLUMNS[name])})")
        return None
    try:
        return parse(raw)
    except ValueError as exc:
        raise _RowFault(name, str(exc)) from None


def parse_flag(value: Any) -> bool:
    """A yes/no cell as operators write it (是, 支持, 可办理, 暂停办理, √…); ValueError otherwise."""
    flag = yes_no(value)
    if flag is None:
        raise ValueError(f"expected yes/no (是/否, 支持/暂不支持, 可办理/暂停办理, 1/0) (got {value!r})")
    return flag


def _adcode(row: Row, divisions: Divisions) -> str:
    raw = _field(
        row,
        "adcode",
        lambda v: str(int(v)) if isinstance(v, int | float) and not isinstance(v, bool) else str(v),
        required=False,
    )
    if raw is None:
        address = pick(row, COLUMNS["address"])
        found = county_from_address(str(address)) if address is not None else None
        if found is None:
            raise _RowFault(
                "adcode",
                "missing, and the address does not name its county unambiguously (expected a value in one of the "
                f"columns {', '.join(COLUMNS['adcode'])}, or an address with province or city and county)",
            )
        raw = found
    code = Divisions.normalise(raw)
    if code is None:
        raise _RowFault("adcode", f"expected a 6- or 12-digit administrative code (got {raw!r})")
    division = divisions.get(code)
    if division is None:
        raise _RowFault("adcode", f"unknown administrative code {raw!r} (not in {divisions.source})")
    if division.level != "county":
        raise _RowFault("adcode", f"expected a county-level code (got {raw!r}, a {division.level}: {division.name})")
    return code


def _position(row: Row, adcode: str, divisions: Divisions) -> tuple[float, float, str]:
    lat = _field(row, "lat", parse_float, required=False)
    lon = _field(row, "lon", parse_float, required=False)
    if (lat is None) != (lon is None):
        raise _RowFault("lat/lon", f"expected both latitude and longitude or neither (got lat={lat}, lon={lon})")
    if lat is not None and lon is not None:
        problem = coordinate_problem(lat, lon)
        if problem:
            raise _RowFault("lat/lon", problem)
        return lat, lon, "registry"
    placement = divisions.centroid(adcode)
    if placement is None:
        raise _RowFault("lat/lon", f"missing, and county {adcode} has no centroid in {divisions.source}")
    return placement.lat, placement.lon, placement.source


def _operator(row: Row) -> str:
    """The operator from its column, else from the hall name; a fault when neither names one."""
    if pick(row, COLUMNS["operator"]) is not None:
        code: str = _field(row, "operator", operator_code, required=True)
        return code
    found = operator_in_text(pick(row, COLUMNS["name"]) or "")
    if found is None:
        raise _RowFault(
            "operator",
            f"missing (expected a value in one of the columns {', '.join(COLUMNS['operator'])}, "
            "or a hall name naming the operator)",
        )
    return found


def _recognise_columns(rows: list[tuple[int, Row]]) -> dict[str, str]:
    """Unrecognised headers whose cells read as hall names or addresses, as {alias: header}."""
    found: dict[str, str] = {}
    sample = [row for _, row in rows[:_SAMPLE_ROWS]]
    for name, pattern in (("name", _NAME_CONTENT), ("address", _ADDRESS_CONTENT)):
        if any(pick(row, COLUMNS[name]) is not None for row in sample):
            continue
        headers = {k for row in sample for k in row if k != "__not_an_object__"} - set(found.values())
        for header in sorted(headers, key=str):
            values = [str(row[header]).strip() for row in sample if row.get(header) not in (None, "")]
            if values and sum(1 for v in values if pattern.search(v)) >= 0.8 * len(values):
                found[name] = header
                break
    return found


def _renamed(row: Row, recognised: dict[str, str]) -> Row:
    if not recognised:
        return row
    extra = {name: row[header] for name, header in recognised.items() if header in row}
    return {**row, **extra}


def _recognised_rows(rows: Iterator[tuple[int, Row]]) -> Iterator[tuple[int, Row]]:
    """The rows with columns recognised by content on the first `_SAMPLE_ROWS` rows; streams the rest."""
    head = list(itertools.islice(rows, _SAMPLE_ROWS))
    recognised = _recognise_columns(head)
    for number, row in itertools.chain(head, rows):
        yield number, _renamed(row, recognised)


def _hall(row: Row, divisions: Divisions) -> Hall:
    if "__not_an_object__" in row:
        raise _RowFault(None, f"expected an object (got {row['__not_an_object__']!r})")
    hall_id = _field(row, "id", lambda v: str(v).strip(), required=True)
    adcode = _adcode(row, divisions)
    lat, lon, source = _position(row, adcode, divisions)
    try:
        return Hall(
            id=hall_id,
            operator=_operator(row),
            name=_field(row, "name", str, required=True),
            address=_field(row, "address", str, required=False) or "",
            adcode=adcode,
            lat=lat,
            lon=lon,
            location_source=source,
            port_out=_field(row, "port_out", parse_flag, required=True),
            port_in=_field(row, "port_in", parse_flag, required=False) or False,
            listed=_field(row, "listed", parse_flag, required=False),
            opened_on=_field(row, "opened_on", parse_date, required=False),
        )
    except ValidationError as exc:
        raise _fault(exc) from None


def _fault(exc: ValidationError) -> _RowFault:
    """The first problem pydantic found, as a row fault naming the field (values too long, out of range…)."""
    first = exc.errors()[0]
    return _RowFault(".".join(map(str, first["loc"])) or None, str(first["msg"]))


def import_halls(path: Path, divisions: Divisions) -> HallImport:
    """Read a registry file; InputError only when the file as a whole cannot be read."""
    result = HallImport(source=str(path))
    seen: dict[str, int] = {}
    with guard(str(path), what="cannot read the hall registry"):  # the boundary: no library error escapes
        for number, row in _recognised_rows(read_table(path, json_key="halls", aliases=_ALIASES)):
            try:
                hall = _hall(row, divisions)
            except _RowFault as fault:
                result.errors.append(RowProblem(str(path), number, fault.field, fault.message))
                continue
            if hall.id in seen:
                message = f"duplicate hall id {hall.id[:128]!r} (first on row {seen[hall.id]}); expected unique ids"
                result.errors.append(RowProblem(str(path), number, "id", message))
                continue
            seen[hall.id] = number
            result.halls.append(hall)
    return result


def import_public_list(path: Path) -> tuple[HallPublicList, list[RowProblem]]:
    """Read an operator's published hall list (id and operator optional; a hall name required).

    Without an operator column the operator is read from the hall name; an entry naming none is kept
    with operator `unknown` and a warning (the hall evidence builder matches it to the registry by name).
    """
    entries: list[PublishedHall] = []
    errors: list[RowProblem] = []
    with guard(str(path), what="cannot read the published hall list"):  # the boundary: no library error escapes
        for number, row in _recognised_rows(read_table(path, json_key="halls", aliases=_ALIASES)):
            try:
                entries.append(_published(row, path, number, errors))
            except _RowFault as fault:
                errors.append(RowProblem(str(path), number, fault.field, fault.message))
    rejected = sum(1 for e in errors if e.level == "error")
    return HallPublicList(entries=entries, rejected_rows=rejected), errors


def _published(row: Row, path: Path, number: int, errors: list[RowProblem]) -> PublishedHall:
    """One published entry; a value the evidence cannot hold (a name over 256 characters) is a row fault."""
    if "__not_an_object__" in row:
        raise _RowFault(None, "expected an object")
    port_out = _field(row, "port_out", parse_flag, required=False)
    raw_id = pick(row, COLUMNS["id"])
    name = _field(row, "name", str, required=True)
    try:
        operator = _operator(row)
    except _RowFault:
        if pick(row, COLUMNS["operator"]) is not None:
            raise
        operator = UNKNOWN_OPERATOR
        warning = f"no operator column and the hall name {name[:80]!r} names no operator; kept as unknown"
        errors.append(RowProblem(str(path), number, "operator", warning, level="warning"))
    try:
        return PublishedHall(
            id=None if raw_id is None else str(raw_id).strip(),
            operator=operator,
            name=name,
            address=_field(row, "address", str, required=False) or "",
            port_out=True if port_out is None else port_out,
        )
    except ValidationError as exc:
        if operator == UNKNOWN_OPERATOR and errors and errors[-1].row == number:
            errors.pop()  # the row is rejected: its warning would count it twice
        raise _fault(exc) from None


def require_file(path: Path) -> None:
    """InputError when `path` is not a readable regular file."""
    if not path.is_file():
        raise InputError(str(path), "file not found (or not a regular file)")
