"""Channel listings: which plans each 自有营业厅 / 掌厅 / 网厅 / 资费专区 / 代理渠道 shows.

Two layouts are read:
- a channel sheet, one row per channel (with a list of plan ids) or per channel and plan, with an
  optional 老年人/残疾人入口 column;
- channel columns in the plan sheet ("可查询渠道" merged over 自有营业厅 | 掌厅 | ...), one yes/no cell
  per plan and channel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ganzhi.collect.tariff.headers import match_header, normalise_header
from ganzhi.evidence.tariff import ChannelListing, ChannelType

#: Spellings of each channel type, compared with `normalise_header` applied (longest first).
CHANNEL_NAMES: dict[ChannelType, tuple[str, ...]] = {
    ChannelType.BUSINESS_HALL: ("自有营业厅", "实体营业厅", "自营厅", "营业厅", "businesshall"),
    ChannelType.APP: ("掌上营业厅", "掌厅", "手机营业厅", "客户端", "app"),
    ChannelType.WEB: ("网上营业厅", "网厅", "官网", "web"),
    ChannelType.TARIFF_ZONE: ("资费专区", "资费公示专区", "公示专区", "tariffzone"),
    ChannelType.AGENT: ("代理渠道", "代理商", "代理点", "合作营业厅", "社会渠道", "agent"),
}
_CHANNEL_LOOKUP = sorted(
    ((name, ctype) for ctype, names in CHANNEL_NAMES.items() for name in names), key=lambda p: len(p[0]), reverse=True
)
#: Channel-sheet columns: field → spellings.
CHANNEL_FIELDS: dict[str, tuple[str, ...]] = {
    "channel_type": ("渠道类型", "渠道类别", "channeltype", "channel"),
    "channel_name": ("渠道名称", "渠道", "入口名称", "channelname", "name"),
    "plan_ids": ("可查询方案编号", "可查询方案", "展示方案", "方案编号", "资费编号", "planids", "plan_ids", "plans"),
    "elderly_entry": (
        "老年人残疾人入口", "老年人残疾人专区", "适老专区", "老年人入口", "elderlyentry", "elderly_entry",
    ),
}
_YES = {"是", "有", "y", "yes", "true", "1", "✓", "√", "v", "展示", "可查询", "提供"}
_NO = {"否", "无", "n", "no", "false", "0", "×", "x", "-", "不展示", "未提供", ""}
_LIST_SPLIT = re.compile(r"[,，、;；/\s]+")


def channel_type(text: object) -> ChannelType | None:
    """The channel type a label names ('掌上营业厅（APP）' → app), or None."""
    key, unit = normalise_header("" if text is None else str(text))
    key = key + (unit or "").lower()
    return next((ctype for name, ctype in _CHANNEL_LOOKUP if name in key), None)


def yes_no(value: object) -> bool | None:
    """True/False for the usual yes/no cell spellings; None when the cell says neither."""
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


def split_ids(value: object) -> list[str]:
    """Plan ids from a list cell ('A1、A2, A3')."""
    return [part for part in _LIST_SPLIT.split(str(value or "").strip()) if part]


_FIELD_LOOKUP = sorted(
    ((normalise_header(n)[0], fld) for fld, names in CHANNEL_FIELDS.items() for n in names),
    key=lambda p: len(p[0]), reverse=True,
)  # fmt: skip
#: Plan-table fields a channel sheet may also carry; any other plan field means the sheet is a plan table.
_SHARED_WITH_PLANS = frozenset({"方案编号", "资费名称", "销售渠道"})


def match_channel_header(raw: object) -> str | None:
    """The channel-sheet field a header names: an exact spelling, else the longest spelling it contains
    ('可查询资费方案编号' → plan_ids, '老年人、残疾人专区（是/否）' → elderly_entry), or None."""
    key, _unit = normalise_header("" if raw is None else str(raw))
    if not key:
        return None
    exact = next((fld for name, fld in _FIELD_LOOKUP if key == name), None)
    if exact is not None:
        return exact
    return next((fld for name, fld in _FIELD_LOOKUP if len(name) >= 4 and name in key), None)


def is_channel_sheet(header: Sequence[object]) -> bool:
    """A channel sheet names a channel type or name column and a plan-id column, and no other plan field
    (a plan table with 方案编号 and 销售渠道 columns is not a channel sheet)."""
    fields = {match_channel_header(cell) for cell in header}
    if "plan_ids" not in fields or not fields & {"channel_type", "channel_name"}:
        return False
    plan_fields = {m.field for cell in header if match_channel_header(cell) is None and (m := match_header(cell)).field}
    return not plan_fields - _SHARED_WITH_PLANS


@dataclass(slots=True)
class _Entry:
    plan_ids: list[str]
    elderly: bool | None
    row: str


@dataclass(slots=True)
class ListingBuilder:
    """Accumulates listings keyed by (type, name), preserving first-seen order."""

    listings: dict[tuple[ChannelType, str], _Entry] = field(default_factory=dict)

    def add(self, ctype: ChannelType, name: str, plan_ids: Sequence[str], elderly: bool | None, row: str) -> None:
        """Record that channel (`ctype`, `name`) shows `plan_ids` (and maybe the elderly entry)."""
        entry = self.listings.setdefault((ctype, name), _Entry(plan_ids=[], elderly=None, row=row))
        entry.plan_ids.extend(pid for pid in plan_ids if pid not in entry.plan_ids)
        if elderly is not None:
            entry.elderly = bool(entry.elderly) or elderly

    def build(self) -> list[ChannelListing]:
        """The listings as evidence models."""
        return [
            ChannelListing(channel=ctype, name=name, plan_ids=list(e.plan_ids), elderly_entry=e.elderly, row=e.row)
            for (ctype, name), e in self.listings.items()
        ]
