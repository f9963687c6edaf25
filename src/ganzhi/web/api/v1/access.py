"""Access administration (regulator admins only): disable and enable users, issue, list and revoke API tokens.

Every change is written to the audit log in the same transaction. Disabling a user ends its browser
sessions at once and makes its tokens fail until it is enabled again; revoking a token is final.
Token secrets appear once, in the answer that issues them; lists show only the first characters.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field

from ganzhi.accounts import users as accounts
from ganzhi.accounts.users import Principal, TokenInfo
from ganzhi.errors import StoreError
from ganzhi.web import audit
from ganzhi.web.config import WebConfig
from ganzhi.web.deps import AdminDep, client_address

router = APIRouter(tags=["access"])

UsernamePath = Path(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
#: Longest token lifetime the API accepts, in days (ten years; a bound, not a recommendation).
MAX_TOKEN_DAYS = 3650


class UserView(BaseModel):
    username: str
    role: str
    scope_id: str | None
    display_name: str
    disabled: bool


class TokenView(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    live: bool


class NewToken(BaseModel):
    name: str = Field("api", min_length=1, max_length=128)
    #: Lifetime in days; omitted: the configured default (`GANZHI_WEB_TOKEN_TTL_DAYS`).
    days: float | None = Field(None, gt=0, le=MAX_TOKEN_DAYS)


class IssuedToken(TokenView):
    token: str


class Revoked(BaseModel):
    revoked: int


def _user(p: Principal) -> UserView:
    return UserView(
        username=p.username, role=p.role.value, scope_id=p.scope_id, display_name=p.display_name, disabled=p.disabled
    )


def _token(t: TokenInfo) -> TokenView:
    return TokenView(
        id=t.id,
        name=t.name,
        prefix=t.prefix,
        created_at=t.created_at,
        expires_at=t.expires_at,
        last_used_at=t.last_used_at,
        revoked_at=t.revoked_at,
        live=t.live(dt.datetime.now(dt.UTC)),
    )


def _not_found(exc: StoreError) -> HTTPException:
    return HTTPException(404, str(exc))


@router.get("/users", response_model=list[UserView])
def users(scope: AdminDep) -> list[UserView]:
    """Every user with its role, scope and whether it is disabled."""
    return [_user(p) for p in accounts.list_users(scope.session)]


def _set_disabled(scope: AdminDep, request: Request, username: str, disabled: bool) -> UserView:
    if disabled and username == scope.principal.username:
        raise HTTPException(409, "不能停用自己的账户 / an admin cannot disable its own account")
    try:
        changed = accounts.set_disabled(scope.session, username, disabled)
    except StoreError as exc:
        raise _not_found(exc) from None
    action = "user.disable" if disabled else "user.enable"
    audit.record(scope.session, scope.principal, action, f"user:{username}", client=client_address(request))
    return _user(changed)


@router.post("/users/{username}/disable", response_model=UserView)
def disable(scope: AdminDep, request: Request, username: str = UsernamePath) -> UserView:
    """Disable a user: its sessions end now, its tokens fail until it is enabled again."""
    return _set_disabled(scope, request, username, True)


@router.post("/users/{username}/enable", response_model=UserView)
def enable(scope: AdminDep, request: Request, username: str = UsernamePath) -> UserView:
    """Enable a disabled user (it must sign in again; unrevoked, unexpired tokens work again)."""
    return _set_disabled(scope, request, username, False)


@router.get("/users/{username}/tokens", response_model=list[TokenView])
def tokens(scope: AdminDep, username: str = UsernamePath) -> list[TokenView]:
    """Every token of a user (live, expired, revoked), without the secrets."""
    try:
        return [_token(t) for t in accounts.list_tokens(scope.session, username)]
    except StoreError as exc:
        raise _not_found(exc) from None


@router.post("/users/{username}/tokens", response_model=IssuedToken, status_code=201)
def issue(scope: AdminDep, request: Request, body: NewToken, username: str = UsernamePath) -> IssuedToken:
    """Issue a token (the secret is in this answer only); it expires after `days` or the configured default."""
    config: WebConfig = request.app.state.config
    days = body.days if body.days is not None else config.token_ttl_days
    try:
        value = accounts.issue_token(scope.session, username, body.name, ttl=dt.timedelta(days=days))
    except StoreError as exc:
        raise HTTPException(404 if "no user" in str(exc) else 409, str(exc)) from None
    info = next(t for t in accounts.list_tokens(scope.session, username) if t.prefix == value[:12])
    audit.record(
        scope.session,
        scope.principal,
        "token.issue",
        f"user:{username}",
        {"token_id": info.id, "prefix": info.prefix, "name": info.name, "days": days},
        client=client_address(request),
    )
    return IssuedToken(token=value, **_token(info).model_dump())


@router.post("/users/{username}/tokens/{token_ref}/revoke", response_model=TokenView)
def revoke(
    scope: AdminDep,
    request: Request,
    username: str = UsernamePath,
    token_ref: str = Path(min_length=1, max_length=32, description="token id or prefix"),
) -> TokenView:
    """Revoke one token (by id or prefix); final."""
    try:
        info = accounts.revoke_token(scope.session, username, token_ref)
    except StoreError as exc:
        raise _not_found(exc) from None
    audit.record(
        scope.session,
        scope.principal,
        "token.revoke",
        f"user:{username}",
        {"token_id": info.id, "prefix": info.prefix},
        client=client_address(request),
    )
    return _token(info)


@router.post("/users/{username}/tokens/revoke-all", response_model=Revoked)
def revoke_all(scope: AdminDep, request: Request, username: str = UsernamePath) -> Revoked:
    """Revoke every live token of a user."""
    try:
        count = accounts.revoke_tokens(scope.session, username)
    except StoreError as exc:
        raise _not_found(exc) from None
    audit.record(
        scope.session,
        scope.principal,
        "token.revoke_all",
        f"user:{username}",
        {"revoked": count},
        client=client_address(request),
    )
    return Revoked(revoked=count)
