"""Pages for every object a regulator works with: runs and their results, enterprises, campaigns and
rounds, the audit log, the check catalog, and the signed-in user's own account (password change).

Reads go through `ganzhi.accounts.scope` like the API, so a page never shows more than the API would;
lists are filtered, sorted and paged in SQL (`ganzhi.store.list_query`) and export exactly the filtered
rows as CSV/XLSX through the shared `listing` helpers the issue queue and submissions use.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ganzhi.accounts import scope as scoped
from ganzhi.accounts import users as accounts
from ganzhi.accounts.roles import Role
from ganzhi.catalog.loader import default_catalog
from ganzhi.catalog.schema import EnterpriseType
from ganzhi.errors import StoreError
from ganzhi.outputs.labels import sorted_results
from ganzhi.outputs.sheets import Cell, Sheet
from ganzhi.store import list_query, supervision_repo
from ganzhi.store.repositories import RunStatus
from ganzhi.web import audit
from ganzhi.web.deps import ScopeDep, client_address
from ganzhi.web.pages import listing
from ganzhi.web.pages.labels import Labels
from ganzhi.web.pages.render import LABELS, language, page

router = APIRouter()
#: Task ids a run filter accepts (from the catalog, never a kept list).
TASK_IDS = tuple(t.id for t in default_catalog().tasks)
#: Results one run page shows (the API pages further).
MAX_RESULTS = 2000


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


def _sorts(t: dict[str, str], keys: dict[str, str]) -> dict[str, str]:
    return {key: t[label] for key, label in keys.items()}


@router.get("/runs", response_class=HTMLResponse)
def run_list(request: Request, scope: ScopeDep) -> Response:
    """Inspection runs: date range, task, status, search, sort and pages in SQL; export of exactly those rows."""
    if (redirect := _signed_in(scope)) is not None:
        return redirect
    labels = Labels(language(request))
    t = LABELS[labels.lang]
    filters = {
        "task": listing.choice_param(request, "task", TASK_IDS),
        "status": listing.choice_param(request, "status", [s.value for s in RunStatus]),
        "since": listing.text_param(request, "since")[:10],
        "until": listing.text_param(request, "until")[:10],
        "q": listing.text_param(request, "q"),
    }
    query = list_query.RunQuery(
        task=filters["task"],
        status=filters["status"],
        since=listing.day_param(request, "since"),
        until=listing.day_param(request, "until"),
        search=filters["q"],
    )
    sorts = _sorts(t, {"started": "started", "finished": "finished", "status": "state"})
    state = listing.list_state(request, "/runs", filters, sorts, "started", True)
    order = list_query.Order(state.sort, state.descending)
    export = listing.export_format(request)
    if export:
        total, found = scoped.run_page(scope, query, order, offset=0, limit=listing.export_limit(request))
        listing.check_export_total(request, total)
        header = (
            ["检测", "开始时间", "结束时间", "状态", "任务", "统计"]
            if labels.lang == "zh"
            else ["Run", "Started", "Finished", "State", "Tasks", "Counts"]
        )
        rows: list[list[Cell]] = [
            [
                r.note or r.id,
                labels.time(r.started_at),
                labels.time(r.finished_at),
                labels.run_status(r.status),
                " ".join(r.selection.get("tasks") or []),
                labels.run_counts(r.stats),
            ]
            for r in found
        ]
        sheet = Sheet(title="检测记录" if labels.lang == "zh" else "Runs", header=header, rows=rows)
        return listing.export_response(sheet, export, "runs")
    total, found = scoped.run_page(scope, query, order, offset=state.paged.offset, limit=state.per)
    context = {
        **listing.context(state, total, labels.lang, t),
        "runs": found,
        "task_choices": TASK_IDS,
        "status_choices": [s.value for s in RunStatus],
    }
    return page(request, "runs.html", scope.principal, context)


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
def enterprise_list(request: Request, scope: ScopeDep) -> Response:
    """Enterprises under supervision (a provincial regulator sees its provinces'): type, province, search, pages."""
    if (redirect := _regulators(scope)) is not None:
        return redirect
    labels = Labels(language(request))
    t = LABELS[labels.lang]
    filters = {
        "type": listing.choice_param(request, "type", [e.value for e in EnterpriseType]),
        "province": listing.text_param(request, "province"),
        "q": listing.text_param(request, "q"),
    }
    query = list_query.EnterpriseQuery(type=filters["type"], province=filters["province"], search=filters["q"])
    sorts = _sorts(t, {"name": "enterprise", "type": "type", "province": "province"})
    state = listing.list_state(request, "/enterprises", filters, sorts, "name", False)
    order = list_query.Order(state.sort, state.descending)
    export = listing.export_format(request)
    if export:
        total, found = scoped.enterprise_page(scope, query, order, offset=0, limit=listing.export_limit(request))
        listing.check_export_total(request, total)
        header = (
            ["企业", "类型", "省份", "统一社会信用代码", "关联对象数"]
            if labels.lang == "zh"
            else ["Enterprise", "Type", "Province", "USCC", "Subjects"]
        )
        rows: list[list[Cell]] = [
            [e.name, labels.enterprise_type(e.type), e.province or "", e.uscc, len(e.subjects)] for e in found
        ]
        sheet = Sheet(title="企业" if labels.lang == "zh" else "Enterprises", header=header, rows=rows)
        return listing.export_response(sheet, export, "enterprises")
    total, found = scoped.enterprise_page(scope, query, order, offset=state.paged.offset, limit=state.per)
    allowed = None if scope.national else set(scope.principal.provinces)
    provinces = [p for p in list_query.provinces(scope.session) if allowed is None or p in allowed]
    context = {
        **listing.context(state, total, labels.lang, t),
        "enterprises": found,
        "provinces": provinces,
        "type_choices": [e.value for e in EnterpriseType],
    }
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


def year_param(request: Request, name: str = "year") -> int | None:
    """A four-digit year filter; anything else is a 422."""
    value = listing.text_param(request, name)
    if not value:
        return None
    if not (value.isdigit() and len(value) == 4):
        raise HTTPException(422, f"{name}: 应为四位年份 / expected a four-digit year, got {value[:20]!r}")
    return int(value)


@router.get("/campaigns", response_class=HTMLResponse)
def campaign_list(request: Request, scope: ScopeDep) -> Response:
    """Campaigns (year, search, sort, pages in SQL) with their rounds and the runs attached to each round."""
    if (redirect := _signed_in(scope)) is not None:
        return redirect
    labels = Labels(language(request))
    t = LABELS[labels.lang]
    filters = {"year": listing.text_param(request, "year"), "q": listing.text_param(request, "q")}
    query = list_query.CampaignQuery(year=year_param(request), search=filters["q"])
    sorts = _sorts(t, {"starts": "starts", "ends": "ends", "name": "name"})
    state = listing.list_state(request, "/campaigns", filters, sorts, "starts", True)
    order = list_query.Order(state.sort, state.descending)
    export = listing.export_format(request)
    if export:
        total, found = scoped.campaign_page(scope, query, order, offset=0, limit=listing.export_limit(request))
        listing.check_export_total(request, total)
        header = (
            ["编号", "名称", "开始日期", "结束日期", "任务", "检查轮次"]
            if labels.lang == "zh"
            else ["Id", "Name", "Starts", "Ends", "Tasks", "Rounds"]
        )
        rows: list[list[Cell]] = [
            [
                c.id,
                c.name,
                labels.date(c.starts),
                labels.date(c.ends),
                "、".join(labels.task(x) for x in c.tasks),
                len(supervision_repo.list_rounds(scope.session, c.id)),
            ]
            for c in found
        ]
        sheet = Sheet(title="专项行动" if labels.lang == "zh" else "Campaigns", header=header, rows=rows)
        return listing.export_response(sheet, export, "campaigns")
    total, found = scoped.campaign_page(scope, query, order, offset=state.paged.offset, limit=state.per)
    items = [{"c": c, "rounds": supervision_repo.list_rounds(scope.session, c.id)} for c in found]
    context = {
        **listing.context(state, total, labels.lang, t),
        "items": items,
        "year_choices": list_query.campaign_years(scope.session),
    }
    return page(request, "campaigns.html", scope.principal, context)


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_detail(campaign_id: str, request: Request, scope: ScopeDep) -> Response:
    """One campaign: its window and tasks, rounds with their runs and findings, the enterprises assigned
    (an enterprise: its own assignments), the 通报 drafted for it and (regulators) its audit history."""
    if (redirect := _signed_in(scope)) is not None:
        return redirect
    found = scoped.campaign(scope, campaign_id[:80])
    if found is None:
        raise HTTPException(404, f"没有专项行动 {campaign_id[:80]!r} / no campaign visible to this account")
    own = None if scope.principal.is_regulator else scope.principal.scope_id
    assigned = supervision_repo.get_assignments(scope.session, found.id, enterprise_id=own)
    names = {e.id: e.name for e in scoped.enterprises(scope)}
    by_enterprise: dict[str, list[str]] = {}
    for a in assigned:
        if a.enterprise_id in names:
            by_enterprise.setdefault(a.enterprise_id, []).append(a.task)
    counts = {c.number: c for c in scoped.round_counts(scope, found.id)}
    rounds = [{"r": r, "count": counts.get(r.number)} for r in supervision_repo.list_rounds(scope.session, found.id)]
    history = (
        audit.entries(scope.session, target=f"campaign:{found.id}", limit=100) if scope.principal.is_regulator else []
    )
    context = {
        "c": found,
        "rounds": rounds,
        "assignments": sorted(by_enterprise.items(), key=lambda kv: names[kv[0]]),
        "names": names,
        "publications": [p for p in scoped.publications(scope) if p.campaign_id == found.id],
        "history": history,
    }
    return page(request, "campaign.html", scope.principal, context)


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request, scope: ScopeDep) -> Response:
    """The audit log (admins): who changed what, when, from where; actor, action, target, dates; pages; export."""
    if (redirect := _signed_in(scope)) is not None:
        return redirect
    if scope.role is not Role.REGULATOR_ADMIN:
        raise HTTPException(403, "仅监管管理员 / regulator admins only")
    labels = Labels(language(request))
    t = LABELS[labels.lang]
    filters = {
        "actor": listing.text_param(request, "actor"),
        "action": listing.text_param(request, "action"),
        "target": listing.text_param(request, "target"),
        "since": listing.text_param(request, "since")[:10],
        "until": listing.text_param(request, "until")[:10],
    }
    query = list_query.AuditQuery(
        actor=filters["actor"],
        action=filters["action"],
        target=filters["target"],
        since=listing.day_param(request, "since"),
        until=listing.day_param(request, "until"),
    )
    sorts = _sorts(t, {"at": "time", "actor": "actor", "action": "action"})
    state = listing.list_state(request, "/audit", filters, sorts, "at", True)
    order = list_query.Order(state.sort, state.descending)
    export = listing.export_format(request)
    if export:
        total, found = list_query.page_audit(scope.session, query, order, offset=0, limit=listing.export_limit(request))
        listing.check_export_total(request, total)
        header = (
            ["时间", "操作人", "角色", "操作", "对象", "详情", "来源地址"]
            if labels.lang == "zh"
            else ["Time", "Actor", "Role", "Action", "Target", "Detail", "Client"]
        )
        rows: list[list[Cell]] = [
            [
                labels.time(e.at),
                labels.actor(e.actor),
                e.role,
                e.action,
                e.target,
                "；".join(f"{labels.detail(k)}：{v}" for k, v in e.detail.items()),
                e.client or "",
            ]
            for e in found
        ]
        sheet = Sheet(title="审计日志" if labels.lang == "zh" else "Audit log", header=header, rows=rows)
        return listing.export_response(sheet, export, "audit")
    total, found = list_query.page_audit(scope.session, query, order, offset=state.paged.offset, limit=state.per)
    context = {
        **listing.context(state, total, labels.lang, t),
        "entries": found,
        "action_choices": list_query.audit_actions(scope.session),
    }
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
