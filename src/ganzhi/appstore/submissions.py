"""Store submissions in the database: one row per (store, APK sha256), read through the caller's scope.

An app store sees only its own submissions, an enterprise only its own self-checks; national regulators
see all, a provincial regulator those of the stores and enterprises registered in its provinces; the
public none. The list page's filters, search and paging run in SQL (`page_submissions`), so a page, its
total and its export are the same selection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from ganzhi.accounts.roles import Role
from ganzhi.accounts.scope import Scope
from ganzhi.errors import StoreError
from ganzhi.i18n import Text
from ganzhi.store.web_tables import SubmissionRow

#: Roles whose own submissions are keyed by their scope id: an app store's pre-listing checks and an
#: enterprise's self-checks (an enterprise id and a store id are both enterprise-register ids, never equal).
SUBMITTERS = frozenset({Role.APP_STORE, Role.ENTERPRISE})


class SubmissionStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    ERROR = "error"


class SubmissionView(BaseModel):
    """A submission as the API returns it (and the webhook sends it)."""

    model_config = ConfigDict(frozen=True)

    store_id: str
    sha256: str
    filename: str
    size: int
    status: SubmissionStatus
    verdict: str | None
    package: str | None
    version_name: str | None
    app_name: str | None = None
    run_id: str | None
    findings: list[dict[str, Any]]
    error: str | None
    callback_status: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


def view(row: SubmissionRow) -> SubmissionView:
    return SubmissionView(
        store_id=row.store_id,
        sha256=row.sha256,
        filename=row.filename,
        size=row.size,
        status=SubmissionStatus(row.status),
        verdict=row.verdict,
        package=row.package,
        version_name=row.version_name,
        app_name=row.app_name,
        run_id=row.run_id,
        findings=list(row.findings),
        error=row.error,
        callback_status=row.callback_status,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def _row(session: Session, store_id: str, sha256: str) -> SubmissionRow | None:
    return session.scalar(
        select(SubmissionRow).where(SubmissionRow.store_id == store_id, SubmissionRow.sha256 == sha256)
    )


def find(session: Session, store_id: str, sha256: str) -> SubmissionRow | None:
    """The row of this store's submission of this APK (unscoped: for the service itself)."""
    return _row(session, store_id, sha256)


def finished_elsewhere(session: Session, sha256: str) -> SubmissionRow | None:
    """A finished scan of the same APK by any store (its verdict can be reused without rescanning)."""
    return session.scalar(
        select(SubmissionRow)
        .where(SubmissionRow.sha256 == sha256, SubmissionRow.status == SubmissionStatus.DONE.value)
        .order_by(SubmissionRow.id)
        .limit(1)
    )


def for_store(session: Session, store_id: str) -> list[SubmissionRow]:
    """Every submission of one store (unscoped: the caller is the store's own re-scan)."""
    return list(
        session.scalars(select(SubmissionRow).where(SubmissionRow.store_id == store_id).order_by(SubmissionRow.id))
    )


def finished_run(session: Session, sha256: str, run_id: str) -> SubmissionRow | None:
    """A finished scan of this APK by the given run (any store): its verdict can be reused."""
    return session.scalar(
        select(SubmissionRow)
        .where(
            SubmissionRow.sha256 == sha256,
            SubmissionRow.run_id == run_id,
            SubmissionRow.status == SubmissionStatus.DONE.value,
        )
        .order_by(SubmissionRow.id)
        .limit(1)
    )


def create(
    session: Session,
    *,
    store_id: str,
    sha256: str,
    filename: str,
    size: int,
    submitted_by: str,
    callback_url: str | None,
) -> SubmissionRow:
    if _row(session, store_id, sha256) is not None:
        raise StoreError(f"store {store_id!r} already submitted APK {sha256}; submissions are idempotent")
    row = SubmissionRow(
        store_id=store_id,
        sha256=sha256,
        filename=filename[:200],
        size=size,
        status=SubmissionStatus.QUEUED.value,
        findings=[],
        callback_url=callback_url,
        submitted_by=submitted_by,
        created_at=dt.datetime.now(dt.UTC),
    )
    session.add(row)
    session.flush()
    return row


def get_for_store(scope: Scope, store_id: str, sha256: str) -> SubmissionView | None:
    """One store's submission of this APK if the scope sees it (the detail page's object)."""
    where = _scope_clause(scope)
    if where is None:
        return None
    row = scope.session.scalar(
        select(SubmissionRow).where(where, SubmissionRow.store_id == store_id, SubmissionRow.sha256 == sha256)
    )
    return None if row is None else view(row)


def get(scope: Scope, sha256: str) -> SubmissionView | None:
    """The submission of this APK visible to the scope (an app store's own; a regulator's first visible one)."""
    where = _scope_clause(scope)
    if where is None:
        return None
    row = scope.session.scalar(
        select(SubmissionRow).where(where, SubmissionRow.sha256 == sha256).order_by(SubmissionRow.id).limit(1)
    )
    return None if row is None else view(row)


