"""Public pages (published snapshots only) and signing in and out."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ganzhi.accounts import scope as scoped
from ganzhi.accounts.roles import Role
from ganzhi.accounts.users import PUBLIC
from ganzhi.store import supervision_repo
from ganzhi.web import audit
from ganzhi.web.deps import CallerDep, SessionDep, client_address
from ganzhi.web.login import attempt_login, end_session, start_session
from ganzhi.web.pages.render import language, page

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, caller: CallerDep, session: SessionDep) -> Response:
    """The public portal: approved 通报 snapshots and the latest published ranking (never a draft)."""
    published = scoped.publications(scoped.Scope(PUBLIC, session))
    latest = next((p for p in reversed(published) if p.body.get("rankings")), None)
    rankings = latest.content().rankings if latest is not None else []
    public = scoped.Scope(PUBLIC, session)
    context = {
        "publications": published,
        "rankings": rankings,
        "practices": scoped.practices(public),
        "enterprise_names": {e.id: e.name for e in supervision_repo.list_enterprises(session)},
    }
    return page(request, "public.html", caller.principal, context)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, caller: CallerDep) -> Response:
    return page(request, "login.html", caller.principal, {"error": None})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request, session: SessionDep, username: str = Form(...), password: str = Form(...)
) -> Response:
    try:
        principal = attempt_login(request, session, username, password)
    except HTTPException as exc:
        return page(request, "login.html", PUBLIC, {"error": exc.detail}, status_code=exc.status_code)
    if principal.must_change_password:
        target = "/account"
    else:
        target = {Role.ENTERPRISE: "/portal"}.get(principal.role, "/dashboard")
    response = RedirectResponse(target, status_code=303)
    start_session(request, response, session, principal, lang=language(request))
    return response


@router.post("/logout")
def logout(request: Request, caller: CallerDep, session: SessionDep) -> Response:
    """End the session on the server and clear the cookie."""
    response = RedirectResponse("/", status_code=303)
    if caller.browser is not None:
        audit.record(
            session, caller.principal, "logout", f"user:{caller.principal.username}", client=client_address(request)
        )
    end_session(request, response, session, caller.browser)
    return response
