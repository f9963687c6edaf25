"""Published snapshots (社会公示): the 通报 list, the 下架 list and rankings, built from tracked issues.

A publication is drafted by one person and approved by another; approval seals it into the hash
chain (`chain.py`) and gives it its number "YYYY年第N批，总第M批". The lists use exactly the columns
MIIT publishes (regulations.md §12):

* 通报 list: 序号 | 应用名称 | 应用开发者 | 应用来源 | 应用版本 | 所涉问题 — one row per app × store ×
  version × problem, so one app may have several rows;
* 下架 list: 序号 | 软件名称 | 企业名称 | 下架版本 — the apps of an earlier 通报 still not rectified.

Builders are pure functions of issues and the enterprise register; the store only keeps the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ganzhi.findings.lifecycle import ACTIVE_STATES
from ganzhi.findings.models import Issue
from ganzhi.i18n import Text
from ganzhi.supervision.models import SLUG, Enterprise
from ganzhi.supervision.ownership import Ownership
from ganzhi.supervision.standings import Standings

PROBLEM_LABELS = Path(__file__).parent / "data" / "problem_labels.yaml"
#: Publication dates and batch years are Beijing dates.
BEIJING = ZoneInfo("Asia/Shanghai")
DEFAULT_ISSUER = "工业和信息化部信息通信管理局"
#: Shown when an app's developer or store is not in the enterprise register.
UNREGISTERED = "未登记"


class PublicationKind(StrEnum):
    """What a snapshot announces; all kinds share one numbering, as MIIT's 通报 do."""

    NOTICE = "notice"
    REMOVAL = "removal"
    LOOKBACK = "lookback"
    RANKING = "ranking"


TITLE_PREFIX: dict[PublicationKind, Text] = {
    PublicationKind.NOTICE: Text(zh="关于侵害用户权益行为的APP通报", en="Notice on apps infringing user rights"),
    PublicationKind.REMOVAL: Text(
        zh="关于下架侵害用户权益APP的通报", en="Notice on removing apps infringing user rights"
    ),
    PublicationKind.LOOKBACK: Text(
        zh="关于APP问题整改“回头看”的通报", en="Notice on the look-back at apps' rectification"
    ),
    PublicationKind.RANKING: Text(zh="信息通信服务感知提升行动排名公示", en="Published ranking of the 524 action"),
}


class PublicationStatus(StrEnum):
    """A draft can be approved once; an approved snapshot never changes."""

    DRAFT = "draft"
    APPROVED = "approved"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NoticeRow(_Frozen):
    """One row of the 通报 list (序号 is its 1-based position)."""

    number: int = Field(ge=1)
    app_name: str
    developer: str
    source: str
    version: str
    problem: str
    fingerprints: list[str] = Field(default_factory=list)


class RemovalRow(_Frozen):
    """One row of the 下架 list."""

    number: int = Field(ge=1)
    software_name: str
    enterprise_name: str
    version: str
    fingerprints: list[str] = Field(default_factory=list)


class RankingRow(_Frozen):
    """One line of a published ranking (per enterprise type, or the app-store ranking)."""

    group: str
    rank: int = Field(ge=1)
    name: str
    score: float
    detail: str = ""


class PublicationBody(_Frozen):
    """Everything a snapshot says; the hash is computed over this (as stored) plus the seal."""

    kind: PublicationKind
    title_prefix: str = Field(min_length=1, max_length=200)
    issuer: str = Field(min_length=1, max_length=200)
    intro: str = Field(default="", max_length=20_000)
    rectify_by: dt.date | None = None
    notice: list[NoticeRow] = Field(default_factory=list)
    removal: list[RemovalRow] = Field(default_factory=list)
    rankings: list[RankingRow] = Field(default_factory=list)
    based_on: str | None = None


class Publication(_Frozen):
    """A stored snapshot; `body` is the raw stored JSON so verification hashes exactly what is kept."""

    id: str
    kind: PublicationKind
    status: PublicationStatus
    campaign_id: str | None = None
    created_by: str = Field(min_length=1)
    created_at: dt.datetime
    body: dict[str, Any]
    approved_by: str | None = None
    approved_at: dt.datetime | None = None
    seq: int | None = None
    year: int | None = None
    batch_in_year: int | None = None
    batch_total: int | None = None
    prev_hash: str | None = None
    hash: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"publication id must be a lowercase slug like 'pub-2022-01' (got {value!r})")
        return value

    def content(self) -> PublicationBody:
        """The body parsed; a stored body that no longer parses raises ValueError naming the snapshot."""
        try:
            return PublicationBody.model_validate(self.body)
        except ValueError as exc:
            raise ValueError(f"publication {self.id!r}: stored body is not a valid snapshot: {exc}") from None

    @property
    def numbering(self) -> str | None:
        """`2022年第1批，总第21批`, once approved."""
        if self.year is None or self.batch_in_year is None or self.batch_total is None:
            return None
        return f"{self.year}年第{self.batch_in_year}批，总第{self.batch_total}批"

    @property
    def title(self) -> str:
        """《prefix（numbering）》 or the prefix with （草稿） for a draft."""
        prefix = str(self.body.get("title_prefix", ""))
        return f"《{prefix}（{self.numbering or '草稿 draft'}）》"


