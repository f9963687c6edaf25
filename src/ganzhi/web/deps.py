"""Request dependencies: the database session, the principal (bearer token or session cookie), CSRF.

Typed aliases in the style of FastAPI's full-stack template (`SessionDep`, `ScopeDep`) keep route
signatures short. A cookie-authenticated request that changes state must carry the session's CSRF
token (header `X-CSRF-Token` or form field `csrf_token`); bearer-token requests are exempt because
browsers never attach them on their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.accounts import users as accounts
from ganzhi.accounts.roles import Role
from ganzhi.accounts.scope import Scope
from ganzhi.accounts.users import PUBLIC, Principal
from ganzhi.store.db import session_scope
from ganzhi.web.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, BrowserSession, SessionCodec, csrf_matches

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: The API answer to an account that must still replace its demo or reset password.
MUST_CHANGE_PASSWORD = (
    "该账户须先修改初始密码，修改前不能使用接口：请在网页 /account 修改，或调用 POST /api/v1/auth/password / "
    "this account must change its initial password before it can use the API: change it on the /account page "
    "or with POST /api/v1/auth/password"
)
#: API paths an account with a pending password change may still call (signing out).
MUST_CHANGE_ALLOWED = frozenset({"/api/v1/auth/logout"})


def refuse_pending_change(request: Request, principal: Principal) -> None:
    """403 on the API for an account that must change its password; pages redirect it to /account instead."""
    path = request.url.path
    if principal.must_change_password and path.startswith("/api/") and path not in MUST_CHANGE_ALLOWED:
        raise HTTPException(403, MUST_CHANGE_PASSWORD)


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the route returns, rolled back when it raises."""
    factory: sessionmaker[Session] = request.app.state.sessions
    with session_scope(factory) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal and how it authenticated (the browser session, when there is one)."""

    principal: Principal
    browser: BrowserSession | None


def browser_session(request: Request) -> BrowserSession | None:
    codec: SessionCodec = request.app.state.session_codec
    return codec.load(request.cookies.get(SESSION_COOKIE))


async def csrf_token_sent(request: Request) -> str | None:
    """The CSRF token a state-changing request carries (reading a form body needs the event loop)."""
    if request.method in SAFE_METHODS:
        return None
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def get_caller(
    request: Request, session: SessionDep, csrf_sent: Annotated[str | None, Depends(csrf_token_sent)]
) -> Caller:
    """Resolve the caller; a bad bearer token is 401, a cookie request without its CSRF token is 403.

    A plain `def`: it queries the database, so it must run in the worker threads, never on the event loop.
    """
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "Authorization header must be 'Bearer <token>'")
        found = accounts.principal_for_token(session, token.strip())
        if found is None:
            raise HTTPException(401, "unknown or revoked API token", headers={"WWW-Authenticate": "Bearer"})
        refuse_pending_change(request, found)
        return Caller(found, None)
    browser = browser_session(request)
    if browser is None:
        return Caller(PUBLIC, None)
    principal = accounts.principal_for_session(session, browser.session_id)
    if principal is None:  # logged out, expired or the user was disabled: the cookie is worth nothing
        return Caller(PUBLIC, None)
    if request.method not in SAFE_METHODS and not csrf_matches(browser.csrf, csrf_sent):
        raise HTTPException(403, f"CSRF token missing or wrong: send the session's token in {CSRF_HEADER}")
    refuse_pending_change(request, principal)
    return Caller(principal, browser)


CallerDep = Annotated[Caller, Depends(get_caller)]


def get_scope(caller: CallerDep, session: SessionDep) -> Scope:
    return Scope(caller.principal, session)


ScopeDep = Annotated[Scope, Depends(get_scope)]


def signed_in(scope: ScopeDep) -> Scope:
    """Any signed-in principal; the public gets 401."""
    if scope.role is Role.PUBLIC:
        raise HTTPException(401, "sign in or send an API token", headers={"WWW-Authenticate": "Bearer"})
    return scope


SignedInDep = Annotated[Scope, Depends(signed_in)]


def regulator(scope: SignedInDep) -> Scope:
    if not scope.principal.is_regulator:
        raise HTTPException(403, f"regulators only (this account's role is {scope.role.value})")
    return scope


RegulatorDep = Annotated[Scope, Depends(regulator)]


def admin(scope: SignedInDep) -> Scope:
    if scope.role is not Role.REGULATOR_ADMIN:
        raise HTTPException(403, f"regulator admins only (this account's role is {scope.role.value})")
    return scope


AdminDep = Annotated[Scope, Depends(admin)]


def client_address(request: Request) -> str:
    """The real client address: the TCP peer, or what a trusted proxy forwarded (`TrustedProxyMiddleware`)."""
    return request.client.host if request.client else "unknown"
