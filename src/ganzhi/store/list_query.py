"""One page of a regulator's list (runs, audit log, enterprises): filtered, sorted, counted and paged in SQL.

Every list reads through `page_rows`, so a page, its total and its export come from the same WHERE
clauses; the scope (who may see what) arrives as more clauses from `ganzhi.accounts.scope`, never as a
Python pass over loaded rows. Sorts are named columns; ties break on the primary key so pages never overlap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, exists, extract, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ganzhi.store.publication_repo import _publication
from ganzhi.store.publication_tables import PublicationRow
from ganzhi.store.repositories import RunRecord, SubjectFilter, _run_from_row, _visible_clauses
from ganzhi.store.supervision_repo import _campaign, _to_enterprise
from ganzhi.store.supervision_tables import AssignmentRow, CampaignRow, EnterpriseRow, EnterpriseSubjectRow
from ganzhi.store.tables import ResultRow, RunRow
from ganzhi.store.web_tables import AuditRow
from ganzhi.supervision.models import Campaign, Enterprise
from ganzhi.supervision.publications import BEIJING, Publication

T = TypeVar("T")
#: Longest search text (characters); longer input is cut, never sent whole to LIKE.
MAX_SEARCH = 100

RUN_SORTS: Mapping[str, Any] = {"started": RunRow.started_at, "finished": RunRow.finished_at, "status": RunRow.status}
AUDIT_SORTS: Mapping[str, Any] = {"at": AuditRow.id, "actor": AuditRow.actor, "action": AuditRow.action}
ENTERPRISE_SORTS: Mapping[str, Any] = {
    "name": EnterpriseRow.name,
    "type": EnterpriseRow.type,
    "province": EnterpriseRow.province,
    "id": EnterpriseRow.id,
}
CAMPAIGN_SORTS: Mapping[str, Any] = {"starts": CampaignRow.starts, "ends": CampaignRow.ends, "name": CampaignRow.name}


def publication_year() -> ColumnElement[int]:
    """A publication's year: its batch year once approved, else the year it was drafted (UTC)."""
    return func.coalesce(PublicationRow.year, extract("year", PublicationRow.created_at))


PUBLICATION_SORTS: Mapping[str, Any] = {
    "created": PublicationRow.created_at,
    "approved": PublicationRow.approved_at,
    "seq": PublicationRow.seq,
}


@dataclass(frozen=True, slots=True)
class Order:
    """A checked sort: a key of the list's sort map and its direction."""

    key: str
    descending: bool


def like(text: str) -> str:
    """`text` as a LIKE pattern matching anywhere, its wildcards escaped (use with escape='\\\\')."""
    cut = text.strip()[:MAX_SEARCH]
    return "%" + cut.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def day_range(column: Any, since: dt.date | None, until: dt.date | None) -> list[ColumnElement[bool]]:
    """`since` ≤ column < day after `until`: whole Beijing days, as the pages show times."""
    where: list[ColumnElement[bool]] = []
    if since is not None:
        where.append(column >= dt.datetime.combine(since, dt.time(), BEIJING).astimezone(dt.UTC))
    if until is not None:
        where.append(column < dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), BEIJING).astimezone(dt.UTC))
    return where


def page_rows(
    session: Session,
    entity: type[T],
    where: Sequence[ColumnElement[bool]],
    *,
    sort: Any,
    descending: bool,
    tiebreak: InstrumentedAttribute[Any],
    offset: int,
    limit: int,
) -> tuple[int, list[T]]:
    """(how many rows match, the rows of one page) for `entity` under `where`, in one sort order."""
    clause = and_(True, *where)
    total = int(session.scalar(select(func.count()).select_from(entity).where(clause)) or 0)
    order = (sort.desc(), tiebreak.desc()) if descending else (sort.asc(), tiebreak.asc())
    rows = session.scalars(select(entity).where(clause).order_by(*order).offset(max(0, offset)).limit(max(0, limit)))
    return total, list(rows)


# --- runs --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunQuery:
    """The run list's filters; None or empty means "any"."""

    task: str = ""
    status: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    search: str = ""


