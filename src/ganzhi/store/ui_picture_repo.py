"""Judged UI screens: save a run's pictures once, list an app's latest ones, read one by id.

Readers get `UiPicture` records (no ORM rows leak out); the scope check is the caller's (the web layer
asks `Scope.sees_subject` about `UiPicture.subject` before showing or serving anything).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from ganzhi.evidence.base import Subject
from ganzhi.findings.models import Result
from ganzhi.store._upsert import insert_ignoring_conflicts
from ganzhi.store.repositories import _parse
from ganzhi.store.tables import ResultRow, RunRow
from ganzhi.store.ui_picture_tables import UiPictureRow


class UiPicture(BaseModel):
    """One judged screen of one run: the blob holding its PNG and what it shows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int = 0
    run_id: str
    evidence_id: str
    subject: Subject
    bundle: str
    window_index: int
    window: str
    frame: int | None
    sha256: str
    size: int
    width: int
    height: int
    verdict: str
    facts: dict[str, Any]
    created_at: dt.datetime


def save_pictures(session: Session, pictures: Iterable[UiPicture]) -> int:
    """Store pictures not stored yet (by run, evidence and window); returns how many were new."""
    rows = [
        {
            "run_id": p.run_id,
            "evidence_id": p.evidence_id,
            "subject_type": p.subject.type,
            "subject_id": p.subject.id,
            "subject_key": p.subject.key,
            "subject": p.subject.model_dump(mode="json"),
            "bundle": p.bundle,
            "window_index": p.window_index,
            "window": p.window,
            "frame": p.frame,
            "sha256": p.sha256,
            "size": p.size,
            "width": p.width,
            "height": p.height,
            "verdict": p.verdict,
            "facts": p.facts,
            "created_at": p.created_at,
        }
        for p in pictures
    ]
    return insert_ignoring_conflicts(session, UiPictureRow, rows, ["run_id", "evidence_id", "window_index"])


def _record(row: UiPictureRow) -> UiPicture:
    return UiPicture(
        id=row.id,
        run_id=row.run_id,
        evidence_id=row.evidence_id,
        subject=_parse(Subject, row.subject, f"ui_pictures row {row.id}"),
        bundle=row.bundle,
        window_index=row.window_index,
        window=row.window,
        frame=row.frame,
        sha256=row.sha256,
        size=row.size,
        width=row.width,
        height=row.height,
        verdict=row.verdict,
        facts=row.facts,
        created_at=row.created_at,
    )


def get_picture(session: Session, picture_id: int) -> UiPicture | None:
    """One picture by id, or None."""
    row = session.get(UiPictureRow, picture_id)
    return _record(row) if row is not None else None


def pictures_of(session: Session, subject_type: str, subject_id: str, *, limit: int = 1000) -> list[UiPicture]:
    """Every stored picture of one subject (any version), newest run first, at most `limit`.

    Callers pick the latest run among those whose subject the reader may see; the rows are few per app
    (bounded when they are stored), so the scope check can run on records.
    """
    query = (
        select(UiPictureRow)
        .join(RunRow, RunRow.id == UiPictureRow.run_id)
        .where(UiPictureRow.subject_type == subject_type, UiPictureRow.subject_id == subject_id)
        .order_by(RunRow.started_at.desc(), UiPictureRow.run_id.desc(), UiPictureRow.id)
        .limit(limit)
    )
    return [_record(row) for row in session.scalars(query)]


def results_for_subject(session: Session, run_id: str, subject_key: str, tasks: Sequence[str]) -> list[Result]:
    """The results of one run about one subject key in the given tasks, in the order they were saved."""
    query = (
        select(ResultRow)
        .where(ResultRow.run_id == run_id, ResultRow.subject_key == subject_key, ResultRow.task.in_(list(tasks)))
        .order_by(ResultRow.id)
    )
    return [_parse(Result, row.payload, f"results row {row.id}") for row in session.scalars(query)]
