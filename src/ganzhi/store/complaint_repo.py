"""Repository of classified complaints: save (duplicates by external id are skipped) and list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ganzhi.store.publication_tables import ComplaintRow
from ganzhi.supervision.complaints.trends import StoredComplaint


def save_complaints(session: Session, rows: Iterable[ComplaintRow]) -> tuple[int, int]:
    """Insert complaints whose external id is new; returns (inserted, skipped as already imported)."""
    items = list(rows)
    wanted = [r.external_id for r in items]
    known = set(session.scalars(select(ComplaintRow.external_id).where(ComplaintRow.external_id.in_(wanted))))
    inserted = 0
    for row in items:
        if row.external_id in known:
            continue
        known.add(row.external_id)
        session.add(row)
        inserted += 1
    session.flush()
    return inserted, len(items) - inserted


def list_complaints(
    session: Session,
    *,
    enterprise_id: str | None = None,
    task: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[StoredComplaint]:
    """Complaints matching the filters, oldest first."""
    query = select(ComplaintRow).order_by(ComplaintRow.received_on, ComplaintRow.id)
    if enterprise_id is not None:
        query = query.where(ComplaintRow.enterprise_id == enterprise_id)
    if task is not None:
        query = query.where(ComplaintRow.task == task)
    if since is not None:
        query = query.where(ComplaintRow.received_on >= since)
    if until is not None:
        query = query.where(ComplaintRow.received_on <= until)
    return [
        StoredComplaint(
            external_id=r.external_id,
            text=r.text,
            received_on=r.received_on.isoformat(),
            enterprise_id=r.enterprise_id,
            enterprise_name=r.enterprise_name,
            channel=r.channel,
            task=r.task,
            confidence=r.confidence,
        )
        for r in session.scalars(query)
    ]