def page_runs(
    session: Session, query: RunQuery, order: Order, *, visible: SubjectFilter | None, offset: int, limit: int
) -> tuple[int, list[RunRecord]]:
    """Runs matching `query`; with `visible`, only runs with a result about a visible subject."""
    if visible is not None and visible.empty:
        return 0, []
    where = day_range(RunRow.started_at, query.since, query.until)
    if query.status:
        where.append(RunRow.status == query.status)
    if query.task:
        # a run "of" a task is one that has results for it (selections may name check ids only, not tasks)
        where.append(exists().where(ResultRow.run_id == RunRow.id, ResultRow.task == query.task))
    if query.search.strip():
        pattern = like(query.search)
        where.append(or_(RunRow.id.ilike(pattern, escape="\\"), RunRow.note.ilike(pattern, escape="\\")))
    if visible is not None:
        seen = _visible_clauses(session, ResultRow.subject_key, ResultRow.payload, visible)
        where.append(or_(*(exists().where(ResultRow.run_id == RunRow.id, clause) for clause in seen)))
    total, rows = page_rows(
        session,
        RunRow,
        where,
        sort=RUN_SORTS[order.key],
        descending=order.descending,
        tiebreak=RunRow.id,
        offset=offset,
        limit=limit,
    )
    return total, [_run_from_row(row) for row in rows]


# --- audit log ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """The audit log's filters: actor and action exact, target by prefix, whole days."""

    actor: str = ""
    action: str = ""
    target: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def page_audit(
    session: Session, query: AuditQuery, order: Order, *, offset: int, limit: int
) -> tuple[int, list[AuditRow]]:
    """Audit rows matching `query` (the log is for regulator admins: no subject scope applies)."""
    where = day_range(AuditRow.at, query.since, query.until)
    if query.actor:
        where.append(AuditRow.actor == query.actor)
    if query.action:
        where.append(AuditRow.action == query.action)
    if query.target.strip():
        prefix = query.target.strip()[:MAX_SEARCH].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(AuditRow.target.like(prefix + "%", escape="\\"))
    return page_rows(
        session,
        AuditRow,
        where,
        sort=AUDIT_SORTS[order.key],
        descending=order.descending,
        tiebreak=AuditRow.id,
        offset=offset,
        limit=limit,
    )


def audit_actions(session: Session) -> list[str]:
    """Every distinct audit action (the filter's choices)."""
    return sorted(session.scalars(select(AuditRow.action).distinct()))


# --- enterprises -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnterpriseQuery:
    """The enterprise list's filters; `allowed` (the scope) None = every enterprise."""

    type: str = ""
    province: str = ""
    search: str = ""
    allowed_provinces: Sequence[str] | None = None
    allowed_ids: Sequence[str] | None = None


def page_enterprises(
    session: Session, query: EnterpriseQuery, order: Order, *, offset: int, limit: int
) -> tuple[int, list[Enterprise]]:
    """Enterprises matching `query`, with their subject links (one query for the page's links)."""
    where: list[ColumnElement[bool]] = []
    if query.allowed_provinces is not None:
        where.append(EnterpriseRow.province.in_(sorted(set(query.allowed_provinces))))
    if query.allowed_ids is not None:
        where.append(EnterpriseRow.id.in_(sorted(set(query.allowed_ids))))
    if query.type:
        where.append(EnterpriseRow.type == query.type)
    if query.province:
        where.append(EnterpriseRow.province == query.province)
    if query.search.strip():
        pattern = like(query.search)
        where.append(
            or_(
                EnterpriseRow.id.ilike(pattern, escape="\\"),
                EnterpriseRow.name.ilike(pattern, escape="\\"),
                EnterpriseRow.uscc.ilike(pattern, escape="\\"),
            )
        )
    total, rows = page_rows(
        session,
        EnterpriseRow,
        where,
        sort=ENTERPRISE_SORTS[order.key],
        descending=order.descending,
        tiebreak=EnterpriseRow.id,
        offset=offset,
        limit=limit,
    )
    links: dict[str, list[EnterpriseSubjectRow]] = {}
    if rows:
        found = select(EnterpriseSubjectRow).where(EnterpriseSubjectRow.enterprise_id.in_([r.id for r in rows]))
        for link in session.scalars(found.order_by(EnterpriseSubjectRow.id)):
            links.setdefault(link.enterprise_id, []).append(link)
    return total, [_to_enterprise(row, links.get(row.id, [])) for row in rows]


