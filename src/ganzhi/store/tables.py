"""ORM tables: evidence, runs, results, issues and their transitions, and the job ledger.

Only portable types (strings, integers, `JSON`, dates, timestamps) so the same schema runs on
SQLite and PostgreSQL. Constraint names follow one naming convention, which Alembic's batch mode
needs to alter SQLite tables. Rows keep the whole pydantic model as `payload`; the other columns
are copies of the fields that queries filter on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Lengths of the string columns (bounded so PostgreSQL indexes stay small).
ID_LEN = 64
NAME_LEN = 128
KEY_LEN = 1024
STATE_LEN = 32

#: Surrogate keys: 64-bit on PostgreSQL, SQLite's INTEGER PRIMARY KEY (the rowid) on SQLite.
SurrogateKey = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no timezone type and returns naive values; PostgreSQL returns the session's zone.
    Naive values given to us are taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base holding the one `MetaData` that Alembic compares against."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class EvidenceRow(Base):
    """Evidence, stored once: the primary key is the content sha256 (`Evidence.id`)."""

    __tablename__ = "evidence"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(NAME_LEN), index=True)
    subject_key: Mapped[str] = mapped_column(String(KEY_LEN), index=True)
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    collected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    artefacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class RunRow(Base):
    """One evaluation run: what was selected, with which overrides, and how it ended."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(STATE_LEN))
    selection: Mapped[dict[str, Any]] = mapped_column(JSON)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


class ResultRow(Base):
    """One `Result` of one run; (run_id, fingerprint) is unique so saving twice is a no-op."""

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("run_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    check_id: Mapped[str] = mapped_column(String(NAME_LEN))
    task: Mapped[str] = mapped_column(String(STATE_LEN))
    fingerprint: Mapped[str] = mapped_column(String(NAME_LEN), index=True)
    subject_key: Mapped[str] = mapped_column(String(KEY_LEN))
    status: Mapped[str] = mapped_column(String(STATE_LEN))
    severity: Mapped[str] = mapped_column(String(STATE_LEN))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class IssueRow(Base):
    """A tracked `Issue`, keyed by its fingerprint."""

    __tablename__ = "issues"
    __table_args__ = (
        Index(None, "task", "state"),
        Index(None, "subject_key"),
    )

    fingerprint: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    check_id: Mapped[str] = mapped_column(String(NAME_LEN))
    task: Mapped[str] = mapped_column(String(STATE_LEN))
    subject_key: Mapped[str] = mapped_column(String(KEY_LEN))
    state: Mapped[str] = mapped_column(String(STATE_LEN), index=True)
    severity: Mapped[str] = mapped_column(String(STATE_LEN))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    waiver_expires: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class IssueTransitionRow(Base):
    """One audited state change of an issue."""

    __tablename__ = "issue_transitions"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(ForeignKey("issues.fingerprint", ondelete="CASCADE"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(STATE_LEN))
    to_state: Mapped[str] = mapped_column(String(STATE_LEN))
    actor: Mapped[str] = mapped_column(String(KEY_LEN))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    run_id: Mapped[str | None] = mapped_column(String(ID_LEN))


class JobRow(Base):
    """A durable batch job; `key` makes re-opening the same work return the same job."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(NAME_LEN))
    key: Mapped[str] = mapped_column(String(KEY_LEN), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(STATE_LEN))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)


class JobItemRow(Base):
    """One unit of work of a job, with its attempts, last error and output."""

    __tablename__ = "job_items"
    __table_args__ = (
        UniqueConstraint("job_id", "item_key"),
        Index(None, "job_id", "status"),
    )

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(KEY_LEN))
    status: Mapped[str] = mapped_column(String(STATE_LEN))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str | None] = mapped_column(String(NAME_LEN))
    output: Mapped[dict[str, Any] | None] = mapped_column(JSON)
