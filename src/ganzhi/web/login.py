"""Signing in and out of a browser session, shared by the JSON API and the login page.

Failed attempts slow down the (user name, client address) pair that made them, exponentially, and
are capped per client address (`LoginLimiter`); past the limit the answer is 429 with `Retry-After`,
checked before the password so a limited attempt costs no hashing. Another address is never slowed
down, so a stranger cannot lock a known user out. A session is a server-side record: logout (and
disabling the user) ends it at once.
"""

from __future__ import annotations

import datetime as dt
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
    user_key = username.strip().lower()[:128]
    wait = limiter.retry_after(user_key, client)
    if wait > 0:
        seconds = math.ceil(wait)
        raise HTTPException(
            429,
            f"登录失败次数过多，请 {seconds} 秒后再试 / too many failed logins; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
    principal = accounts.authenticate(session, username.strip(), password)
    if principal is None:
        limiter.failed(user_key, client)
        raise HTTPException(401, "用户名或密码错误 / wrong user name or password")
    limiter.succeeded(user_key, client)
    audit.record(session, principal, "login", f"user:{principal.username}", client=client)
    return principal


def secure_cookies(request: Request) -> bool:
    """Secure cookies when configured, or when this request came over HTTPS (directly or via a trusted proxy)."""
    config: WebConfig = request.app.state.config
    return config.cookie_secure or request.url.scheme == "https"


def start_session(
    request: Request, response: Response, session: Session, principal: Principal, lang: str = "zh"
) -> BrowserSession:
    """Record a server-side session and set its signed cookie (HttpOnly, SameSite=Lax, Secure over HTTPS)."""
    codec: SessionCodec = request.app.state.session_codec
    config: WebConfig = request.app.state.config
    if principal.user_id is None:
        raise ValueError("only stored users can hold a browser session")
    session_id = accounts.start_session(
        session,
        principal.user_id,
        dt.timedelta(seconds=config.session_max_age_s),
        client=client_address(request),
    )
    browser = BrowserSession(session_id=session_id, csrf=new_csrf_token(), lang=lang)
    response.set_cookie(
        SESSION_COOKIE,
        codec.dump(browser),
        max_age=config.session_max_age_s,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )
    return browser


def end_session(request: Request, response: Response, session: Session, browser: BrowserSession | None) -> None:
    """End the server-side session (the cookie stops working everywhere) and clear the cookie."""
    if browser is not None:
        accounts.end_session(session, browser.session_id)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(request))
