"""Import hotline registries and dial-test records into evidence, one subject per hotline number.

Registry rows (XLSX, CSV, JSON): enterprise, enterprise_type, number, app_path ("我的>客服中心", taps =
path length unless `app_taps` is given), website (URL), elderly_direct_line, ivr_menu (a menu file,
relative to the registry). Dial tests (CSV, JSON, JSONL): number, started_at, ivr_path ("1>0" or a
list), seconds_to_answer, seconds_to_human, outcome, caller_age. Bad rows become `RowProblem`s.

Cells are read as registries write them: Chinese column names (客服电话, APP入口路径, 官网公示页面…),
enterprise types in words (互联网企业, 基础电信企业, 运营商), app paths with any of the usual separators
(>, ›, 》, →, /, " - "), a number with hours or an extension after it ("4008-123-123（9:00-21:00）",
"95017转2": the number is read, with a warning), dial results in words (接通人工, 排队超时, 忙音).
A row whose number is blank or says 未公布 / 无 / — is an enterprise that publishes no number: it is
kept as a listing without a number (subject id: the enterprise), which T10's published check fails,
not rejected as a bad row. An enterprise type ganzhi cannot read is a warning naming the value.
A value the evidence cannot hold (an app path of more than 50 steps, a tap count over 100) rejects its row
like any other bad cell. Each file is read inside one boundary (`collect.bounded.guard`): a library failure
becomes an `InputError` naming the file; each file's kept and rejected rows are counted (`files`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ganzhi.collect.bounded import guard
from ganzhi.collect.halls.headers import read_table
from ganzhi.collect.halls.tables import FileCounts, Row, parse_float, pick
from ganzhi.collect.halls.wording import yes_no
from ganzhi.collect.hotline.ivr import analyze, load_menu
from ganzhi.errors import InputError, RowProblem
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.hotline import OUTCOMES, SUBJECT_TYPE, DialAttempt, DialTests, HotlineListing, Placement

_PATH_SPLIT = ("-->", "->", "—>", "=>", ">", "＞", "/", "→", "›", "»", "》", "｜", "|", "、")
#: A path written with " - " between steps ("我的 - 设置 - 客服"), when no other separator is used.
_DASH_STEP = re.compile(r"\s+[-—]\s+")
#: A phone number inside a cell that may add hours or an extension: "4008-123-123（9:00-21:00）", "95017转2".
_PHONE = re.compile(r"(?<![\d:])(?:\+?86[- ]?)?(?:\d[\d\- ]{1,30}\d)(?![\d:])")
#: Cells saying that no number is published.
_NO_NUMBER = re.compile(
    r"^(?:无|没有|未公布|未公示|暂无|不提供|未提供|n/?a|none|[-—–/]+)$|未(?:公布|公示|提供)", re.IGNORECASE
)
_ENTERPRISE_TYPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"basic_telecom_operator|基础电信|运营商|电信企业|通信集团|移动|联通|电信|广电"),
        "basic_telecom_operator",
    ),
    (re.compile(r"internet_company|互联网|平台|网络|科技|app|应用", re.IGNORECASE), "internet_company"),
)
_DIAL_OUTCOMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"无人工|没有人工|不提供人工|无转人工|no_human_option"), "no_human_option"),
    (re.compile(r"循环|死循环|ivr_loop"), "ivr_loop"),
    (
        re.compile(r"人工.{0,4}(?:忙|无法接通|未接通|排队超时|无人接)|排队超时|坐席忙|human_unreachable"),
        "human_unreachable",
    ),
    (re.compile(r"人工(?:接听|接通|应答|坐席接通)|接通人工|转人工成功|人工服务接通|^human$"), "human"),
    (re.compile(r"忙音|占线|^busy$"), "busy"),
    (re.compile(r"无人接听|未接听|无应答|no_answer"), "no_answer"),
    (re.compile(r"掉线|断线|挂断|dropped"), "dropped"),
)


def _split_path(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value)
    if not any(sep in text for sep in _PATH_SPLIT):
        text = _DASH_STEP.sub(">", text)
    for sep in _PATH_SPLIT:
        text = text.replace(sep, ">")
    return [part.strip() for part in text.split(">") if part.strip()]


def _number(value: Any) -> str:
    """The number in a cell: digits, with the separators written (400-810-6688, 400 820 6666)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(value).strip()
    found = _PHONE.search(text)
    if found is None:
        raise ValueError(f"expected a phone number such as 95188 or 400-810-6688 (got {text!r})")
    return found.group(0).strip()


def _says_no_number(value: Any) -> bool:
    return value is None or bool(_NO_NUMBER.search(str(value).strip()))


