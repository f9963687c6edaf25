"""ORM tables of part 2 of the supervision loop: published snapshots, look-backs and complaints.

A publication row keeps its whole content as `body` (canonical JSON is hashed from it); the chain
columns (`seq`, `prev_hash`, `hash`, batch numbers) are filled once, when a second person approves the
draft, and never change afterwards. Look-backs keep their selection and report; complaints keep the
text and the model's label. Same portable types and naming convention as `tables.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ganzhi.store.supervision_tables import TITLE_LEN
from ganzhi.store.tables import ID_LEN, KEY_LEN, NAME_LEN, STATE_LEN, Base, SurrogateKey, UTCDateTime

#: Length of a hex sha256.
HASH_LEN = 64


class PublicationRow(Base):
    """A 通报 / 下架 / ranking snapshot: a draft until approved, then a sealed link of the hash chain."""

    __tablename__ = "publications"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(STATE_LEN))
    status: Mapped[str] = mapped_column(String(STATE_LEN), index=True)
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(KEY_LEN))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    approved_by: Mapped[str | None] = mapped_column(String(KEY_LEN))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    year: Mapped[int | None] = mapped_column(Integer)
    batch_in_year: Mapped[int | None] = mapped_column(Integer)
    batch_total: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(HASH_LEN))
    hash: Mapped[str | None] = mapped_column(String(HASH_LEN))


class LookbackRow(Base):
    """A look-back (回头看): what was selected, the run that re-tested it and the report."""

    __tablename__ = "lookbacks"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    round_number: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(KEY_LEN))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    selection: Mapped[dict[str, Any]] = mapped_column(JSON)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class ComplaintRow(Base):
    """One imported complaint with the task the classifier gave it (or a person corrected)."""

    __tablename__ = "complaints"
    __table_args__ = (Index(None, "enterprise_id", "task"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    external_id: Mapped[str] = mapped_column(String(KEY_LEN), unique=True)
    text: Mapped[str] = mapped_column(Text)
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    enterprise_name: Mapped[str | None] = mapped_column(String(TITLE_LEN))
    channel: Mapped[str] = mapped_column(String(NAME_LEN))
    task: Mapped[str] = mapped_column(String(STATE_LEN))
    confidence: Mapped[float] = mapped_column(Float)
    model: Mapped[str] = mapped_column(String(NAME_LEN))
    source: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: Province the complaint came from (12300 exports say it; else the enterprise's province).
    province: Mapped[str | None] = mapped_column(String(NAME_LEN), index=True)
