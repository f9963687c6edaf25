"""Import hotline registries and dial-test records into evidence, one subject per hotline number.

Registry rows (XLSX, CSV, JSON): enterprise, enterprise_type, number, app_path ("我的>客服中心", taps =
path length unless `app_taps` is given), website (URL), elderly_direct_line, ivr_menu (a menu file,
relative to the registry). Dial tests (CSV, JSON, JSONL): number, started_at, ivr_path ("1>0" or a
list), seconds_to_answer, seconds_to_human, outcome, caller_age. Bad rows become `RowProblem`s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ganzhi.collect.halls.tables import Row, parse_bool, parse_float, pick, read_rows
from ganzhi.collect.hotline.ivr import analyze, load_menu
from ganzhi.errors import InputError, RowProblem
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.hotline import OUTCOMES, SUBJECT_TYPE, DialAttempt, DialTests, HotlineListing, Placement

_PATH_SPLIT = (">", "＞", "/", "→")


def _split_path(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value)
    for sep in _PATH_SPLIT:
        text = text.replace(sep, ">")
    return [part.strip() for part in text.split(">") if part.strip()]


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Fault(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def _get(row: Row, names: tuple[str, ...], parse: Callable[[Any], Any], required: bool = False) -> Any:
    raw = pick(row, names)
    if raw is None:
        if required:
            raise _Fault(names[0], f"missing (expected a value in one of {', '.join(names)})")
        return None
    try:
        return parse(raw)
    except ValueError as exc:
        raise _Fault(names[0], str(exc)) from None


@dataclass(slots=True)
class HotlineImport:
    """Evidence per hotline number, and rejected rows."""

    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    subjects: dict[str, Subject] = field(default_factory=dict)
    errors: list[RowProblem] = field(default_factory=list)


def _listing(row: Row, base: Path, source: str, when: dt.datetime, result: HotlineImport) -> None:
    number = _get(row, ("number", "热线号码", "号码"), _number, required=True)
    shown: list[Placement] = []
    app_path = _get(row, ("app_path", "app路径", "APP路径"), _split_path)
    if app_path:
        taps = _get(row, ("app_taps", "点击次数"), lambda v: int(parse_float(v)))
        shown.append(Placement(channel="app", path=app_path, taps=len(app_path) if taps is None else taps))
    website = _get(row, ("website", "网站", "url"), str)
    if website:
        shown.append(Placement(channel="website", url=website))
    try:
        listing = HotlineListing(
            enterprise=_get(row, ("enterprise", "企业", "企业名称"), str, required=True),
            enterprise_type=_get(row, ("enterprise_type", "企业类型"), str) or "internet_company",
            number=number,
            shown_on=shown,
            elderly_direct_line=_get(row, ("elderly_direct_line", "老年人直连人工"), parse_bool),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise _Fault(".".join(map(str, first["loc"])), str(first["msg"])) from None
    if number in result.subjects:
        raise _Fault("number", f"duplicate hotline {number!r}; expected one row per number")
    subject = Subject(type=SUBJECT_TYPE, id=number, name=listing.enterprise, enterprise=listing.enterprise)
    result.subjects[number] = subject
    items = [Evidence.of(listing, subject, source=source, collected_at=when)]
    menu_file = _get(row, ("ivr_menu", "语音菜单"), str)
    if menu_file:
        try:
            menu = load_menu(base / menu_file)
        except InputError as exc:
            raise _Fault("ivr_menu", str(exc)) from None
        items.append(Evidence.of(analyze(menu), subject, source=str(base / menu_file), collected_at=when))
    result.evidence[number] = items


def import_registry(path: Path, when: dt.datetime | None = None) -> HotlineImport:
    """Listings (and IVR analyses) per hotline; InputError when the file cannot be read at all."""
    result = HotlineImport()
    moment = when or dt.datetime.now(dt.UTC)
    for number, row in read_rows(path, json_key="hotlines"):
        try:
            _listing(row, path.parent, str(path), moment, result)
        except _Fault as fault:
            result.errors.append(RowProblem(str(path), number, fault.field, fault.message))
    return result


def _attempt(row: Row) -> tuple[str, DialAttempt]:
    number = _get(row, ("number", "热线号码", "号码"), _number, required=True)
    outcome = _get(row, ("outcome", "结果"), str, required=True)
    if outcome not in OUTCOMES:
        raise _Fault("outcome", f"expected one of {', '.join(OUTCOMES)} (got {outcome!r})")
    started = _get(
        row,
        ("started_at", "拨测时间"),
        lambda v: v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(str(v)),
        required=True,
    )
    try:
        attempt = DialAttempt(
            started_at=started,
            ivr_path=_get(row, ("ivr_path", "按键路径"), _split_path) or [],
            seconds_to_answer=_get(row, ("seconds_to_answer", "接通秒数"), parse_float),
            seconds_to_human=_get(row, ("seconds_to_human", "转人工秒数"), parse_float),
            outcome=outcome,
            caller_age=_get(row, ("caller_age", "主叫年龄"), lambda v: int(parse_float(v))),
            tester=_get(row, ("tester", "拨测方"), str) or "",
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise _Fault(".".join(map(str, first["loc"])), str(first["msg"])) from None
    if attempt.outcome == "human" and attempt.seconds_to_human is None:
        raise _Fault("seconds_to_human", "missing for an attempt whose outcome is 'human'")
    return number, attempt


def add_dial_tests(path: Path, result: HotlineImport, when: dt.datetime | None = None) -> None:
    """Attach dial attempts to the registry's hotlines; rows for unknown numbers are errors."""
    moment = when or dt.datetime.now(dt.UTC)
    attempts: dict[str, list[DialAttempt]] = {}
    for line, row in read_rows(path, json_key="attempts"):
        try:
            number, attempt = _attempt(row)
        except (_Fault, ValueError) as fault:
            field_name = fault.field if isinstance(fault, _Fault) else "started_at"
            message = fault.message if isinstance(fault, _Fault) else f"expected an ISO date-time ({fault})"
            result.errors.append(RowProblem(str(path), line, field_name, message))
            continue
        if number not in result.subjects:
            result.errors.append(RowProblem(str(path), line, "number", f"hotline {number!r} is not in the registry"))
            continue
        attempts.setdefault(number, []).append(attempt)
    for number, items in attempts.items():
        subject = result.subjects[number]
        result.evidence[number].append(
            Evidence.of(DialTests(attempts=items), subject, source=str(path), collected_at=moment)
        )
