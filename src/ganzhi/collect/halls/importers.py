"""Import a hall registry (XLSX, CSV, JSON) into typed `Hall` records, one error record per bad row.

Columns are matched by Chinese or English names (see `COLUMNS`). A row with a bad adcode, coordinates
outside China, only one of lat/lon, a duplicate hall id or an unknown operator is rejected with a
`RowProblem` (`ganzhi.errors`) naming the file, the row, the field, the expected and the actual value;
the other rows go on. A hall without coordinates is placed at its county's centroid (cpca data), and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ganzhi.collect.halls.tables import Row, parse_bool, parse_date, parse_float, pick, read_rows
from ganzhi.errors import InputError, RowProblem
from ganzhi.evidence.halls import OPERATOR_NAMES, Hall, HallPublicList, PublishedHall
from ganzhi.rules.regions.divisions import Divisions
from ganzhi.rules.regions.geo import coordinate_problem

COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "hall_id", "营业厅编号", "编号", "厅店编码"),
    "operator": ("operator", "运营商", "企业"),
    "name": ("name", "营业厅名称", "名称"),
    "address": ("address", "地址", "营业厅地址"),
    "adcode": ("adcode", "行政区划代码", "区划代码"),
    "lat": ("lat", "latitude", "纬度"),
    "lon": ("lon", "lng", "longitude", "经度"),
    "port_out": ("port_out", "supports_port_out", "携出", "可办理携出"),
    "port_in": ("port_in", "supports_port_in", "携入", "可办理携入"),
    "listed": ("listed", "public_list", "公示", "已公示"),
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


def operator_code(value: Any) -> str:
    """The operator code for a name or alias (中国移动, 移动, CMCC, china_mobile…); ValueError otherwise."""
    code = _OPERATOR_ALIASES.get(str(value).strip().lower())
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


def _adcode(row: Row, divisions: Divisions) -> str:
    raw = _field(
        row,
        "adcode",
        lambda v: str(int(v)) if isinstance(v, int | float) and not isinstance(v, bool) else str(v),
        required=True,
    )
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


def _hall(row: Row, divisions: Divisions) -> Hall:
    if "__not_an_object__" in row:
        raise _RowFault(None, f"expected an object (got {row['__not_an_object__']!r})")
    hall_id = _field(row, "id", lambda v: str(v).strip(), required=True)
    adcode = _adcode(row, divisions)
    lat, lon, source = _position(row, adcode, divisions)
    try:
        return Hall(
            id=hall_id,
            operator=_field(row, "operator", operator_code, required=True),
            name=_field(row, "name", str, required=True),
            address=_field(row, "address", str, required=False) or "",
            adcode=adcode,
            lat=lat,
            lon=lon,
            location_source=source,
            port_out=_field(row, "port_out", parse_bool, required=True),
            port_in=_field(row, "port_in", parse_bool, required=False) or False,
            listed=_field(row, "listed", parse_bool, required=False),
            opened_on=_field(row, "opened_on", parse_date, required=False),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise _RowFault(".".join(map(str, first["loc"])) or None, str(first["msg"])) from None


def import_halls(path: Path, divisions: Divisions) -> HallImport:
    """Read a registry file; InputError only when the file as a whole cannot be read."""
    result = HallImport(source=str(path))
    seen: dict[str, int] = {}
    for number, row in read_rows(path, json_key="halls"):
        try:
            hall = _hall(row, divisions)
        except _RowFault as fault:
            result.errors.append(RowProblem(str(path), number, fault.field, fault.message))
            continue
        if hall.id in seen:
            message = f"duplicate hall id {hall.id!r} (first on row {seen[hall.id]}); expected unique ids"
            result.errors.append(RowProblem(str(path), number, "id", message))
            continue
        seen[hall.id] = number
        result.halls.append(hall)
    return result


def import_public_list(path: Path) -> tuple[HallPublicList, list[RowProblem]]:
    """Read an operator's published hall list (id optional; operator and name required)."""
    entries: list[PublishedHall] = []
    errors: list[RowProblem] = []
    for number, row in read_rows(path, json_key="halls"):
        try:
            if "__not_an_object__" in row:
                raise _RowFault(None, "expected an object")
            port_out = _field(row, "port_out", parse_bool, required=False)
            raw_id = pick(row, COLUMNS["id"])
            entries.append(
                PublishedHall(
                    id=None if raw_id is None else str(raw_id).strip(),
                    operator=_field(row, "operator", operator_code, required=True),
                    name=_field(row, "name", str, required=True),
                    address=_field(row, "address", str, required=False) or "",
                    port_out=True if port_out is None else port_out,
                )
            )
        except _RowFault as fault:
            errors.append(RowProblem(str(path), number, fault.field, fault.message))
    return HallPublicList(entries=entries), errors


def require_file(path: Path) -> None:
    """InputError when `path` is not a readable regular file."""
    if not path.is_file():
        raise InputError(str(path), "file not found (or not a regular file)")