def enterprise_type(value: Any) -> str | None:
    """internet_company / basic_telecom_operator for a type cell (互联网企业, 基础电信企业, 运营商…); None if unread."""
    text = str(value).strip()
    for pattern, code in _ENTERPRISE_TYPES:
        if pattern.search(text):
            return code
    return None


def dial_outcome(value: Any) -> str | None:
    """The dial outcome code for a result cell as testers write it (接通人工, 忙音, 排队超时…); None if unread."""
    text = str(value).strip()
    if text in OUTCOMES:
        return text
    for pattern, code in _DIAL_OUTCOMES:
        if pattern.search(text):
            return code
    return None


def _flag(value: Any) -> bool:
    flag = yes_no(value)
    if flag is None:
        raise ValueError(f"expected yes/no (是/否, 支持/不支持, 1/0) (got {value!r})")
    return flag


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
    #: rows kept and rejected per file read (the registry, then dial tests)
    files: list[FileCounts] = field(default_factory=list)


_NUMBER_COLUMNS = ("number", "热线号码", "号码", "客服电话", "客服热线", "服务热线", "热线电话", "联系电话", "电话")
_ENTERPRISE_COLUMNS = ("enterprise", "企业", "企业名称", "公司名称", "单位名称", "企业全称")
#: Column names that mark a header row below title rows (see `halls.headers`).
_REGISTRY_ALIASES = (
    *_NUMBER_COLUMNS,
    *_ENTERPRISE_COLUMNS,
    "enterprise_type",
    "企业类型",
    "app_path",
    "APP入口路径",
    "website",
)
_DIAL_ALIASES = (*_NUMBER_COLUMNS, "outcome", "结果", "拨测结果", "started_at", "拨测时间", "转人工秒数")


def _listing(row: Row, base: Path, where: tuple[str, int], when: dt.datetime, result: HotlineImport) -> None:
    source, line = where
    raw_number = pick(row, _NUMBER_COLUMNS)
    number = None if _says_no_number(raw_number) else _get(row, _NUMBER_COLUMNS, _number)
    if number is not None and str(raw_number).strip() != number:
        result.errors.append(
            RowProblem(source, line, "number", f"read {number!r} from {str(raw_number)!r}", level="warning")
        )
    enterprise = _get(row, _ENTERPRISE_COLUMNS, str, required=True).strip()
    raw_type = pick(row, ("enterprise_type", "企业类型", "类型", "企业类别"))
    kind = "internet_company" if raw_type is None else enterprise_type(raw_type)
    if kind is None:
        kind = "internet_company"
        result.errors.append(
            RowProblem(
                source, line, "enterprise_type",
                f"unknown enterprise type {str(raw_type)!r}; read as internet_company",
                level="warning",
            )
        )  # fmt: skip
    shown: list[Placement] = []
    try:
        if number is not None:
            app_path = _get(
                row, ("app_path", "app路径", "APP路径", "APP入口路径", "APP入口", "app入口", "APP中位置"), _split_path
            )
            if app_path:
                taps = _get(row, ("app_taps", "点击次数", "点击层级"), lambda v: int(parse_float(v)))
                shown.append(Placement(channel="app", path=app_path, taps=len(app_path) if taps is None else taps))
            website = _get(row, ("website", "网站", "url", "官网", "官网公示页面", "网站公示页面", "官网页面"), str)
            if website:
                shown.append(Placement(channel="website", url=website))
        listing = HotlineListing(
            enterprise=enterprise,
            enterprise_type=kind,
            number=number,
            shown_on=shown,
            elderly_direct_line=_get(row, ("elderly_direct_line", "老年人直连人工", "老年人一键转人工"), _flag),
        )
    except ValidationError as exc:
        raise _invalid(exc, "row") from None
    key = number if number is not None else enterprise
    if key in result.subjects:
        what = f"hotline {number!r}" if number is not None else f"enterprise {enterprise!r} without a number"
        raise _Fault("number", f"duplicate {what}; expected one row per number")
    subject = Subject(type=SUBJECT_TYPE, id=key[:512], name=listing.enterprise, enterprise=listing.enterprise)
    result.subjects[key] = subject
    number = key
    items = [Evidence.of(listing, subject, source=source, collected_at=when)]
    menu_file = _get(row, ("ivr_menu", "语音菜单"), str)
    if menu_file:
        try:
            with guard(str(base / menu_file), what="cannot read the menu"):
                menu = load_menu(base / menu_file)
        except InputError as exc:
            raise _Fault("ivr_menu", str(exc)) from None
        items.append(Evidence.of(analyze(menu), subject, source=str(base / menu_file), collected_at=when))
    result.evidence[number] = items


