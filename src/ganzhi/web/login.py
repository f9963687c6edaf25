"""Signing in and out of a browser session, shared by the JSON API and the login page.

Failed attempts are counted per user name and per client address; past the limit the answer is 429
with `Retry-After`, checked before the password so a locked account costs no hashing.
"""

from __future__ import annotations

import math

from fastapi import HTTPException, Request, Response
from sqlalchemy.orm import Session

from ganzhi.accounts import users as accounts
from ganzhi.accounts.users import Principal
from ganzhi.web import audit
from ganzhi.web.config import WebConfig
from ganzhi.web.deps import client_address
from ganzhi.web.limits import LoginLimiter
from ganzhi.web.security import SESSION_COOKIE, BrowserSession, SessionCodec, new_csrf_token


def attempt_login(request: Request, session: Session, username: str, password: str) -> Principal:
    """The principal for valid credentials; HTTPException 429 when rate limited, 401 when wrong."""
    limiter: LoginLimiter = request.app.state.login_limiter
    client = client_address(request)
    keys = [f"user:{username.strip().lower()[:128]}", f"client:{client}"]
    wait = limiter.retry_after(keys)
    if wait > 0:
        raise HTTPException(
            429,
            f"too many failed logins; try again in {math.ceil(wait)} s",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    principal = accounts.authenticate(session, username.strip(), password)
    if principal is None:
        limiter.failed(keys)
        raise HTTPException(401, "wrong user name or password / 用户名或密码错误")
    limiter.succeeded(keys)
    audit.record(session, principal, "login", f"user:{principal.username}", client=client)
    return principal


def start_session(request: Request, response: Response, principal: Principal, lang: str = "zh") -> BrowserSession:
    """Set the signed session cookie (HttpOnly, SameSite=Lax) with a fresh CSRF token."""
    codec: SessionCodec = request.app.state.session_codec
    config: WebConfig = request.app.state.config
    if principal.user_id is None:
        raise ValueError("only stored users can hold a browser session")
    browser = BrowserSession(user_id=principal.user_id, csrf=new_csrf_token(), lang=lang)
    response.set_cookie(
        SESSION_COOKIE,
        codec.dump(browser),
        max_age=config.session_max_age_s,
        httponly=True,
        samesite="lax",
        secure=config.cookie_secure,
        path="/",
    )
    return browser


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
