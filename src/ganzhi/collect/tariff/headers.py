"""Tolerant Chinese header matching for tariff catalogues.

Operators label the same column many ways ("资费标准（元/月）", "月费", "feesStandard"), put units inside
the header, and group columns under merged parent cells ("对应服务" over "国内通话 | 通用流量 | 短信").
This module maps a header (or a parent/child pair) to one canonical field and its unit, and finds the
header row(s) of a sheet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

#: Canonical field → accepted header spellings (compared after `normalise_header`).
FIELDS: dict[str, tuple[str, ...]] = {
    "方案编号": ("资费方案编号", "资费编号", "方案编码", "备案编号", "编号", "reportno", "planid", "plancode"),
    "资费名称": ("套餐名称", "产品名称", "方案名称", "资费方案名称", "名称", "name", "planname"),
    "资费类型": ("产品类型", "资费类别", "套餐类型", "类型", "type"),
    "资费标准": ("月费", "月租", "套餐月费", "月基本费", "资费", "价格", "feesstandard", "monthlyfee"),
    "资费结构": ("收费结构", "structure"),
    "收费项目": ("chargeitems",),
    "计费原则": ("计费规则", "计费方式", "billing"),
    "对应服务": ("服务内容", "包含内容", "业务内容", "servicecontent", "services"),
    "国内通话": ("国内语音", "语音通话", "通话时长", "通话", "语音", "minute", "minutes", "voice"),
    "通用流量": ("国内通用流量", "全国通用流量", "commondata", "data", "流量"),
    "定向流量": ("orienttraffic", "directionaldata"),
    "短信": ("国内短信", "短信条数", "sms"),
    "宽带": ("宽带速率", "宽带带宽", "broadband"),
    "固话": ("固定电话", "固定语音", "fixedvoice"),
    "办理条件": ("办理要求", "入网要求", "conditions"),
    "有效期限": ("有效期", "validperiod", "validity"),
    "适用范围": ("适用对象", "适用人群", "usescope", "scope"),
    "适用地区": ("适用区域", "region"),
    "销售渠道": ("办理渠道", "salechnl", "channels"),
    "上线日期": ("上线时间", "生效日期", "startdate", "online"),
    "下线日期": ("下线时间", "失效日期", "enddate", "offline"),
    "在网要求": ("最低在网期限", "合约期", "在网期限", "minterm"),
    "退订方式": ("退订", "unsubscribe"),
    "违约责任": ("违约", "breach"),
    "超出资费说明": ("超出资费", "套外资费", "套餐外资费", "超套资费", "extrafees", "overage"),
    "达量降速": ("限速说明", "降速说明", "throttle"),
    "超套封顶": ("封顶", "封顶说明", "spendingcap"),
    "销售状态": ("状态", "在售状态", "status"),
    "其他说明": ("备注", "其他服务内容", "remark"),
}

_UNIT_IN_HEADER = re.compile(r"[(（\[【]([^)）\]】]{1,12})[)）\]】]")
_JUNK = re.compile(r"[\s*:：_\-·•/\\]+")
_FULLWIDTH = str.maketrans("（）［］", "()[]")
_LOOKUP: dict[str, str] = {}
for _field, _names in FIELDS.items():
    _LOOKUP[_field] = _field
    for _name in _names:
        _LOOKUP[_name] = _field
#: Longest spellings first so '国内通用流量' wins over '流量' and '定向流量' is not read as '流量'.
_BY_LENGTH = sorted(_LOOKUP, key=len, reverse=True)


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """The canonical field a header names (None when unknown) and the unit written in it."""

    raw: str
    field: str | None
    unit: str | None


#: A cell longer than this is not a header (real ones, units and notes included, stay under 60 characters); it
#: is not compared with every known spelling, so a 2-million-character cell costs nothing (fuzz finding).
MAX_HEADER_CHARS = 200


def normalise_header(raw: str) -> tuple[str, str | None]:
    """(header without unit, punctuation and case; the unit in brackets, if any); ("", None) for a cell longer
    than `MAX_HEADER_CHARS`."""
    if len(raw) > MAX_HEADER_CHARS:
        return "", None
    text = raw.translate(_FULLWIDTH).strip()
    unit_match = _UNIT_IN_HEADER.search(text)
    unit = unit_match.group(1).strip() if unit_match else None
    text = _UNIT_IN_HEADER.sub("", text)
    return _JUNK.sub("", text).lower(), unit


def _unit_code(unit: str | None) -> str | None:
    """'元/月' → '元', 'GB' → 'gb', '分钟' → 'min', 'Mbps' → 'mbps'."""
    if not unit:
        return None
    lowered = unit.lower().replace(" ", "")
    for code in ("gb", "mb", "kb", "mbps", "kbps", "gbps"):
        if lowered == code or lowered.startswith(code + "/"):
            return code
    if lowered.startswith("元"):
        return "元"
    if lowered in {"分钟", "min"}:
        return "min"
    if lowered in {"条"}:
        return "条"
    return lowered


def match_header(raw: object) -> HeaderMatch:
    """Match one header cell: exact spelling first, then the longest known spelling it contains."""
    text = "" if raw is None else str(raw)
    key, unit = normalise_header(text)
    if not key:
        return HeaderMatch(raw=text, field=None, unit=_unit_code(unit))
    field = _LOOKUP.get(key)
    if field is None:
        field = next((_LOOKUP[name] for name in _BY_LENGTH if len(name) >= 2 and name in key), None)
    return HeaderMatch(raw=text, field=field, unit=_unit_code(unit))


def combine(parent: object, child: object) -> HeaderMatch:
    """A column under a merged parent: the child names it when known, else the parent does."""
    child_match = match_header(child)
    if child_match.field is not None:
        return child_match
    parent_match = match_header(parent)
    if parent_match.field is not None:
        unit = child_match.unit or parent_match.unit
        return HeaderMatch(raw=f"{parent_match.raw}/{child_match.raw}".strip("/"), field=parent_match.field, unit=unit)
    return child_match if child_match.raw else parent_match


def _matches(row: Sequence[object]) -> int:
    return len({m.field for m in map(match_header, row) if m.field is not None})


@dataclass(frozen=True, slots=True)
class HeaderLayout:
    """Where the header is (0-based row index of its last row) and each column's match."""

    last_row: int
    rows: int
    columns: list[HeaderMatch]


def locate_header(rows: Sequence[Sequence[object]], *, scan_rows: int = 10, min_fields: int = 2) -> HeaderLayout | None:
    """The header row with the most known fields among the first `scan_rows`; a following row that
    names more fields under the same columns is read as a second (child) header row."""
    best, best_count = -1, 0
    for index, row in enumerate(rows[:scan_rows]):
        count = _matches(row)
        if count > best_count:
            best, best_count = index, count
    if best < 0 or best_count < min_fields:
        return None
    parent = list(rows[best])
    if best + 1 < len(rows):
        child = list(rows[best + 1])
        width = max(len(parent), len(child))
        parent += [None] * (width - len(parent))
        child += [None] * (width - len(child))
        combined = [combine(p, c) for p, c in zip(parent, child, strict=True)]
        child_known = sum(1 for c in child if match_header(c).field is not None)
        combined_fields = {m.field for m in combined if m.field}
        if child_known >= 2 and len(combined_fields) > best_count:
            return HeaderLayout(last_row=best + 1, rows=2, columns=combined)
    return HeaderLayout(last_row=best, rows=1, columns=[match_header(c) for c in parent])
