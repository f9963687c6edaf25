"""Import a T8 capability matrix and test records (XLSX, CSV, JSON) into one evidence item per operator.

Matrix rows: operator, province (2-digit code or name, e.g. 江苏 / 江苏省), service (family_network |
converged, or 亲情网 / 固移融合), operation, channel, supported. Test rows add date and succeeded.
Bad rows become `RowProblem`s naming the file, row and field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ganzhi.collect.halls.importers import operator_code
from ganzhi.collect.halls.tables import Row, parse_bool, parse_date, pick, read_rows
from ganzhi.errors import RowProblem
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.crossregion import CHANNELS, SUBJECT_TYPE, Capability, CrossRegionMatrix, CrossRegionTest
from ganzhi.evidence.halls import OPERATOR_NAMES
from ganzhi.rules.regions.census import province_populations

_SERVICES = {
    "family_network": "family_network",
    "亲情网": "family_network",
    "converged": "converged",
    "固移融合": "converged",
    "融合": "converged",
}


def province_code(value: Any) -> str:
    """2-digit code for a code or a province name; ValueError otherwise."""
    text = str(value).strip()
    table = province_populations()
    if text in table:
        return text
    for code, item in table.items():
        if text.startswith(item.name):
            return code
    raise ValueError(f"expected a province code (11–65) or name such as 江苏 (got {value!r})")


def _cell(row: Row) -> dict[str, Any]:
    def need(names: tuple[str, ...]) -> Any:
        value = pick(row, names)
        if value is None:
            raise ValueError(f"{names[0]}: missing (expected one of the columns {', '.join(names)})")
        return value

    service = str(need(("service", "业务"))).strip()
    if service not in _SERVICES:
        raise ValueError(f"service: expected family_network/亲情网 or converged/固移融合 (got {service!r})")
    channel = str(need(("channel", "渠道"))).strip()
    if channel not in CHANNELS:
        raise ValueError(f"channel: expected one of {', '.join(CHANNELS)} (got {channel!r})")
    return {
        "province": province_code(need(("province", "省份"))),
        "service": _SERVICES[service],
        "operation": str(need(("operation", "业务操作", "操作"))).strip(),
        "channel": channel,
    }


@dataclass(slots=True)
class MatrixImport:
    """Capabilities and tests per operator, and rejected rows."""

    capabilities: dict[str, list[Capability]] = field(default_factory=dict)
    tests: dict[str, list[CrossRegionTest]] = field(default_factory=dict)
    errors: list[RowProblem] = field(default_factory=list)

    def evidence(self, source: str, when: dt.datetime | None = None) -> list[Evidence]:
        """One `cross_region_matrix` evidence per operator."""
        items = []
        for operator in sorted(set(self.capabilities) | set(self.tests)):
            subject = Subject(
                type=SUBJECT_TYPE,
                id=operator,
                name=OPERATOR_NAMES.get(operator),
                enterprise=OPERATOR_NAMES.get(operator),
            )
            matrix = CrossRegionMatrix(
                operator=operator, capabilities=self.capabilities.get(operator, []), tests=self.tests.get(operator, [])
            )
            items.append(Evidence.of(matrix, subject, source=source, collected_at=when))
        return items


def _rows(path: Path, result: MatrixImport, *, tests: bool) -> None:
    for number, row in read_rows(path, json_key="tests" if tests else "capabilities"):
        try:
            operator = operator_code(pick(row, ("operator", "运营商")))
            cell = _cell(row)
            if tests:
                succeeded = pick(row, ("succeeded", "成功", "结果"))
                date = pick(row, ("date", "日期"))
                if succeeded is None or date is None:
                    raise ValueError("date/succeeded: both are required for a test record")
                result.tests.setdefault(operator, []).append(
                    CrossRegionTest(
                        **cell,
                        date=parse_date(date),
                        succeeded=parse_bool(succeeded),
                        note=str(pick(row, ("note", "备注")) or ""),
                    )
                )
            else:
                supported = pick(row, ("supported", "支持", "是否支持"))
                if supported is None:
                    raise ValueError("supported: missing (expected yes/no)")
                result.capabilities.setdefault(operator, []).append(Capability(**cell, supported=parse_bool(supported)))
        except (ValueError, ValidationError) as exc:
            message = str(exc).splitlines()[0] if not isinstance(exc, ValidationError) else str(exc.errors()[0]["msg"])
            field_name, _, rest = message.partition(": ")
            if rest:
                result.errors.append(RowProblem(str(path), number, field_name, rest))
            else:
                result.errors.append(RowProblem(str(path), number, None, message))


def import_matrix(matrix: Path, tests: Path | None = None) -> MatrixImport:
    """Read the matrix (and optionally test records)."""
    result = MatrixImport()
    _rows(matrix, result, tests=False)
    if tests is not None:
        _rows(tests, result, tests=True)
    return result
