"""Users, roles and API tokens: who is asking, and for which enterprise or app store.

A `Principal` is the resolved identity of one request. Regulators see everything; an `enterprise`
user is bound to one enterprise id, an `app_store` user to one store id (`scope_id`); anonymous
requests are the `public` principal. Functions take an open `Session` and leave committing to the
caller, like the repositories in `ganzhi.store`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ganzhi.accounts.credentials import (
    DUMMY_HASH,
    hash_password,
    new_api_token,
    new_webhook_secret,
    token_hash,
    verify_password,
)
from ganzhi.errors import StoreError
from ganzhi.store import supervision_repo
from ganzhi.store.web_tables import ApiTokenRow, UserRow

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
#: A token's `last_used_at` is written at most this often, so reads do not turn into writes.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=5)


class Role(StrEnum):
    """What a principal may do; the scoped roles carry an enterprise or store id."""

    REGULATOR_ADMIN = "regulator_admin"
    REGULATOR_INSPECTOR = "regulator_inspector"
    ENTERPRISE = "enterprise"
    APP_STORE = "app_store"
    PUBLIC = "public"


REGULATORS = frozenset({Role.REGULATOR_ADMIN, Role.REGULATOR_INSPECTOR})
SCOPED = frozenset({Role.ENTERPRISE, Role.APP_STORE})


@dataclass(frozen=True, slots=True)
class Principal:
    """The identity behind one request."""

    role: Role
    username: str = "anonymous"
    user_id: int | None = None
    scope_id: str | None = None
    display_name: str = "公众 / public"
    webhook_secret: str | None = None

    @property
    def is_regulator(self) -> bool:
        return self.role in REGULATORS

    @property
    def actor(self) -> str:
        """How the audit log and issue transitions name this principal."""
        suffix = f"@{self.scope_id}" if self.scope_id else ""
        return f"{self.role.value}:{self.username}{suffix}"


PUBLIC = Principal(role=Role.PUBLIC)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _principal(row: UserRow) -> Principal:
    return Principal(
        role=Role(row.role),
        username=row.username,
        user_id=row.id,
        scope_id=row.scope_id,
        display_name=row.display_name,
        webhook_secret=row.webhook_secret,
    )


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role,
    *,
    scope_id: str | None = None,
    display_name: str | None = None,
) -> Principal:
    """Add a user; scoped roles need `scope_id` (an enterprise must exist), regulators must not have one.

    Raises:
        StoreError: the user name is malformed or taken, the scope does not fit the role.
        ValueError: the password is too short.
    """
    if not USERNAME.match(username):
        raise StoreError(f"user name must be 2-64 of a-z 0-9 . _ - starting with a letter or digit (got {username!r})")
    if role is Role.PUBLIC:
        raise StoreError("role 'public' is the anonymous visitor; it cannot be given to a user")
    if role in SCOPED and not scope_id:
        raise StoreError(f"user {username!r}: role {role.value} needs a scope id (enterprise or store id)")
    if role in REGULATORS and scope_id:
        raise StoreError(f"user {username!r}: role {role.value} sees every enterprise; expected no scope id")
    if role is Role.ENTERPRISE and scope_id and supervision_repo.get_enterprise(session, scope_id) is None:
        raise StoreError(f"user {username!r}: no enterprise {scope_id!r}; register it first (ganzhi enterprise)")
    if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise StoreError(f"user {username!r} already exists")
    row = UserRow(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role.value,
        scope_id=scope_id,
        webhook_secret=new_webhook_secret() if role is Role.APP_STORE else None,
        disabled=False,
        created_at=_utcnow(),
    )
    session.add(row)
    session.flush()
    return _principal(row)


def authenticate(session: Session, username: str, password: str) -> Principal | None:
    """The user when the password matches and the account is enabled; None otherwise (same cost either way)."""
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    ok = verify_password(password, row.password_hash if row is not None else DUMMY_HASH)
    if row is None or not ok or row.disabled:
        return None
    return _principal(row)


def principal_for_user(session: Session, user_id: int) -> Principal | None:
    """The enabled user with this id (session cookies carry the id), or None."""
    row = session.get(UserRow, user_id)
    return None if row is None or row.disabled else _principal(row)


def list_users(session: Session) -> list[Principal]:
    """Every user, by user name."""
    return [_principal(row) for row in session.scalars(select(UserRow).order_by(UserRow.username))]


def issue_token(session: Session, username: str, name: str) -> str:
    """Create an API token for a user and return it (the only time it is visible)."""
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise StoreError(f"no user {username!r}; known users: {[u.username for u in list_users(session)]}")
    token = new_api_token()
    session.add(
        ApiTokenRow(
            user_id=row.id,
            name=name[:128] or "token",
            prefix=token[:12],
            token_hash=token_hash(token),
            created_at=_utcnow(),
        )
    )
    session.flush()
    return token


def principal_for_token(session: Session, token: str) -> Principal | None:
    """The user a live bearer token belongs to, or None for an unknown or revoked token."""
    found = session.execute(
        select(ApiTokenRow, UserRow)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .where(ApiTokenRow.token_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    token_row, user = found
    if token_row.revoked_at is not None or user.disabled:
        return None
    now = _utcnow()
    if token_row.last_used_at is None or now - token_row.last_used_at > TOKEN_TOUCH_INTERVAL:
        token_row.last_used_at = now
    return _principal(user)


def revoke_tokens(session: Session, username: str) -> int:
    """Revoke every live token of a user; returns how many were revoked."""
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise StoreError(f"no user {username!r}")
    live = list(
        session.scalars(select(ApiTokenRow).where(ApiTokenRow.user_id == row.id, ApiTokenRow.revoked_at.is_(None)))
    )
    for token_row in live:
        token_row.revoked_at = _utcnow()
    session.flush()
    return len(live)
