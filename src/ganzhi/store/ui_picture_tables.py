"""ORM table of judged UI screens: the picture the analyser's overlay drew for one ad window of one run.

The PNG itself is a blob (content-addressed, `store.blobs`); the row says which run, subject, capture bundle
and ad window it shows, where the close control was found and the verdict drawn on it, so the app page can
list a run's judged screens and the picture route can check the subject's scope before serving the blob.
Same portable types and naming convention as `tables.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ganzhi.store.tables import KEY_LEN, NAME_LEN, STATE_LEN, Base, SurrogateKey, UTCDateTime

SHA_LEN = 64


class UiPictureRow(Base):
    """One judged screen: (run, evidence, ad window) is unique, so storing a run's pictures twice is a no-op."""

    __tablename__ = "ui_pictures"
    __table_args__ = (
        UniqueConstraint("run_id", "evidence_id", "window_index"),
        Index(None, "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    evidence_id: Mapped[str] = mapped_column(String(SHA_LEN))
    subject_type: Mapped[str] = mapped_column(String(NAME_LEN))
    subject_id: Mapped[str] = mapped_column(String(KEY_LEN))
    subject_key: Mapped[str] = mapped_column(String(KEY_LEN))
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    bundle: Mapped[str] = mapped_column(String(KEY_LEN))
    window_index: Mapped[int] = mapped_column(Integer)
    window: Mapped[str] = mapped_column(String(KEY_LEN))
    frame: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(SHA_LEN))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(STATE_LEN))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
