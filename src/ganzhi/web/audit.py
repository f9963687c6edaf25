"""The audit log: every state change made through the web platform, with who, what and when.

Entries are written in the same transaction as the change they describe, so a change without its
audit entry (or the reverse) cannot be committed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ganzhi.accounts.users import Principal
from ganzhi.store.web_tables import AuditRow

#: Longest detail value kept per field (characters); longer values are cut with a marker.
MAX_DETAIL_CHARS = 2000


class AuditEntry(BaseModel):
    """One audit record as the API returns it."""

    model_config = ConfigDict(frozen=True)

    id: int
    at: dt.datetime
    actor: str
    role: str
    action: str
    target: str
    detail: dict[str, Any]
    client: str | None


def _bounded(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_DETAIL_CHARS:
        return value[:MAX_DETAIL_CHARS] + f"…(+{len(value) - MAX_DETAIL_CHARS} chars)"
    return value


def record(
    session: Session,
    principal: Principal,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
    *,
    client: str | None = None,
) -> None:
    """Append one entry (flushed, committed with the caller's unit of work)."""
    session.add(
        AuditRow(
            at=dt.datetime.now(dt.UTC),
            actor=principal.actor,
            role=principal.role.value,
            action=action,
            target=target[:1024],
            detail={k: _bounded(v) for k, v in (detail or {}).items()},
            client=client[:128] if client else None,
        )
    )
    session.flush()


def entries(
    session: Session, *, actor: str | None = None, target: str | None = None, limit: int = 200
) -> list[AuditEntry]:
    """Newest entries first, optionally of one actor and/or about one target (an object's history)."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if actor is not None:
        query = query.where(AuditRow.actor == actor)
    if target is not None:
        query = query.where(AuditRow.target == target)
    return [
        AuditEntry(
            id=row.id,
            at=row.at,
            actor=row.actor,
            role=row.role,
            action=row.action,
            target=row.target,
            detail=row.detail,
            client=row.client,
        )
        for row in session.scalars(query)
    ]


def count(session: Session) -> int:
    """How many entries exist (tests compare before and after a refused request)."""
    return int(session.scalar(select(func.count()).select_from(AuditRow)) or 0)