def listing(scope: Scope, *, limit: int = 200) -> list[SubmissionView]:
    """Visible submissions, newest first."""
    where = _scope_clause(scope)
    if where is None:
        return []
    query = select(SubmissionRow).where(where).order_by(SubmissionRow.id.desc()).limit(limit)
    return [view(row) for row in scope.session.scalars(query)]


#: Submission dates are Beijing dates (the day a regulator or store speaks of).
BEIJING = ZoneInfo("Asia/Shanghai")
#: Longest search text (characters); longer input is cut, never sent whole to LIKE.
MAX_SEARCH = 100
#: Verdicts a finished scan gives (`appstore.verdict`).
VERDICTS = ("pass", "review", "block")


@dataclass(frozen=True, slots=True)
class SubmissionQuery:
    """The list page's filters; empty means "any". Dates are Beijing calendar days, both inclusive."""

    store_ids: Sequence[str] = ()
    verdicts: Sequence[str] = ()
    statuses: Sequence[SubmissionStatus] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    search: str = ""


def scope_note(scope: Scope) -> Text:
    """Which submissions this account sees, in words (the list page says it above the table)."""
    if scope.role in SUBMITTERS and scope.principal.scope_id:
        own = scope.principal.scope_id
        return Text(zh=f"仅本单位（{own}）提交的检测", en=f"only the submissions of this account ({own})")
    if scope.national:
        return Text(zh="全国：所有应用商店与企业的提交", en="national: every store's and enterprise's submissions")
    if scope.principal.is_regulator:
        zh, en = "、".join(scope.principal.provinces), ", ".join(scope.principal.provinces)
        return Text(zh=f"仅{zh}登记的应用商店与企业的提交", en=f"only stores and enterprises registered in {en}")
    return Text(zh="无权查看", en="none")


def _scope_clause(scope: Scope) -> ColumnElement[bool] | None:
    """The scope as a WHERE clause; None when the account sees no submission at all."""
    if scope.role in SUBMITTERS and scope.principal.scope_id:
        return SubmissionRow.store_id == scope.principal.scope_id
    if scope.national:
        return true()
    if scope.principal.is_regulator:
        mine = sorted(scope.province_enterprises())
        return SubmissionRow.store_id.in_(mine) if mine else false()
    return None


def _beijing_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BEIJING).astimezone(dt.UTC)


def _where(query: SubmissionQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.store_ids:
        where.append(SubmissionRow.store_id.in_(sorted(set(query.store_ids))))
    if query.verdicts:
        where.append(SubmissionRow.verdict.in_(sorted(set(query.verdicts))))
    if query.statuses:
        where.append(SubmissionRow.status.in_(sorted({SubmissionStatus(s).value for s in query.statuses})))
    if query.since is not None:
        where.append(SubmissionRow.created_at >= _beijing_midnight(query.since))
    if query.until is not None:
        where.append(SubmissionRow.created_at < _beijing_midnight(query.until + dt.timedelta(days=1)))
    text = query.search.strip()[:MAX_SEARCH]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            or_(
                SubmissionRow.package.ilike(pattern, escape="\\"),
                SubmissionRow.app_name.ilike(pattern, escape="\\"),
                SubmissionRow.filename.ilike(pattern, escape="\\"),
                SubmissionRow.sha256.ilike(pattern, escape="\\"),
            )
        )
    return where


def page_submissions(
    scope: Scope, query: SubmissionQuery, *, offset: int = 0, limit: int = 50
) -> tuple[int, list[SubmissionView]]:
    """(total matching, one page newest first) of the submissions the scope sees, filtered in SQL."""
    visible = _scope_clause(scope)
    if visible is None:
        return 0, []
    where = and_(visible, *_where(query))
    total = int(scope.session.scalar(select(func.count()).select_from(SubmissionRow).where(where)) or 0)
    rows = scope.session.scalars(
        select(SubmissionRow)
        .where(where)
        .order_by(SubmissionRow.created_at.desc(), SubmissionRow.id.desc())
        .offset(max(0, offset))
        .limit(max(0, limit))
    )
    return total, [view(row) for row in rows]


def other_stores(scope: Scope, sha256: str, store_id: str) -> list[SubmissionView]:
    """Other visible submissions of the same APK (by another store or an enterprise's self-check)."""
    visible = _scope_clause(scope)
    if visible is None:
        return []
    rows = scope.session.scalars(
        select(SubmissionRow)
        .where(visible, SubmissionRow.sha256 == sha256, SubmissionRow.store_id != store_id)
        .order_by(SubmissionRow.id)
        .limit(50)
    )
    return [view(row) for row in rows]