def _invalid(exc: ValidationError, fallback: str) -> _Fault:
    """The first problem pydantic found as a row fault naming the field ('shown_on.0.path: at most 50 items')."""
    first = exc.errors()[0]
    where = ".".join(map(str, first["loc"])) or fallback
    return _Fault(where, str(first["msg"]))


def import_registry(path: Path, when: dt.datetime | None = None) -> HotlineImport:
    """Listings (and IVR analyses) per hotline; InputError when the file cannot be read at all."""
    result = HotlineImport()
    moment = when or dt.datetime.now(dt.UTC)
    kept = rejected = 0
    with guard(str(path), what="cannot read the hotline registry"):  # the boundary: no library error escapes
        for number, row in read_table(path, json_key="hotlines", aliases=_REGISTRY_ALIASES):
            try:
                _listing(row, path.parent, (str(path), number), moment, result)
                kept += 1
            except _Fault as fault:
                result.errors.append(RowProblem(str(path), number, fault.field, fault.message))
                rejected += 1
    result.files.append(FileCounts.of(str(path), kept, rejected, result.errors))
    return result


def _attempt(row: Row) -> tuple[str, DialAttempt]:
    number = _get(row, _NUMBER_COLUMNS, _number, required=True)
    written = _get(row, ("outcome", "结果", "拨测结果", "接通情况"), str, required=True)
    outcome = dial_outcome(written)
    if outcome is None:
        raise _Fault(
            "outcome",
            f"unknown dial result {written!r} (expected one of {', '.join(OUTCOMES)} or wording such as "
            "接通人工, 无人工选项, 排队超时, 忙音, 无人接听); attempt not used",
        )
    started = _get(
        row,
        ("started_at", "拨测时间", "拨打时间"),
        lambda v: v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(str(v)),
        required=True,
    )
    try:
        attempt = DialAttempt(
            started_at=started,
            ivr_path=_get(row, ("ivr_path", "按键路径", "按键"), _split_path) or [],
            seconds_to_answer=_get(row, ("seconds_to_answer", "接通秒数"), parse_float),
            seconds_to_human=_get(row, ("seconds_to_human", "转人工秒数"), parse_float),
            outcome=outcome,
            caller_age=_get(row, ("caller_age", "主叫年龄"), lambda v: int(parse_float(v))),
            tester=_get(row, ("tester", "拨测方"), str) or "",
        )
    except ValidationError as exc:
        raise _invalid(exc, "attempt") from None
    if attempt.outcome == "human" and attempt.seconds_to_human is None:
        raise _Fault("seconds_to_human", "missing for an attempt whose outcome is 'human'")
    return number, attempt


def _registered(number: str, result: HotlineImport) -> str:
    """The registry's key for a dialled number written differently (4008123123 for 4008-123-123)."""
    if number in result.subjects:
        return number
    digits = "".join(ch for ch in number if ch.isdigit())
    same = [key for key in result.subjects if "".join(ch for ch in key if ch.isdigit()) == digits and digits]
    return same[0] if len(same) == 1 else number


def add_dial_tests(path: Path, result: HotlineImport, when: dt.datetime | None = None) -> None:
    """Attach dial attempts to the registry's hotlines; rows for unknown numbers are errors."""
    moment = when or dt.datetime.now(dt.UTC)
    attempts: dict[str, list[DialAttempt]] = {}
    kept = rejected = 0
    with guard(str(path), what="cannot read the dial tests"):  # the boundary: no library error escapes
        for line, row in read_table(path, json_key="attempts", aliases=_DIAL_ALIASES):
            try:
                number, attempt = _attempt(row)
            except (_Fault, ValueError) as fault:
                field_name = fault.field if isinstance(fault, _Fault) else "started_at"
                message = fault.message if isinstance(fault, _Fault) else f"expected an ISO date-time ({fault})"
                result.errors.append(RowProblem(str(path), line, field_name, message))
                rejected += 1
                continue
            number = _registered(number, result)
            if number not in result.subjects:
                message = f"hotline {number!r} is not in the registry"
                result.errors.append(RowProblem(str(path), line, "number", message))
                rejected += 1
                continue
            attempts.setdefault(number, []).append(attempt)
            kept += 1
    result.files.append(FileCounts.of(str(path), kept, rejected, result.errors))
    for number, items in attempts.items():
        subject = result.subjects[number]
        result.evidence[number].append(
            Evidence.of(DialTests(attempts=items), subject, source=str(path), collected_at=moment)
        )
