"""ORM tables of the web platform: users, API tokens, browser sessions, the audit log and app-store submissions.

Passwords and API tokens are stored only as hashes. A browser session is a row whose random id the
signed cookie carries, so logging out or disabling the user ends it on the server at once. A user's
`scope_id` is the enterprise id an `enterprise` user belongs to, or the store id an `app_store` user
acts for; regulators have none.
Submissions are unique per (store, APK sha256), which makes re-submitting the same APK idempotent.
Same portable types and naming convention as `tables.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ganzhi.store.tables import ID_LEN, KEY_LEN, NAME_LEN, STATE_LEN, Base, SurrogateKey, UTCDateTime

#: Longest display name or file name (same as the supervision tables' titles).
TITLE_LEN = 200

#: Length of a hex sha256.
SHA_LEN = 64
#: Longest stored password hash (scrypt parameters + salt + digest).
HASH_TEXT_LEN = 256


class UserRow(Base):
    """A person or machine that signs in; the role decides what it may see and change."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(NAME_LEN), unique=True)
    display_name: Mapped[str] = mapped_column(String(TITLE_LEN))
    password_hash: Mapped[str] = mapped_column(String(HASH_TEXT_LEN))
    role: Mapped[str] = mapped_column(String(STATE_LEN))
    scope_id: Mapped[str | None] = mapped_column(String(ID_LEN), index=True)
    webhook_secret: Mapped[str | None] = mapped_column(String(NAME_LEN))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: Comma-separated provinces a provincial regulator is limited to (NULL: national or not a regulator).
    provinces: Mapped[str | None] = mapped_column(String(KEY_LEN))
    #: Set by demo accounts and `users reset-password`: the next sign-in must choose a new password.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)


class ApiTokenRow(Base):
    """A bearer token for machines, kept as the sha256 of the secret; `prefix` identifies it in lists."""

    __tablename__ = "web_api_tokens"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    prefix: Mapped[str] = mapped_column(String(STATE_LEN))
    token_hash: Mapped[str] = mapped_column(String(SHA_LEN), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: When the token stops working (None: never; only tokens issued before expiry existed).
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class WebSessionRow(Base):
    """A browser session: live until `expires_at`, or until logout or disabling the user sets `ended_at`."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(SHA_LEN), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    client: Mapped[str | None] = mapped_column(String(NAME_LEN))


class AuditRow(Base):
    """One state change made through the web platform: who, what, on which object, when."""

    __tablename__ = "web_audit_log"
    __table_args__ = (Index(None, "actor", "id"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(KEY_LEN))
    role: Mapped[str] = mapped_column(String(STATE_LEN))
    action: Mapped[str] = mapped_column(String(NAME_LEN))
    target: Mapped[str] = mapped_column(String(KEY_LEN))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    client: Mapped[str | None] = mapped_column(String(NAME_LEN))


class SubmissionRow(Base):
    """An APK an app store submitted for pre-listing detection, and its verdict once scanned."""

    __tablename__ = "store_submissions"
    __table_args__ = (UniqueConstraint("store_id", "sha256"), Index(None, "sha256"))

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(String(ID_LEN))
    sha256: Mapped[str] = mapped_column(String(SHA_LEN))
    filename: Mapped[str] = mapped_column(String(TITLE_LEN))
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(STATE_LEN))
    verdict: Mapped[str | None] = mapped_column(String(STATE_LEN))
    package: Mapped[str | None] = mapped_column(String(KEY_LEN))
    version_name: Mapped[str | None] = mapped_column(String(NAME_LEN))
    app_name: Mapped[str | None] = mapped_column(String(TITLE_LEN))
    run_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    callback_url: Mapped[str | None] = mapped_column(String(KEY_LEN))
    callback_status: Mapped[str | None] = mapped_column(String(NAME_LEN))
    submitted_by: Mapped[str] = mapped_column(String(KEY_LEN))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
