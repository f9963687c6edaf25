"""Store submissions in the database: one row per (store, APK sha256), read through the caller's scope.

An app store sees only its own submissions, an enterprise only its own self-checks; regulators see all;
the public none.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from ganzhi.accounts.roles import Role
from ganzhi.accounts.scope import Scope
from ganzhi.errors import StoreError
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


def get(scope: Scope, sha256: str) -> SubmissionView | None:
    """The submission of this APK visible to the scope (an app store's own; any for regulators)."""
    if scope.role in SUBMITTERS and scope.principal.scope_id:
        row = _row(scope.session, scope.principal.scope_id, sha256)
        return None if row is None else view(row)
    if scope.principal.is_regulator:
        row = scope.session.scalar(
            select(SubmissionRow).where(SubmissionRow.sha256 == sha256).order_by(SubmissionRow.id).limit(1)
        )
        return None if row is None else view(row)
    return None


def listing(scope: Scope, *, limit: int = 200) -> list[SubmissionView]:
    """Visible submissions, newest first."""
    query = select(SubmissionRow).order_by(SubmissionRow.id.desc()).limit(limit)
    if scope.role in SUBMITTERS and scope.principal.scope_id:
        query = query.where(SubmissionRow.store_id == scope.principal.scope_id)
    elif not scope.principal.is_regulator:
        return []
    return [view(row) for row in scope.session.scalars(query)]