def beijing_date(at: dt.datetime) -> dt.date:
    """The calendar date in Beijing of an aware timestamp."""
    return at.astimezone(BEIJING).date()


@cache
def _labels() -> tuple[dict[str, Text], dict[str, Text]]:
    raw = yaml.safe_load(PROBLEM_LABELS.read_text(encoding="utf-8"))

    def parse(section: Mapping[str, Mapping[str, Any]]) -> dict[str, Text]:
        return {key: Text(zh=str(v["zh"]), en=v.get("en")) for key, v in section.items()}

    return parse(raw.get("tasks") or {}), parse(raw.get("checks") or {})


def problem_label(issue: Issue) -> Text:
    """所涉问题 of an issue: its check's label, else its task's, else the check's own title."""
    tasks, checks = _labels()
    return checks.get(issue.check_id) or tasks.get(issue.task) or issue.title


def _app_name(issue: Issue, enterprise: Enterprise | None) -> str:
    if issue.subject.name:
        return issue.subject.name
    if enterprise is not None:
        for link in enterprise.subjects:
            if link.key == f"app:{issue.subject.id}" and link.name:
                return link.name
    return issue.subject.id


def select_issues(
    issues: Iterable[Issue],
    *,
    tasks: Sequence[str] | None = None,
    fingerprints: Sequence[str] | None = None,
    active_only: bool = True,
    apps_only: bool = True,
) -> list[Issue]:
    """Issues to publish: active ones (by default), optionally of some tasks or fingerprints.

    The classic 通报 lists apps; `apps_only=False` takes every subject type (halls, hotlines, tariff
    plans of T1–T10), so any task's issues can be drafted into a notice.
    """
    wanted = set(fingerprints or [])
    return [
        i
        for i in issues
        if (not apps_only or i.subject.type == "app")
        and (not active_only or i.state in ACTIVE_STATES)
        and (not tasks or i.task in tasks)
        and (not wanted or i.fingerprint in wanted)
    ]


def notice_rows(issues: Iterable[Issue], enterprises: Sequence[Enterprise]) -> list[NoticeRow]:
    """The 通报 list: one row per app × store × version × problem, sorted by app, store, version, problem."""
    ownership = Ownership.build(enterprises)
    by_id = {e.id: e for e in enterprises}
    grouped: dict[tuple[str, str, str, str, str], set[str]] = {}
    for issue in issues:
        owner_id = ownership.operator_of(issue.subject)
        owner = by_id.get(owner_id) if owner_id else None
        developer = owner.name if owner else (issue.subject.enterprise or UNREGISTERED)
        stores = sorted(by_id[s].name for s in ownership.stores_of_key(issue.subject.key) if s in by_id)
        for store in stores or [UNREGISTERED]:
            key = (
                _app_name(issue, owner),
                developer,
                store,
                issue.subject.version or UNREGISTERED,
                problem_label(issue).zh,
            )
            grouped.setdefault(key, set()).add(issue.fingerprint)
    return [
        NoticeRow(
            number=n,
            app_name=app,
            developer=dev,
            source=store,
            version=version,
            problem=problem,
            fingerprints=sorted(fps),
        )
        for n, ((app, dev, store, version, problem), fps) in enumerate(sorted(grouped.items()), start=1)
    ]


def removal_rows(base: PublicationBody, current: Mapping[str, Issue]) -> list[RemovalRow]:
    """The 下架 list: apps of an earlier 通报 with at least one of its issues still active (not rectified)."""
    grouped: dict[tuple[str, str, str], set[str]] = {}
    for row in base.notice:
        open_fps = [fp for fp in row.fingerprints if fp in current and current[fp].state in ACTIVE_STATES]
        if open_fps:
            grouped.setdefault((row.app_name, row.developer, row.version), set()).update(open_fps)
    return [
        RemovalRow(number=n, software_name=app, enterprise_name=dev, version=version, fingerprints=sorted(fps))
        for n, ((app, dev, version), fps) in enumerate(sorted(grouped.items()), start=1)
    ]


