"""Import a T8 capability matrix and test records (XLSX, CSV, JSON) into one evidence item per operator.

Matrix rows: operator (code, name, or a company name naming it), province (2-digit code, a name such as
江苏 / 江苏省 / 内蒙古自治区, or 全国 for every province), service, operation, channel, supported. Test
rows add date and succeeded. Cells are read as operators word them (see `vocabulary`: 全国亲情网, 手机营业厅APP,
新增外省成员, 暂不支持, 办理成功…). Bad rows become `RowProblem`s naming the file, row and field; a word
ganzhi cannot read (an unknown service, channel or yes/no value) is a warning naming the value (the row is
not used), and an unrecognised operation is kept as written with a warning. Each file is read inside one
boundary (`collect.bounded.guard`), so a library failure becomes an `InputError` naming the file, and its
rows are counted (`files`: rows used, rows rejected by an error, warnings, errors; a row set aside for a
word ganzhi cannot read is a warning, not a rejected row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ganzhi.collect.bounded import guard
from ganzhi.collect.crossregion.vocabulary import channel_code, operation_name, service_code
from ganzhi.collect.halls.headers import read_table
from ganzhi.collect.halls.importers import operator_code
from ganzhi.collect.halls.tables import FileCounts, Row, parse_date, pick
from ganzhi.collect.halls.wording import operator_in_text, yes_no
from ganzhi.errors import RowProblem
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.crossregion import SUBJECT_TYPE, Capability, CrossRegionMatrix, CrossRegionTest
from ganzhi.evidence.halls import OPERATOR_NAMES
from ganzhi.rules.regions.census import province_populations

#: Province cells meaning "every province" (operators publish nationwide rows so).
NATIONWIDE = frozenset({"全国", "全国通办", "所有省份", "全部省份", "31省", "全国各省", "all"})

COLUMNS: dict[str, tuple[str, ...]] = {
    "operator": ("operator", "运营商", "企业", "企业名称", "运营商名称"),
    "province": ("province", "省份", "省", "省分", "省公司", "地区", "归属省"),
    "service": ("service", "业务", "业务类型", "业务名称", "业务类别"),
    "operation": ("operation", "业务操作", "操作", "办理事项", "事项", "办理内容", "操作类型"),
    "channel": ("channel", "渠道", "办理渠道", "受理渠道", "办理方式"),
    "supported": ("supported", "支持", "是否支持", "支持情况", "能否办理", "是否可办理", "可办理"),
    "succeeded": ("succeeded", "成功", "结果", "测试结果", "是否成功", "办理结果"),
    "date": ("date", "日期", "测试日期", "办理日期"),
    "note": ("note", "备注", "说明"),
}


def province_code(value: Any) -> str:
    """2-digit code for a code or a province name (江苏, 江苏省, 内蒙古自治区); ValueError otherwise."""
    text = str(value).strip()
    table = province_populations()
    if text in table:
        return text
    for code, item in table.items():
        if text.startswith(item.name):
            return code
    raise ValueError(f"expected a province code (11–65), a name such as 江苏, or 全国 (got {value!r})")


def _provinces(value: Any) -> list[str]:
    text = str(value).strip()
    if text.lower() in NATIONWIDE:
        return sorted(province_populations())
    return [province_code(text)]


class _Skip(Exception):
    """A row kept out of the matrix because a word in it could not be read; reported as a warning."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def _need(row: Row, name: str) -> Any:
    value = pick(row, COLUMNS[name])
    if value is None:
        raise ValueError(f"{name}: missing (expected one of the columns {', '.join(COLUMNS[name])})")
    return value