def provinces(session: Session) -> list[str]:
    """Every province an enterprise names (the filter's choices)."""
    return sorted(p for p in session.scalars(select(EnterpriseRow.province).distinct()) if p)


# --- campaigns ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CampaignQuery:
    """The campaign list's filters: campaigns whose window touches `year`, search in id and name.

    `assigned_to` (the scope of an enterprise account) keeps campaigns it has assignments in.
    """

    year: int | None = None
    search: str = ""
    assigned_to: str | None = None


def page_campaigns(
    session: Session, query: CampaignQuery, order: Order, *, offset: int, limit: int
) -> tuple[int, list[Campaign]]:
    """Campaigns matching `query`, one page."""
    where: list[ColumnElement[bool]] = []
    if query.year is not None:
        where.append(CampaignRow.starts <= dt.date(query.year, 12, 31))
        where.append(CampaignRow.ends >= dt.date(query.year, 1, 1))
    if query.search.strip():
        pattern = like(query.search)
        where.append(or_(CampaignRow.id.ilike(pattern, escape="\\"), CampaignRow.name.ilike(pattern, escape="\\")))
    if query.assigned_to is not None:
        where.append(
            exists().where(
                AssignmentRow.campaign_id == CampaignRow.id, AssignmentRow.enterprise_id == query.assigned_to
            )
        )
    total, rows = page_rows(
        session,
        CampaignRow,
        where,
        sort=CAMPAIGN_SORTS[order.key],
        descending=order.descending,
        tiebreak=CampaignRow.id,
        offset=offset,
        limit=limit,
    )
    return total, [_campaign(row) for row in rows]


def campaign_years(session: Session) -> list[int]:
    """Every year a campaign's window starts or ends in, newest first (the filter's choices)."""
    years: set[int] = set()
    for starts, ends in session.execute(select(CampaignRow.starts, CampaignRow.ends)):
        years.update(range(starts.year, ends.year + 1))
    return sorted(years, reverse=True)


# --- publications ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicationQuery:
    """The publication list's filters; `approved_only` is the scope of a non-regulator."""

    kind: str = ""
    status: str = ""
    year: int | None = None
    search: str = ""
    approved_only: bool = False


def page_publications(
    session: Session, query: PublicationQuery, order: Order, *, offset: int, limit: int
) -> tuple[int, list[Publication]]:
    """Publications matching `query`, one page (drafts have no `seq`/`approved_at`: they sort as NULL)."""
    where: list[ColumnElement[bool]] = []
    if query.approved_only:
        where.append(PublicationRow.status == "approved")
    if query.kind:
        where.append(PublicationRow.kind == query.kind)
    if query.status:
        where.append(PublicationRow.status == query.status)
    if query.year is not None:
        where.append(publication_year() == query.year)
    if query.search.strip():
        pattern = like(query.search)
        where.append(
            or_(
                PublicationRow.id.ilike(pattern, escape="\\"),
                PublicationRow.body["title_prefix"].as_string().ilike(pattern, escape="\\"),
            )
        )
    total, rows = page_rows(
        session,
        PublicationRow,
        where,
        sort=PUBLICATION_SORTS[order.key],
        descending=order.descending,
        tiebreak=PublicationRow.id,
        offset=offset,
        limit=limit,
    )
    return total, [_publication(row) for row in rows]


def publication_years(session: Session) -> list[int]:
    """Every publication year present, newest first (the filter's choices)."""
    return sorted(
        {int(y) for y in session.scalars(select(publication_year()).distinct()) if y is not None}, reverse=True
    )
