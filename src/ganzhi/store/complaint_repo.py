"""Repository of classified complaints: save (duplicates by external id are skipped) and list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ganzhi.store.publication_tables import ComplaintRow
from ganzhi.supervision.complaints.classifier import Prediction
from ganzhi.supervision.complaints.intake import ComplaintIn
from ganzhi.supervision.complaints.trends import StoredComplaint
from ganzhi.supervision.models import Enterprise
from ganzhi.supervision.ownership import Ownership


def complaint_rows(
    items: Sequence[ComplaintIn],
    predictions: Sequence[Prediction],
    enterprises: Sequence[Enterprise],
    *,
    model: str,
    at: dt.datetime,
) -> list[ComplaintRow]:
    """Rows for classified complaints: the enterprise resolved against the register (id, USCC or name),
    the province as the file gives it, else the enterprise's province."""
    ownership = Ownership.build(enterprises)
    provinces = {e.id: e.province for e in enterprises}
    rows = []
    for item, prediction in zip(items, predictions, strict=True):
        enterprise_id = ownership.aliases.get(item.enterprise) if item.enterprise else None
        rows.append(
            ComplaintRow(
                external_id=item.external_id,
                text=item.text,
                received_on=item.received_on,
                enterprise_id=enterprise_id,
                enterprise_name=item.enterprise,
                channel=item.channel,
                task=prediction.label,
                confidence=prediction.confidence,
                model=model,
                source=item.source,
                imported_at=at,
                province=item.province or (provinces.get(enterprise_id) if enterprise_id else None),
            )
        )
    return rows


def province_task_counts(session: Session, *, provinces: Sequence[str] = ()) -> dict[tuple[str, str], int]:
    """(province, task) → complaints, optionally of some provinces only (a provincial regulator's view)."""
    query = select(ComplaintRow.province, ComplaintRow.task, func.count()).group_by(
        ComplaintRow.province, ComplaintRow.task
    )
    if provinces:
        query = query.where(ComplaintRow.province.in_(sorted(provinces)))
    return {(province or "", task): int(n) for province, task, n in session.execute(query)}


def recent_complaints(
    session: Session, *, provinces: Sequence[str] = (), task: str | None = None, limit: int = 100
) -> list[ComplaintRow]:
    """The newest complaints (by date), optionally of some provinces or one task, at most `limit`."""
    query = select(ComplaintRow).order_by(ComplaintRow.received_on.desc(), ComplaintRow.id.desc()).limit(limit)
    if provinces:
        query = query.where(ComplaintRow.province.in_(sorted(provinces)))
    if task:
        query = query.where(ComplaintRow.task == task)
    return list(session.scalars(query))


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
