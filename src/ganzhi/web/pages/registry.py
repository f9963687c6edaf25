"""Pages for every object a regulator works with: runs and their results, enterprises, campaigns and
rounds, the audit log, the check catalog, and the signed-in user's own account (password change).

Reads go through `ganzhi.accounts.scope` like the API, so a page never shows more than the API would;
lists are bounded and paged, and each can be exported as CSV (`?export=csv`) with the rows it shows.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ganzhi.accounts import scope as scoped
from ganzhi.accounts import users as accounts
from ganzhi.accounts.roles import Role
from ganzhi.catalog.loader import default_catalog
from ganzhi.errors import StoreError
from ganzhi.outputs.labels import sorted_results
from ganzhi.outputs.sheets import to_csv
from ganzhi.store import supervision_repo
from ganzhi.web import audit
from ganzhi.web.config import WebConfig
from ganzhi.web.deps import ScopeDep, client_address
from ganzhi.web.pages.labels import Labels
from ganzhi.web.pages.render import language, page

router = APIRouter()
#: Runs a run list reads (newest first).
MAX_RUNS = 500
#: Results one run page shows (the API pages further).
MAX_RESULTS = 2000
#: Audit entries one page shows.
AUDIT_PAGE = 200


def _signed_in(scope: scoped.Scope) -> Response | None:
    if scope.role is Role.PUBLIC:
        return RedirectResponse("/login", status_code=303)
    if scope.principal.must_change_password:
        return RedirectResponse("/account", status_code=303)
    return None


def _regulators(scope: scoped.Scope) -> Response | None:
    if (redirect := _signed_in(scope)) is not None:
        return redirect
    if not scope.principal.is_regulator:
        raise HTTPException(403, f"仅监管人员 / regulators only (this account: {scope.role.value})")
    return None


def _csv(name: str, header: list[str], rows: list[list[Any]]) -> Response:
    body = ("\ufeff" + to_csv([header, *rows])).encode("utf-8")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get("/runs", response_class=HTMLResponse)
def run_list(request: Request, scope: ScopeDep, task: str = "", export: str = "") -> Response:
    """Inspection runs, newest first, optionally of one task; CSV export of the same rows."""
    if (redirect := _signed_in(scope)) is not None:
        return redirect
    labels = Labels(language(request))
    found = scoped.runs(scope, limit=MAX_RUNS)
    if task:
        found = [r for r in found if task in (r.selection.get("tasks") or [])]
    if export:
        if export != "csv":
            raise HTTPException(422, f"export: expected 'csv', got {export[:20]!r}")
        header = (
            ["检测", "开始时间", "状态", "任务", "统计"]
            if labels.lang == "zh"
            else ["Run", "Started", "State", "Tasks", "Counts"]
        )
        rows = [
            [
                r.note or r.id,
                labels.time(r.started_at),
                labels.run_status(r.status),
                " ".join(r.selection.get("tasks") or []),
                labels.run_counts(r.stats),
            ]
            for r in found
        ]
        return _csv("runs", header, rows)
    return page(request, "runs.html", scope.principal, {"runs": found, "task": task})


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_detail(run_id: str, request: Request, scope: ScopeDep, status: str = "") -> Response:
    """One run: what it selected, its counts and its (visible) results, failures first."""
    if (redirect := _signed_in(scope)) is not None:
        return redirect
    found = scoped.run(scope, run_id[:80])
    if found is None:
        raise HTTPException(404, f"没有检测 {run_id[:80]!r} / no run {run_id[:80]!r} visible to this account")
    results = sorted_results(scoped.results(scope, found.id, limit=MAX_RESULTS))
    if status:
        results = [r for r in results if r.status.value == status]
    return page(request, "run.html", scope.principal, {"run": found, "results": results, "status": status})


@router.get("/enterprises", response_class=HTMLResponse)
def enterprise_list(request: Request, scope: ScopeDep, province: str = "", q: str = "") -> Response:
    """Enterprises under supervision (a provincial regulator sees its provinces'), by province, searchable."""
    if (redirect := _regulators(scope)) is not None:
        return redirect
    everyone = scoped.enterprises(scope)
    found = [
        e
        for e in everyone
        if (not province or e.province == province) and (not q or q.lower() in f"{e.id} {e.name} {e.uscc}".lower())
    ]
    provinces = sorted({e.province for e in everyone if e.province})
    context = {"enterprises": found, "province": province, "q": q[:100], "provinces": provinces}
    return page(request, "enterprises.html", scope.principal, context)


@router.get("/enterprises/{enterprise_id}", response_class=HTMLResponse)
def enterprise_detail(enterprise_id: str, request: Request, scope: ScopeDep) -> Response:
    """One enterprise: its subjects, open issues by task, interviews."""
    if (redirect := _signed_in(scope)) is not None:
        return redirect
    found = scoped.enterprise(scope, enterprise_id[:80])
    if found is None:
        raise HTTPException(404, f"没有企业 {enterprise_id[:80]!r} / no enterprise visible to this account")
    return page(
        request,
        "enterprise.html",
        scope.principal,
        {"e": found, "interviews": scoped.interviews(scope, enterprise_id=found.id)},
    )


@router.get("/campaigns", response_class=HTMLResponse)
def campaign_list(request: Request, scope: ScopeDep) -> Response:
    """Campaigns with their rounds and the runs attached to each round."""
    if (redirect := _signed_in(scope)) is not None:
        return redirect
    items = [{"c": c, "rounds": supervision_repo.list_rounds(scope.session, c.id)} for c in scoped.campaigns(scope)]
    return page(request, "campaigns.html", scope.principal, {"items": items})


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request, scope: ScopeDep, actor: str = "", action: str = "", page_no: int = 1) -> Response:
    """The audit log (admins): who changed what, when, from where; filter by actor and action."""
    if (redirect := _signed_in(scope)) is not None:
        return redirect
    if scope.role is not Role.REGULATOR_ADMIN:
        raise HTTPException(403, "仅监管管理员 / regulator admins only")
    config: WebConfig = request.app.state.config
    if not 1 <= page_no <= config.max_export_rows // AUDIT_PAGE:
        raise HTTPException(422, f"page_no must be 1..{config.max_export_rows // AUDIT_PAGE}")
    found = audit.entries(scope.session, actor=actor[:200] or None, limit=AUDIT_PAGE * page_no + 1)
    if action:
        found = [e for e in found if e.action == action]
    more = len(found) > AUDIT_PAGE * page_no
    shown = found[AUDIT_PAGE * (page_no - 1) : AUDIT_PAGE * page_no]
    context = {"entries": shown, "actor": actor, "action": action, "page_no": page_no, "more": more}
    return page(request, "audit.html", scope.principal, context)


