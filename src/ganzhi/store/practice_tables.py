"""ORM table of 典型案例: good practice an enterprise showed, recorded by a regulator, approved to publish.

A record names the enterprise and the task, says what the practice is and what evidence shows it;
only an approved record (a second regulator) appears on the public portal. Same portable types and
naming convention as `tables.py`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ganzhi.store.tables import ID_LEN, KEY_LEN, NAME_LEN, STATE_LEN, Base, UTCDateTime


class GoodPracticeRow(Base):
    """One 典型案例 / good-practice record; `status` is draft or approved."""

    __tablename__ = "good_practices"
    __table_args__ = (Index(None, "status", "task"),)

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    task: Mapped[str] = mapped_column(String(STATE_LEN))
    title: Mapped[str] = mapped_column(String(KEY_LEN))
    practice: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(STATE_LEN))
    created_by: Mapped[str] = mapped_column(String(NAME_LEN))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(NAME_LEN))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
