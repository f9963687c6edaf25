"""Repositories of published snapshots and look-backs: plain functions from models to rows and back.

Every function takes an open `Session` and leaves committing to the caller. Approval reads the chain
and appends the sealed snapshot in the same transaction; the unique `seq` column makes two concurrent
approvals collide instead of forking the chain.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ganzhi.errors import StoreError
from ganzhi.store.publication_tables import LookbackRow, PublicationRow
from ganzhi.store.supervision_tables import CampaignRow
from ganzhi.supervision.chain import Windows, seal
from ganzhi.supervision.publications import Publication, PublicationKind, PublicationStatus


def _publication(row: PublicationRow) -> Publication:
    return Publication(
        id=row.id,
        kind=PublicationKind(row.kind),
        status=PublicationStatus(row.status),
        campaign_id=row.campaign_id,
        created_by=row.created_by,
        created_at=row.created_at,
        body=dict(row.body),
        approved_by=row.approved_by,
        approved_at=row.approved_at,
        seq=row.seq,
        year=row.year,
        batch_in_year=row.batch_in_year,
        batch_total=row.batch_total,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def save_draft(session: Session, draft: Publication) -> Publication:
    """Store a new draft; an existing id or a non-draft is a StoreError."""
    if draft.status is not PublicationStatus.DRAFT:
        raise StoreError(f"publication {draft.id!r}: expected a draft, got status {draft.status.value}")
    if session.get(PublicationRow, draft.id) is not None:
        raise StoreError(f"publication {draft.id!r} already exists; snapshots are immutable, use a new id")
    session.add(
        PublicationRow(
            id=draft.id,
            kind=draft.kind.value,
            status=draft.status.value,
            campaign_id=draft.campaign_id,
            created_by=draft.created_by,
            created_at=draft.created_at,
            body=draft.body,
        )
    )
    session.flush()
    return draft


def get_publication(session: Session, publication_id: str) -> Publication:
    """The snapshot with this id; StoreError listing the known ids when absent."""
    row = session.get(PublicationRow, publication_id)
    if row is None:
        known = list(session.scalars(select(PublicationRow.id).order_by(PublicationRow.created_at)))
        raise StoreError(f"no publication {publication_id!r}; known publications: {known}")
    return _publication(row)


def list_publications(session: Session) -> list[Publication]:
    """Approved snapshots in chain order, then drafts by creation time."""
    rows = session.scalars(select(PublicationRow).order_by(PublicationRow.seq, PublicationRow.created_at))
    found = [_publication(row) for row in rows]
    return [p for p in found if p.seq is not None] + [p for p in found if p.seq is None]


def chain(session: Session) -> list[Publication]:
    """Every stored snapshot that is approved or holds a chain position, in `seq` order."""
    rows = session.scalars(
        select(PublicationRow)
        .where((PublicationRow.seq.is_not(None)) | (PublicationRow.status == PublicationStatus.APPROVED.value))
        .order_by(PublicationRow.seq)
    )
    return [_publication(row) for row in rows]


def campaign_windows(session: Session) -> Windows:
    """Every stored campaign's window: what `chain.verify` checks batch years against."""
    return {
        row.id: (row.starts, row.ends)
        for row in session.execute(select(CampaignRow.id, CampaignRow.starts, CampaignRow.ends))
    }


def approve(
    session: Session, publication_id: str, *, approver: str, at: dt.datetime, first_total: int | None = None
) -> Publication:
    """Seal a draft as the next link of the chain (approver ≠ creator) and store the seal."""
    row = session.get(PublicationRow, publication_id)
    if row is None:
        raise StoreError(f"no publication {publication_id!r} to approve")
    window = None
    if row.campaign_id is not None:
        campaign = session.get(CampaignRow, row.campaign_id)
        if campaign is None:
            raise StoreError(f"publication {publication_id!r}: its campaign {row.campaign_id!r} is not stored")
        window = (campaign.starts, campaign.ends)
    sealed = seal(_publication(row), chain(session), approver=approver, at=at, first_total=first_total, window=window)
    row.status = sealed.status.value
    row.approved_by, row.approved_at = sealed.approved_by, sealed.approved_at
    row.seq, row.year, row.batch_in_year, row.batch_total = (
        sealed.seq,
        sealed.year,
        sealed.batch_in_year,
        sealed.batch_total,
    )
    row.prev_hash, row.hash = sealed.prev_hash, sealed.hash
    session.flush()
    return sealed


def save_lookback(
    session: Session,
    lookback_id: str,
    *,
    run_id: str,
    actor: str,
    at: dt.datetime,
    selection: dict[str, Any],
    report: dict[str, Any],
    campaign_id: str | None = None,
    round_number: int | None = None,
) -> None:
    """Store a look-back's selection and report; an existing id is a StoreError."""
    if session.get(LookbackRow, lookback_id) is not None:
        raise StoreError(f"look-back {lookback_id!r} already exists; expected a new id")
    session.add(
        LookbackRow(
            id=lookback_id,
            run_id=run_id,
            campaign_id=campaign_id,
            round_number=round_number,
            actor=actor,
            created_at=at,
            selection=selection,
            report=report,
        )
    )
    session.flush()


def get_lookback(session: Session, lookback_id: str) -> dict[str, Any]:
    """A stored look-back as a mapping (id, run, campaign, round, actor, time, selection, report)."""
    row = session.get(LookbackRow, lookback_id)
    if row is None:
        known = list(session.scalars(select(LookbackRow.id).order_by(LookbackRow.created_at)))
        raise StoreError(f"no look-back {lookback_id!r}; known look-backs: {known}")
    return {
        "id": row.id,
        "run_id": row.run_id,
        "campaign_id": row.campaign_id,
        "round_number": row.round_number,
        "actor": row.actor,
        "created_at": row.created_at.isoformat(),
        "selection": dict(row.selection),
        "report": dict(row.report),
    }
