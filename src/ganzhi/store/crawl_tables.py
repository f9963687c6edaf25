"""ORM tables of live collection: runs, the persisted frontier, fetched pages and the evidence extracted.

The frontier is unique per (run, URL hash), so a link found twice is kept once and a resumed run sees every
page it already has. A page row exists only for a fetched page and names its frontier row; bodies and
screenshots are blobs (content-addressed), referenced by sha256. Same portable types and naming convention
as `tables.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ganzhi.store.tables import ID_LEN, KEY_LEN, NAME_LEN, STATE_LEN, Base, SurrogateKey, UTCDateTime

SHA_LEN = 64


class CrawlRunRow(Base):
    """One collection of one or more sites; `status` is running, finished or failed."""

    __tablename__ = "crawl_runs"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    sites: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(STATE_LEN), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    started_by: Mapped[str] = mapped_column(String(NAME_LEN))
    stats: Mapped[dict[str, Any]] = mapped_column(JSON)
    evidence_path: Mapped[str | None] = mapped_column(String(KEY_LEN))


class CrawlFrontierRow(Base):
    """A URL to fetch in a run: pending, done or failed (with the reason), and how it was reached."""

    __tablename__ = "crawl_frontier"
    __table_args__ = (UniqueConstraint("run_id", "url_hash"), Index(None, "run_id", "site", "state", "id"))

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    site: Mapped[str] = mapped_column(String(ID_LEN))
    host: Mapped[str] = mapped_column(String(NAME_LEN))
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(SHA_LEN))
    rule: Mapped[str] = mapped_column(String(ID_LEN))
    depth: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(SurrogateKey)
    state: Mapped[str] = mapped_column(String(STATE_LEN))
    reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CrawlPageRow(Base):
    """A fetched page: provenance (URL, final URL, status, headers, time, spec and rule) and its blobs."""

    __tablename__ = "crawl_pages"
    __table_args__ = (Index(None, "run_id", "site"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    frontier_id: Mapped[int] = mapped_column(ForeignKey("crawl_frontier.id", ondelete="CASCADE"), unique=True)
    site: Mapped[str] = mapped_column(String(ID_LEN))
    rule: Mapped[str] = mapped_column(String(ID_LEN))
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    elapsed_ms: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(NAME_LEN))
    body_sha256: Mapped[str] = mapped_column(String(SHA_LEN))
    body_size: Mapped[int] = mapped_column(Integer)
    screenshot_sha256: Mapped[str | None] = mapped_column(String(SHA_LEN))
    flags: Mapped[list[str]] = mapped_column(JSON)


class CrawlEvidenceRow(Base):
    """An evidence item extracted from a run's pages of one site (the whole envelope as JSON)."""

    __tablename__ = "crawl_evidence"
    __table_args__ = (UniqueConstraint("run_id", "evidence_id"), Index(None, "run_id", "site"))

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    site: Mapped[str] = mapped_column(String(ID_LEN))
    kind: Mapped[str] = mapped_column(String(NAME_LEN))
    subject_key: Mapped[str] = mapped_column(String(KEY_LEN))
    evidence_id: Mapped[str] = mapped_column(String(SHA_LEN))
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