@router.get("/checks", response_class=HTMLResponse)
def check_catalog(request: Request, scope: ScopeDep, task: str = "") -> Response:
    """The 524 catalog: every task, its requirements and the checks that test them (public)."""
    tasks = [t for t in default_catalog().tasks if not task or t.id == task]
    return page(request, "checks.html", scope.principal, {"tasks": tasks, "task": task})


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, scope: ScopeDep) -> Response:
    if scope.role is Role.PUBLIC:
        return RedirectResponse("/login", status_code=303)
    return page(request, "account.html", scope.principal, {"message": None, "policy": accounts.PASSWORD_POLICY})


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    scope: ScopeDep,
    current: str = Form(..., max_length=1024),
    new: str = Form(..., max_length=1024),
    again: str = Form(..., max_length=1024),
) -> Response:
    """The user's own password change (required after a demo login or a reset)."""
    if scope.role is Role.PUBLIC or scope.principal.user_id is None:
        return RedirectResponse("/login", status_code=303)
    try:
        if new != again:
            raise ValueError("两次输入的新密码不一致 / the two new passwords differ")
        accounts.change_own_password(scope.session, scope.principal.user_id, current, new)
    except (StoreError, ValueError) as exc:
        context = {"message": str(exc), "policy": accounts.PASSWORD_POLICY}
        return page(request, "account.html", scope.principal, context, status_code=422)
    audit.record(
        scope.session,
        scope.principal,
        "user.password",
        f"user:{scope.principal.username}",
        client=client_address(request),
    )
    return RedirectResponse("/portal" if scope.role is Role.ENTERPRISE else "/dashboard", status_code=303)
