"""ORM tables of the supervision loop: campaigns, rounds, enterprises, assignments, interviews, ladder.

Keys are the regulator's stable slugs (campaign id, enterprise id, interview id) and the round's
surrogate id, so later records — published 通报 lists, look-backs — can reference a campaign, a
round, an enterprise and issues (by fingerprint) without copying them. Same portable types and
naming convention as `tables.py`; this module registers on the same `Base.metadata`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ganzhi.store.tables import ID_LEN, KEY_LEN, NAME_LEN, STATE_LEN, Base, SurrogateKey, UTCDateTime

#: Longest human-readable title (campaign, round, enterprise name).
TITLE_LEN = 200
#: 统一社会信用代码 length.
USCC_LEN = 18


class CampaignRow(Base):
    """A campaign: window, tasks, validated param overrides and the key lists it uses."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(TITLE_LEN))
    starts: Mapped[dt.date] = mapped_column(Date)
    ends: Mapped[dt.date] = mapped_column(Date)
    tasks: Mapped[list[str]] = mapped_column(JSON)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON)
    key_lists: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CampaignRoundRow(Base):
    """An inspection or look-back round of a campaign, numbered from 1 within it."""

    __tablename__ = "campaign_rounds"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(TITLE_LEN))
    kind: Mapped[str] = mapped_column(String(STATE_LEN))
    starts: Mapped[dt.date] = mapped_column(Date)
    ends: Mapped[dt.date | None] = mapped_column(Date)


class RoundRunRow(Base):
    """A check run attached to a round; a run belongs to at most one round."""

    __tablename__ = "round_runs"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("campaign_rounds.id", ondelete="CASCADE"), index=True)
    attached_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attached_by: Mapped[str] = mapped_column(String(KEY_LEN))


class EnterpriseRow(Base):
    """An enterprise under supervision; the USCC is unique."""

    __tablename__ = "enterprises"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(TITLE_LEN))
    uscc: Mapped[str] = mapped_column(String(USCC_LEN), unique=True)
    type: Mapped[str] = mapped_column(String(STATE_LEN), index=True)
    province: Mapped[str | None] = mapped_column(String(NAME_LEN))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class EnterpriseSubjectRow(Base):
    """A subject (app, hotline, hall, cloud-drive service) an enterprise operates or distributes."""

    __tablename__ = "enterprise_subjects"
    __table_args__ = (UniqueConstraint("enterprise_id", "subject_key", "role"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(String(NAME_LEN))
    subject_id: Mapped[str] = mapped_column(String(KEY_LEN))
    subject_key: Mapped[str] = mapped_column(String(KEY_LEN), index=True)
    role: Mapped[str] = mapped_column(String(STATE_LEN))
    name: Mapped[str | None] = mapped_column(String(TITLE_LEN))


class KeyListRow(Base):
    """A key-enterprise list the regulator maintains (首批39家, 100家) and the tasks it scopes."""

    __tablename__ = "key_lists"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(TITLE_LEN))
    basis: Mapped[str] = mapped_column(Text)
    tasks: Mapped[list[str]] = mapped_column(JSON)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class KeyListMemberRow(Base):
    """A member of a key list, by USCC (the enterprise may not be registered yet)."""

    __tablename__ = "key_list_members"

    list_id: Mapped[str] = mapped_column(ForeignKey("key_lists.id", ondelete="CASCADE"), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(USCC_LEN), primary_key=True)


class AssignmentRow(Base):
    """A task an enterprise must do in a campaign, and why (its type or a key list)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("campaign_id", "enterprise_id", "task"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    task: Mapped[str] = mapped_column(String(STATE_LEN))
    basis: Mapped[str] = mapped_column(String(STATE_LEN))
    list_id: Mapped[str | None] = mapped_column(String(ID_LEN))


class InterviewRow(Base):
    """A 约谈 record; its commitments are rows of `interview_commitments`."""

    __tablename__ = "interviews"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    held_on: Mapped[dt.date] = mapped_column(Date)
    attendees: Mapped[list[str]] = mapped_column(JSON)
    minutes: Mapped[str] = mapped_column(Text)
    fingerprints: Mapped[list[str]] = mapped_column(JSON)
    rule_ids: Mapped[list[str]] = mapped_column(JSON)
    recorded_by: Mapped[str] = mapped_column(String(KEY_LEN))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class InterviewCommitmentRow(Base):
    """One commitment made in an interview, with its due date (queried for reminders)."""

    __tablename__ = "interview_commitments"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    due: Mapped[dt.date] = mapped_column(Date, index=True)
    fingerprints: Mapped[list[str]] = mapped_column(JSON)


class LadderEventRow(Base):
    """One audited move on the enforcement ladder (who, when, why, and any skip reason)."""

    __tablename__ = "ladder_events"
    __table_args__ = (Index(None, "enterprise_id", "id"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    from_step: Mapped[str | None] = mapped_column(String(NAME_LEN))
    to_step: Mapped[str | None] = mapped_column(String(NAME_LEN))
    actor: Mapped[str] = mapped_column(String(KEY_LEN))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    skip_reason: Mapped[str | None] = mapped_column(Text)
    interview_id: Mapped[str | None] = mapped_column(ForeignKey("interviews.id", ondelete="SET NULL"))
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
