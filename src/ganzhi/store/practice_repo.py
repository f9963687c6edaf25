"""Repository of 典型案例 records: save a draft, approve it, list (all, or approved only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ganzhi.errors import StoreError
from ganzhi.store.practice_tables import GoodPracticeRow
from ganzhi.store.supervision_tables import EnterpriseRow
from ganzhi.supervision.practices import GoodPractice, PracticeStatus, approve


def _model(row: GoodPracticeRow) -> GoodPractice:
    return GoodPractice(
        id=row.id,
        enterprise_id=row.enterprise_id,
        task=row.task,
        title=row.title,
        practice=row.practice,
        evidence=row.evidence,
        status=PracticeStatus(row.status),
        created_by=row.created_by,
        created_at=row.created_at,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
    )


def save_practice(session: Session, record: GoodPractice) -> GoodPractice:
    """Store a new draft; refuses an existing id or an unknown enterprise (the message says which)."""
    if session.get(GoodPracticeRow, record.id) is not None:
        raise StoreError(f"典型案例 {record.id!r} already exists; choose another id")
    if session.get(EnterpriseRow, record.enterprise_id) is None:
        raise StoreError(f"no enterprise {record.enterprise_id!r}; register it first (ganzhi enterprise)")
    session.add(
        GoodPracticeRow(
            id=record.id,
            enterprise_id=record.enterprise_id,
            task=record.task,
            title=record.title,
            practice=record.practice,
            evidence=record.evidence,
            status=record.status.value,
            created_by=record.created_by,
            created_at=record.created_at,
        )
    )
    session.flush()
    return record


def approve_practice(session: Session, practice_id: str, approver: str, at: dt.datetime) -> GoodPractice:
    """Approve a draft (four eyes: not its drafter); raises StoreError for an unknown id, ValueError otherwise."""
    row = session.get(GoodPracticeRow, practice_id)
    if row is None:
        raise StoreError(f"no 典型案例 {practice_id!r}")
    approved = approve(_model(row), approver, at)
    row.status, row.approved_by, row.approved_at = approved.status.value, approved.approved_by, approved.approved_at
    session.flush()
    return approved


def list_practices(
    session: Session, *, approved_only: bool = False, enterprise_ids: Sequence[str] | None = None, limit: int = 500
) -> list[GoodPractice]:
    """Records, newest first; `approved_only` for the public portal; `enterprise_ids` for a province's view."""
    query = select(GoodPracticeRow).order_by(GoodPracticeRow.created_at.desc(), GoodPracticeRow.id).limit(limit)
    if approved_only:
        query = query.where(GoodPracticeRow.status == PracticeStatus.APPROVED.value)
    if enterprise_ids is not None:
        query = query.where(GoodPracticeRow.enterprise_id.in_(sorted(enterprise_ids)))
    return [_model(row) for row in session.scalars(query)]