def common_deadline(issues: Iterable[Issue]) -> dt.date | None:
    """The 通报's 整改期限: the latest of the listed issues' own deadlines, so the notice text never asks
    for rectification earlier than the deadline the issue queue shows (None when no issue has one)."""
    return max((i.deadline for i in issues if i.deadline is not None), default=None)


def intro_text(kind: PublicationKind, rows: int, rectify_by: dt.date | None) -> str:
    """The standard wording MIIT uses above its lists (regulations.md §12)."""
    if kind is PublicationKind.REMOVAL:
        return (
            f"经核查复检，以下{rows}款APP仍未完成整改。"
            "相关应用商店应在本通报发布后，立即组织对名单中应用软件进行下架处理。"
        )
    if kind is PublicationKind.RANKING:
        return "以下为本期排名结果。"
    deadline = f"{rectify_by.month}月{rectify_by.day}日前" if rectify_by else "规定期限内"
    lead = "经“回头看”复测，" if kind is PublicationKind.LOOKBACK else "经检测，"
    return (
        f"{lead}以下{rows}条APP问题仍然存在。上述APP应在{deadline}完成整改落实工作，"
        "逾期不整改的，我部将依法依规组织开展相关处置工作。"
    )


_GROUP_NAMES = {
    "basic_telecom_operator": "基础电信企业",
    "internet_company": "互联网企业",
    "cloud_drive_provider": "网盘服务企业",
    "app_store": "应用分发平台",
}


def ranking_rows(found: Standings) -> list[RankingRow]:
    """Published ranking lines: per enterprise type by score, then app stores by problem rate."""
    lines = [
        RankingRow(
            group=_GROUP_NAMES.get(kind.value, kind.value),
            rank=entry.rank,
            name=entry.name,
            score=entry.score,
            detail=f"问题{entry.findings}项",
        )
        for kind, entries in sorted(found.rankings.items(), key=lambda item: item[0].value)
        for entry in entries
    ]
    lines += [
        RankingRow(
            group="应用分发平台（问题应用占比）",
            rank=store.rank,
            name=store.name,
            score=round(store.problem_rate * 100, 2),
            detail=f"{store.apps_with_problems}/{store.apps}款应用存在问题，占全部问题应用{store.share_of_all_problems:.2%}",
        )
        for store in found.stores
    ]
    return lines


def build_body(
    kind: PublicationKind,
    *,
    issues: Sequence[Issue] = (),
    enterprises: Sequence[Enterprise] = (),
    base: Publication | None = None,
    current: Mapping[str, Issue] | None = None,
    rankings: Sequence[RankingRow] = (),
    rectify_by: dt.date | None = None,
    issuer: str = DEFAULT_ISSUER,
) -> PublicationBody:
    """The body of a new snapshot of `kind`.

    notice / lookback: the 通报 list of `issues`; removal: the 下架 list of `base`'s apps whose issues
    are still active in `current`; ranking: `rankings` only. Rankings may accompany any kind.
    """
    notice: list[NoticeRow] = []
    removal: list[RemovalRow] = []
    if kind in (PublicationKind.NOTICE, PublicationKind.LOOKBACK):
        notice = notice_rows(issues, enterprises)
        count = len(notice)
    elif kind is PublicationKind.REMOVAL:
        if base is None:
            raise ValueError("a removal (下架) publication needs --based-on: the 通报 whose apps were re-tested")
        if base.status is not PublicationStatus.APPROVED:
            raise ValueError(f"base publication {base.id!r} is a draft; a 下架 通报 must follow a published 通报")
        removal = removal_rows(base.content(), current or {})
        count = len(removal)
    else:
        count = len(rankings)
    return PublicationBody(
        kind=kind,
        title_prefix=TITLE_PREFIX[kind].zh,
        issuer=issuer,
        intro=intro_text(kind, count, rectify_by),
        rectify_by=rectify_by,
        notice=notice,
        removal=removal,
        rankings=list(rankings),
        based_on=base.id if base else None,
    )


def new_draft(
    publication_id: str,
    body: PublicationBody,
    *,
    created_by: str,
    at: dt.datetime,
    campaign_id: str | None = None,
) -> Publication:
    """A draft snapshot holding `body` as JSON (what will be hashed once approved)."""
    if not body.notice and not body.removal and not body.rankings:
        raise ValueError(f"publication {publication_id!r} would be empty: no 通报 rows, no 下架 rows, no rankings")
    return Publication(
        id=publication_id,
        kind=body.kind,
        status=PublicationStatus.DRAFT,
        campaign_id=campaign_id,
        created_by=created_by.strip(),
        created_at=at,
        body=body.model_dump(mode="json"),
    )
