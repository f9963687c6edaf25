"""Users, roles, API tokens and browser sessions: who is asking, and for which enterprise or app store.

A `Principal` is the resolved identity of one request. Regulators see everything; an `enterprise`
user is bound to one enterprise id, an `app_store` user to one store id (`scope_id`); anonymous
requests are the `public` principal. Functions take an open `Session` and leave committing to the
caller, like the repositories in `ganzhi.store`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from ganzhi.accounts.credentials import (
    DUMMY_HASH,
    hash_password,
    new_api_token,
    new_session_id,
    new_webhook_secret,
    token_hash,
    verify_password,
)
from ganzhi.accounts.roles import REGULATORS, SCOPED, Role
from ganzhi.errors import StoreError
from ganzhi.store import supervision_repo
from ganzhi.store.web_tables import ApiTokenRow, UserRow, WebSessionRow

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
#: A token's `last_used_at` is written at most this often, so reads do not turn into writes.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=5)




@dataclass(frozen=True, slots=True)
class Principal:
    """The identity behind one request."""

    role: Role
    username: str = "anonymous"
    user_id: int | None = None
    scope_id: str | None = None
    display_name: str = "公众 / public"
    webhook_secret: str | None = None
    #: True for a disabled account (only lists show such principals; a disabled user never signs in).
    disabled: bool = False
    #: A provincial regulator (通信管理局) sees only the enterprises of these provinces; empty: national.
    provinces: tuple[str, ...] = ()
    #: The password was set by someone else (demo, reset): the next sign-in must choose a new one.
    must_change_password: bool = False

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
        disabled=row.disabled,
        provinces=split_provinces(row.provinces),
        must_change_password=bool(row.must_change_password),
    )


#: Most provinces one regulator account may be scoped to (China has 34 provincial-level divisions).
MAX_PROVINCES = 34
#: Shortest password (the policy every form and command states).
MIN_PASSWORD = 10
PASSWORD_POLICY = (
    f"密码至少 {MIN_PASSWORD} 位，不能与用户名相同 / at least {MIN_PASSWORD} characters, not the user name"
)


def split_provinces(value: str | None) -> tuple[str, ...]:
    """The stored comma-separated province list as a tuple (empty: national)."""
    return tuple(p for p in (part.strip() for part in (value or "").split(",")) if p)


def _province_text(provinces: tuple[str, ...] | list[str] | None) -> str | None:
    cleaned = sorted({p.strip() for p in provinces or () if p.strip()})
    if len(cleaned) > MAX_PROVINCES:
        raise StoreError(f"at most {MAX_PROVINCES} provinces per account (got {len(cleaned)})")
    bad = [p for p in cleaned if "," in p or len(p) > 16]
    if bad:
        raise StoreError(f"province names must be short names like 北京 or 广东 without commas (got {bad})")
    return ",".join(cleaned) or None


def check_password(username: str, password: str) -> None:
    """Refuse a password the policy does not allow (`PASSWORD_POLICY` says the rule to the user)."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password too short: {len(password)} characters; {PASSWORD_POLICY}")
    if password.strip().lower() == username.strip().lower():
        raise ValueError(f"password equals the user name; {PASSWORD_POLICY}")


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role,
    *,
    scope_id: str | None = None,
    display_name: str | None = None,
    provinces: tuple[str, ...] | list[str] | None = None,
    must_change_password: bool = False,
) -> Principal:
    """Add a user; scoped roles need `scope_id` (an enterprise must exist), regulators must not have one.

    A regulator may be limited to `provinces` (a provincial 通信管理局); only regulators take them.

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
    if provinces and role not in REGULATORS:
        raise StoreError(f"user {username!r}: only regulator accounts are scoped to provinces (role {role.value})")
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
        provinces=_province_text(provinces),
        must_change_password=must_change_password,
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


def _user_row(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise StoreError(f"no user {username!r}; known users: {[u.username for u in list_users(session)]}")
    return row


def issue_token(session: Session, username: str, name: str, *, ttl: dt.timedelta | None) -> str:
    """Create an API token for a user and return it (the only time it is visible).

    `ttl` is how long the token works (None: until revoked; the web config's `token_ttl_days` is the
    default the CLI and API pass). A disabled user gets no new tokens.
    """
    row = _user_row(session, username)
    if row.disabled:
        raise StoreError(f"user {username!r} is disabled; enable it first (ganzhi users enable {username})")
    if ttl is not None and ttl <= dt.timedelta(0):
        raise StoreError(f"token lifetime must be positive (got {ttl})")
    token = new_api_token()
    now = _utcnow()
    session.add(
        ApiTokenRow(
            user_id=row.id,
            name=name[:128] or "token",
            prefix=token[:12],
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + ttl if ttl is not None else None,
        )
    )
    session.flush()
    return token


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An API token as lists show it: never the secret, only its first characters."""

    id: int
    username: str
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def live(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def list_tokens(session: Session, username: str) -> list[TokenInfo]:
    """Every token of a user (live, expired and revoked), oldest first."""
    row = _user_row(session, username)
    tokens = session.scalars(select(ApiTokenRow).where(ApiTokenRow.user_id == row.id).order_by(ApiTokenRow.id))
    return [
        TokenInfo(
            id=t.id,
            username=row.username,
            name=t.name,
            prefix=t.prefix,
            created_at=t.created_at,
            expires_at=t.expires_at,
            last_used_at=t.last_used_at,
            revoked_at=t.revoked_at,
        )
        for t in tokens
    ]


def principal_for_token(session: Session, token: str) -> Principal | None:
    """The user a live bearer token belongs to, or None for an unknown, expired or revoked token."""
    found = session.execute(
        select(ApiTokenRow, UserRow)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .where(ApiTokenRow.token_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    token_row, user = found
    now = _utcnow()
    if token_row.revoked_at is not None or user.disabled:
        return None
    if token_row.expires_at is not None and token_row.expires_at <= now:
        return None
    if token_row.last_used_at is None or now - token_row.last_used_at > TOKEN_TOUCH_INTERVAL:
        token_row.last_used_at = now
    return _principal(user)


def revoke_tokens(session: Session, username: str) -> int:
    """Revoke every live token of a user; returns how many were revoked."""
    row = _user_row(session, username)
    live = list(
        session.scalars(select(ApiTokenRow).where(ApiTokenRow.user_id == row.id, ApiTokenRow.revoked_at.is_(None)))
    )
    for token_row in live:
        token_row.revoked_at = _utcnow()
    session.flush()
    return len(live)


def revoke_token(session: Session, username: str, token_ref: str) -> TokenInfo:
    """Revoke one token of a user, named by its id or its prefix (as `list_tokens` shows them).

    Revoking an already revoked token is a no-op that returns it unchanged.

    Raises:
        StoreError: no such user, or no token of this user with that id or prefix.
    """
    row = _user_row(session, username)
    query = select(ApiTokenRow).where(ApiTokenRow.user_id == row.id)
    if token_ref.isdigit():
        query = query.where(ApiTokenRow.id == int(token_ref))
    else:
        query = query.where(ApiTokenRow.prefix == token_ref)
    found = list(session.scalars(query))
    if len(found) != 1:
        known = [f"{t.id} ({t.prefix})" for t in list_tokens(session, username)]
        raise StoreError(f"user {username!r} has no token {token_ref!r}; tokens: {known}")
    if found[0].revoked_at is None:
        found[0].revoked_at = _utcnow()
        session.flush()
    return next(t for t in list_tokens(session, username) if t.id == found[0].id)


def set_disabled(session: Session, username: str, disabled: bool) -> Principal:
    """Disable (or enable) a user. Disabling ends every browser session of the user at once; tokens stop
    working while the user is disabled (they are refused, not revoked, so enabling restores them).
    """
    row = _user_row(session, username)
    row.disabled = disabled
    if disabled:
        end_user_sessions(session, row.id)
    session.flush()
    return _principal(row)


def set_password(session: Session, username: str, password: str, *, must_change: bool) -> Principal:
    """Set a user's password (`users reset-password`, or the user's own change).

    A reset by someone else sets `must_change` so the next sign-in asks for a new password; a reset
    also ends the user's browser sessions, so whoever knew the old password is signed out.

    Raises:
        StoreError: no such user.
        ValueError: the password breaks the policy (`PASSWORD_POLICY`).
    """
    row = _user_row(session, username)
    check_password(username, password)
    row.password_hash = hash_password(password)
    row.must_change_password = must_change
    if must_change:
        end_user_sessions(session, row.id)
    session.flush()
    return _principal(row)


def change_own_password(session: Session, user_id: int, current: str, new: str) -> Principal:
    """A signed-in user's own change: the current password must match and the new one differ from it.

    Raises:
        StoreError: no such user, or the current password is wrong.
        ValueError: the new password breaks the policy or equals the current one.
    """
    row = session.get(UserRow, user_id)
    if row is None or row.disabled:
        raise StoreError(f"user {user_id} does not exist or is disabled")
    if not verify_password(current, row.password_hash):
        raise StoreError("当前密码不正确 / the current password is wrong")
    if current == new:
        raise ValueError("新密码不能与当前密码相同 / the new password must differ from the current one")
    check_password(row.username, new)
    row.password_hash = hash_password(new)
    row.must_change_password = False
    session.flush()
    return _principal(row)


def set_provinces(session: Session, username: str, provinces: list[str]) -> Principal:
    """Scope a regulator account to provinces (empty list: national again)."""
    row = _user_row(session, username)
    if provinces and Role(row.role) not in REGULATORS:
        raise StoreError(f"user {username!r}: only regulator accounts are scoped to provinces (role {row.role})")
    row.provinces = _province_text(provinces)
    session.flush()
    return _principal(row)


# --- browser sessions --------------------------------------------------------------------------------


def start_session(session: Session, user_id: int, ttl: dt.timedelta, *, client: str | None = None) -> str:
    """Record a new browser session for an enabled user and return its id (the cookie carries it)."""
    row = session.get(UserRow, user_id)
    if row is None or row.disabled:
        raise StoreError(f"user {user_id} does not exist or is disabled")
    now = _utcnow()
    session_id = new_session_id()
    session.add(
        WebSessionRow(
            id=session_id,
            user_id=user_id,
            created_at=now,
            expires_at=now + ttl,
            client=client[:128] if client else None,
        )
    )
    # Expired and ended sessions of this user are no longer needed: keep the table small.
    session.execute(
        delete(WebSessionRow).where(
            WebSessionRow.user_id == user_id,
            or_(WebSessionRow.expires_at < now, WebSessionRow.ended_at.is_not(None)),
        )
    )
    session.flush()
    return session_id


def principal_for_session(session: Session, session_id: str) -> Principal | None:
    """The enabled user of a live browser session (not ended, not expired), or None."""
    found = session.execute(
        select(WebSessionRow, UserRow)
        .join(UserRow, UserRow.id == WebSessionRow.user_id)
        .where(WebSessionRow.id == session_id)
    ).first()
    if found is None:
        return None
    record, user = found
    if record.ended_at is not None or record.expires_at <= _utcnow() or user.disabled:
        return None
    return _principal(user)


def end_session(session: Session, session_id: str) -> bool:
    """End one browser session (logout); False when it was not live."""
    record = session.get(WebSessionRow, session_id)
    if record is None or record.ended_at is not None:
        return False
    record.ended_at = _utcnow()
    session.flush()
    return True


def end_user_sessions(session: Session, user_id: int) -> int:
    """End every live browser session of a user; returns how many were live."""
    live = list(
        session.scalars(select(WebSessionRow).where(WebSessionRow.user_id == user_id, WebSessionRow.ended_at.is_(None)))
    )
    now = _utcnow()
    for record in live:
        record.ended_at = now
    session.flush()
    return len(live)