def _cells(row: Row, path: Path, number: int, warnings: list[RowProblem]) -> list[dict[str, Any]]:
    """The matrix cells of one row (several for a 全国 row); unknown wording is a warning naming the value."""
    service_text = str(_need(row, "service")).strip()
    service = service_code(service_text)
    if service is None:
        raise _Skip(
            "service", f"unknown service {service_text!r} (expected a 亲情网 or 固移融合 service); row not used"
        )
    channel_text = str(_need(row, "channel")).strip()
    channel = channel_code(channel_text)
    if channel is None:
        raise _Skip(
            "channel",
            f"unknown channel {channel_text!r} (expected 归属地营业厅, 外省营业厅, 省内异地营业厅 "
            "or an online channel); row not used",
        )
    operation_text = str(_need(row, "operation")).strip()
    operation = operation_name(service, operation_text)
    if operation is None:
        operation = operation_text[:64]
        warnings.append(
            RowProblem(
                str(path), number, "operation", f"operation {operation_text!r} not recognised; kept as written",
                level="warning",
            )
        )  # fmt: skip
    provinces = _provinces(_need(row, "province"))
    return [{"province": code, "service": service, "operation": operation, "channel": channel} for code in provinces]


def _yes_no(row: Row, name: str) -> bool:
    raw = _need(row, name)
    value = yes_no(raw)
    if value is None:
        raise _Skip(name, f"cannot read {raw!r} as yes or no (e.g. 支持/暂不支持, 成功/失败); row not used")
    return value


@dataclass(slots=True)
class MatrixImport:
    """Capabilities and tests per operator, and rejected rows."""

    capabilities: dict[str, list[Capability]] = field(default_factory=dict)
    tests: dict[str, list[CrossRegionTest]] = field(default_factory=dict)
    errors: list[RowProblem] = field(default_factory=list)
    #: per file read: rows used, rows rejected by an error, problems by level
    files: list[FileCounts] = field(default_factory=list)

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
    aliases = [alias for names in COLUMNS.values() for alias in names]
    used = rejected = 0
    with guard(str(path), what="cannot read the matrix" if not tests else "cannot read the tests"):  # the boundary
        for number, row in read_table(path, json_key="tests" if tests else "capabilities", aliases=aliases):
            problem = _row(path, number, row, result, tests=tests)
            if problem is None:
                used += 1
                continue
            result.errors.append(problem)
            rejected += int(problem.level == "error")  # unknown wording is a warning, not a rejected row
    result.files.append(FileCounts.of(str(path), used, rejected, result.errors))


def _row(path: Path, number: int, row: Row, result: MatrixImport, *, tests: bool) -> RowProblem | None:
    """Add one row's capabilities or tests; the problem that kept the row out, if any."""
    try:
        raw_operator = _need(row, "operator")
        try:
            operator = operator_code(raw_operator)
        except ValueError:
            found = operator_in_text(raw_operator)
            if found is None:
                raise
            operator = found
        cells = _cells(row, path, number, result.errors)
        if tests:
            succeeded = _yes_no(row, "succeeded")
            date = parse_date(_need(row, "date"))
            note = str(pick(row, COLUMNS["note"]) or "")
            made: list[Any] = [CrossRegionTest(**cell, date=date, succeeded=succeeded, note=note) for cell in cells]
            result.tests.setdefault(operator, []).extend(made)
        else:
            supported = _yes_no(row, "supported")
            made = [Capability(**cell, supported=supported) for cell in cells]
            result.capabilities.setdefault(operator, []).extend(made)
    except _Skip as skip:
        return RowProblem(str(path), number, skip.field, skip.message, level="warning")
    except (ValueError, ValidationError) as exc:
        message = str(exc).splitlines()[0] if not isinstance(exc, ValidationError) else str(exc.errors()[0]["msg"])
        field_name, _, rest = message.partition(": ")
        if rest:
            return RowProblem(str(path), number, field_name, rest)
        return RowProblem(str(path), number, None, message)
    return None


def import_matrix(matrix: Path, tests: Path | None = None) -> MatrixImport:
    """Read the matrix (and optionally test records)."""
    result = MatrixImport()
    _rows(matrix, result, tests=False)
    if tests is not None:
        _rows(tests, result, tests=True)
    return result
