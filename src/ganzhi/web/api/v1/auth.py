"""Sign-in for browsers (cookie + CSRF token), the caller's identity, and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from ganzhi.accounts import users as accounts
from ganzhi.errors import StoreError
from ganzhi.web import audit
from ganzhi.web.audit import AuditEntry
from ganzhi.web.deps import MUST_CHANGE_PASSWORD, AdminDep, CallerDep, SessionDep, client_address
from ganzhi.web.login import attempt_login, end_session, start_session

router = APIRouter(tags=["auth"])


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(BaseModel):
    username: str = Field(min_length=1, max_length=128)
    current: str = Field(min_length=1, max_length=1024)
    new: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    username: str
    role: str
    scope_id: str | None
    display_name: str
    csrf_token: str | None = None


@router.post("/auth/login", response_model=Me)
def login(body: Credentials, request: Request, response: Response, session: SessionDep) -> Me:
    """Start a browser session; the answer carries the CSRF token for state-changing requests.

    An account that must still change its demo or reset password gets 403 (no session) until it did.
    """
    principal = attempt_login(request, session, body.username, body.password)
    if principal.must_change_password:
        raise HTTPException(403, MUST_CHANGE_PASSWORD)
    browser = start_session(request, response, session, principal)
    return Me(
        username=principal.username,
        role=principal.role.value,
        scope_id=principal.scope_id,
        display_name=principal.display_name,
        csrf_token=browser.csrf,
    )


@router.post("/auth/password", status_code=204)
def change_password(body: PasswordChange, request: Request, session: SessionDep) -> None:
    """Change one's own password with the current one (rate limited like sign-in); clears a pending change.

    The way an API-only client replaces its demo or reset password; the policy is the web page's.
    """
    principal = attempt_login(request, session, body.username, body.current)
    if principal.user_id is None:
        raise HTTPException(403, "该账户不能修改密码 / this account has no password to change")
    try:
        accounts.change_own_password(session, principal.user_id, body.current, body.new)
    except (StoreError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None
    audit.record(session, principal, "user.password", f"user:{principal.username}", client=client_address(request))


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, caller: CallerDep, session: SessionDep) -> None:
    """End the browser session on the server (a copy of the cookie stops working too) and clear the cookie."""
    if caller.browser is not None:
        audit.record(
            session, caller.principal, "logout", f"user:{caller.principal.username}", client=client_address(request)
        )
    end_session(request, response, session, caller.browser)


@router.get("/me", response_model=Me)
def me(caller: CallerDep) -> Me:
    p = caller.principal
    return Me(
        username=p.username,
        role=p.role.value,
        scope_id=p.scope_id,
        display_name=p.display_name,
        csrf_token=caller.browser.csrf if caller.browser else None,
    )


@router.get("/audit", response_model=list[AuditEntry])
def audit_log(
    scope: AdminDep, actor: str | None = Query(None, max_length=1024), limit: int = Query(200, ge=1, le=1000)
) -> list[AuditEntry]:
    """The newest audit entries (regulator admins only); `limit` outside 1–1000 is 422."""
    return audit.entries(scope.session, actor=actor, limit=limit)
