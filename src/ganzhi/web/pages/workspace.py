"""Signed-in pages: the dashboard and the issue queue (filters, search, pages, sorting, CSV/XLSX export).

The queue's filters go into SQL through `ganzhi.accounts.scope.issue_page`, so the rows on a page, the
total in its pager and an export of the same filters are the same selection. Every deadline shown is
the issue's own `deadline` (the one the 通报 text quotes), every date a Beijing date.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ganzhi.accounts import scope as scoped
from ganzhi.accounts.roles import Role
from ganzhi.appstore import submissions as submission_repo
from ganzhi.errors import TransitionError
from ganzhi.evidence.status import Severity
from ganzhi.findings.lifecycle import ACTIVE_STATES, allowed_targets
from ganzhi.findings.models import Issue, IssueState
from ganzhi.outputs.labels import task_sort_key
from ganzhi.outputs.sheets import Sheet
from ganzhi.store import supervision_repo
from ganzhi.store.issue_query import SORTS, IssueQuery
from ganzhi.supervision.models import Campaign
from ganzhi.web import audit
from ganzhi.web.config import WebConfig
from ganzhi.web.deps import ScopeDep, client_address
from ganzhi.web.pages import listing
from ganzhi.web.pages.labels import Labels, beijing_today, task_ids
from ganzhi.web.pages.render import LABELS, language, page

router = APIRouter()
#: Runs the dashboard's trend chart shows (the newest ones).
TREND_RUNS = 12
#: Longest filter value read from the query string.
MAX_PARAM = 100


def _login_redirect(scope: scoped.Scope) -> Response | None:
    if scope.role is Role.PUBLIC:
        return RedirectResponse("/login", status_code=303)
    if scope.principal.must_change_password:
        return RedirectResponse("/account", status_code=303)
    return None


def _config(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.config
    return config


def _enterprise_names(scope: scoped.Scope) -> dict[str, str]:
    return {e.id: e.name for e in scoped.enterprises(scope)}


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, scope: ScopeDep) -> Response:
    """Open issues by task × enterprise (click a cell for its queue), overdue and due-soon counts, trends, provinces."""
    if (redirect := _login_redirect(scope)) is not None:
        return redirect
    if scope.role is Role.ENTERPRISE:
        return RedirectResponse("/portal", status_code=303)
    labels = Labels(language(request))
    active = scoped.issues(scope, states=ACTIVE_STATES, limit=100_000)
    ownership = scope.ownership()
    enterprises = {e.id: e for e in scoped.enterprises(scope)}
    owner = {i.fingerprint: ownership.operator_of(i.subject) or "" for i in active}
    cells = Counter((i.task, owner[i.fingerprint]) for i in active)
    tasks = sorted({t for t, _ in cells}, key=task_sort_key)
    owners = sorted({e for _, e in cells}, key=lambda e: (e == "", enterprises[e].name if e in enterprises else e))
    unregistered = "未登记企业" if labels.lang == "zh" else "unregistered"
    heatmap = {
        "tasks": tasks,
        "task_titles": [labels.task(t) for t in tasks],
        "enterprises": [enterprises[e].name if e in enterprises else unregistered for e in owners],
        "enterprise_ids": owners,
        "data": [[tasks.index(t), owners.index(e), n] for (t, e), n in sorted(cells.items())],
        "max": max(cells.values(), default=1),
    }
    today = beijing_today()
    soon = today + dt.timedelta(days=_config(request).due_soon_days)
    overdue = [i for i in active if i.deadline is not None and i.deadline < today]
    due_soon = [i for i in active if i.deadline is not None and today <= i.deadline < soon]
    provinces: dict[str, dict[str, int]] = {}
    for issue in active:
        found = enterprises.get(owner[issue.fingerprint])
        province = (found.province if found else None) or ("未注明" if labels.lang == "zh" else "not given")
        row = provinces.setdefault(province, {"active": 0, "overdue": 0, "enterprises": 0})
        row["active"] += 1
        row["overdue"] += int(issue.deadline is not None and issue.deadline < today)
    for found in enterprises.values():
        if found.province in provinces:
            provinces[found.province]["enterprises"] += 1
    runs = scoped.runs(scope, limit=TREND_RUNS)
    trend = {
        "runs": [f"{labels.time(r.started_at)}\n{r.note or r.id}"[:60] for r in reversed(runs)],
        "series": [
            {"name": labels.status("FAIL"), "data": [int(r.stats.get("FAIL", 0)) for r in reversed(runs)]},
            {
                "name": labels.text({"zh": "新增问题", "en": "new issues"}),
                "data": [int(r.stats.get("new", 0)) for r in reversed(runs)],
            },
            {
                "name": labels.text({"zh": "已整改", "en": "fixed"}),
                "data": [int(r.stats.get("fixed", 0)) for r in reversed(runs)],
            },
        ],
    }
    current = _current_campaign(scope, today)
    counts = scoped.round_counts(scope, current.id) if current else []
    round_trend = {
        "campaign": current.name if current else "",
        "campaign_id": current.id if current else "",
        "rounds": [f"{c.number}. {c.name}"[:40] for c in counts],
        "series": [
            {"name": labels.text({"zh": "发现问题", "en": "found"}), "data": [c.found for c in counts]},
            {"name": labels.text({"zh": "仍未整改", "en": "still open"}), "data": [c.open for c in counts]},
        ],
    }
    context = {
        "heatmap": heatmap,
        "trend": trend,
        "round_trend": round_trend,
        "overdue": sorted(overdue, key=lambda i: (i.deadline, i.task))[:20],
        "overdue_count": len(overdue),
        "due_soon_count": len(due_soon),
        "soon_until": soon,
        "today": today,
        "provinces": sorted(provinces.items(), key=lambda kv: -kv[1]["active"]),
        "runs": runs[:10],
        "submissions": _submissions(scope),
        "active_count": len(active),
        "owner_names": {fp: (enterprises[e].name if e in enterprises else "") for fp, e in owner.items()},
    }
    return page(request, "dashboard.html", scope.principal, context)


def _current_campaign(scope: scoped.Scope, today: dt.date) -> Campaign | None:
    """The campaign under way today (the latest started), else the most recently started one that has rounds."""
    found = sorted(scoped.campaigns(scope), key=lambda c: (c.starts, c.id), reverse=True)
    running = [c for c in found if c.starts <= today <= c.ends]
    if running:
        return running[0]
    return next((c for c in found if supervision_repo.list_rounds(scope.session, c.id)), found[0] if found else None)


def _submissions(scope: scoped.Scope) -> list[submission_repo.SubmissionView]:
    """The newest store submissions the scope sees (a provincial regulator: its provinces' stores, in SQL)."""
    return submission_repo.listing(scope, limit=20)


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """The queue's query string, checked: unknown values are refused with 422, never silently dropped."""

    tasks: tuple[str, ...]
    states: tuple[IssueState, ...]
    severities: tuple[str, ...]
    enterprise: str
    province: str
    due: str
    q: str
    sort: str
    desc: bool
    page: int
    per: int

    def params(self, **changes: Any) -> str:
        values: dict[str, Any] = {
            "task": list(self.tasks),
            "state": [s.value for s in self.states],
            "severity": list(self.severities),
            "enterprise": self.enterprise,
            "province": self.province,
            "due": self.due,
            "q": self.q,
            "sort": self.sort,
            "desc": "1" if self.desc else "",
            "page": self.page,
            "per": self.per,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None, [])}, doseq=True)


def _filters(request: Request) -> QueueFilters:
    params = request.query_params
    tasks = tuple(t for t in params.getlist("task") if t)[:20]
    known = set(task_ids())
    bad_tasks = [t[:MAX_PARAM] for t in tasks if t not in known]
    if bad_tasks:
        raise HTTPException(422, f"task: unknown {bad_tasks}; expected one of {sorted(known, key=task_sort_key)}")
    states_raw = tuple(s for s in params.getlist("state") if s)[:10]
    if states_raw == ("active",):
        states = tuple(sorted(ACTIVE_STATES))
    else:
        bad = [s[:MAX_PARAM] for s in states_raw if s not in IssueState.__members__]
        if bad:
            raise HTTPException(422, f"state: unknown {bad}; expected one of {sorted(IssueState.__members__)}")
        states = tuple(IssueState(s) for s in states_raw)
    severities = tuple(s for s in params.getlist("severity") if s)[:10]
    allowed = {s.value for s in Severity}
    if any(s not in allowed for s in severities):
        raise HTTPException(422, f"severity: expected some of {sorted(allowed)}")
    due = params.get("due", "")
    if due not in ("", "overdue", "soon"):
        raise HTTPException(422, f"due: expected 'overdue' or 'soon', got {due[:MAX_PARAM]!r}")
    sort = params.get("sort", "opened")
    if sort not in SORTS:
        raise HTTPException(422, f"sort: expected one of {sorted(SORTS)}, got {sort[:MAX_PARAM]!r}")
    paged = listing.paging(request)
    return QueueFilters(
        tasks=tasks,
        states=states,
        severities=severities,
        enterprise=params.get("enterprise", "")[:MAX_PARAM],
        province=params.get("province", "")[:MAX_PARAM],
        due=due,
        q=params.get("q", "")[:MAX_PARAM],
        sort=sort,
        desc=params.get("desc", "") in ("1", "true", "on"),
        page=paged.page,
        per=paged.per,
    )


def _query(filters: QueueFilters, soon_days: int) -> IssueQuery:
    today = beijing_today()
    due_before = due_after = None
    states = filters.states
    if filters.due == "overdue":
        due_before = today
        states = states or tuple(sorted(ACTIVE_STATES))
    elif filters.due == "soon":
        due_after, due_before = today, today + dt.timedelta(days=soon_days)
        states = states or tuple(sorted(ACTIVE_STATES))
    return IssueQuery(
        tasks=filters.tasks,
        states=states,
        severities=filters.severities,
        due_before=due_before,
        due_after=due_after,
        search=filters.q,
        sort=filters.sort,
        descending=filters.desc,
    )


def _select(
    scope: scoped.Scope, filters: QueueFilters, soon_days: int, offset: int, limit: int
) -> tuple[int, list[Issue]]:
    return scoped.issue_page(
        scope,
        _query(filters, soon_days),
        enterprise_ids=[filters.enterprise] if filters.enterprise else (),
        provinces=[filters.province] if filters.province else (),
        offset=offset,
        limit=limit,
    )


def _export_sheet(issues: list[Issue], labels: Labels, owners: dict[str, str], names: dict[str, str]) -> Sheet:
    zh = labels.lang == "zh"
    header = (
        ["任务", "企业", "对象", "问题", "严重程度", "状态", "整改期限", "发现时间", "问题编号"]
        if zh
        else ["Task", "Enterprise", "Subject", "Issue", "Severity", "State", "Deadline", "Opened", "Fingerprint"]
    )
    rows = [
        [
            labels.task(i.task),
            names.get(owners.get(i.fingerprint, ""), i.subject.enterprise or ""),
            i.subject.name or i.subject.id,
            labels.text(i.title),
            labels.severity(i.severity),
            labels.state(i.state),
            labels.date(i.deadline),
            labels.time(i.opened_at),
            i.fingerprint,
        ]
        for i in issues
    ]
    return Sheet(title="问题队列" if zh else "Issues", header=header, rows=rows)


@router.get("/issues", response_class=HTMLResponse)
def issue_queue(request: Request, scope: ScopeDep) -> Response:
    """The queue: filters (task, enterprise, province, state, severity, due), search, sorting, pages, export."""
    if (redirect := _login_redirect(scope)) is not None:
        return redirect
    config = _config(request)
    filters = _filters(request)
    labels = Labels(language(request))
    ownership = scope.ownership()
    names = _enterprise_names(scope)
    export = listing.export_format(request)
    if export:
        total, found = _select(scope, filters, config.due_soon_days, 0, listing.export_limit(request))
        listing.check_export_total(request, total)
        owners = {i.fingerprint: ownership.operator_of(i.subject) or "" for i in found}
        return listing.export_response(_export_sheet(found, labels, owners, names), export, "issues")
    total, found = _select(scope, filters, config.due_soon_days, (filters.page - 1) * filters.per, filters.per)
    pages = max(1, math.ceil(total / filters.per))
    targets = {i.fingerprint: sorted(allowed_targets(i.state), key=lambda s: s.value) for i in found}
    if scope.role is Role.ENTERPRISE:
        targets = {fp: [s for s in ts if s in scoped.ENTERPRISE_TARGETS] for fp, ts in targets.items()}
    if scope.role is Role.APP_STORE:
        targets = {fp: [] for fp in targets}
    owners = {i.fingerprint: names.get(ownership.operator_of(i.subject) or "", "") for i in found}
    provinces = sorted({e.province for e in scoped.enterprises(scope) if e.province})
    context = {
        "issues": found,
        "targets": targets,
        "owners": owners,
        "message": None,
        "f": filters,
        "total": total,
        "pages": pages,
        "page_label": LABELS[labels.lang]["page_of"].format(page=filters.page, pages=pages, total=total),
        "task_choices": task_ids(),
        "state_choices": list(IssueState),
        "severity_choices": [s.value for s in Severity],
        "enterprise_choices": sorted(names.items(), key=lambda kv: kv[1]),
        "province_choices": provinces,
        "today": beijing_today(),
        "sorts": ["opened", "deadline", "updated", "severity", "task", "state"],
    }
    return page(request, "issues.html", scope.principal, context)


@router.get("/issues/{fingerprint}", response_class=HTMLResponse)
def issue_detail(fingerprint: str, request: Request, scope: ScopeDep) -> Response:
    """One issue: what, whose, its deadline and its whole history of transitions."""
    if (redirect := _login_redirect(scope)) is not None:
        return redirect
    found = scoped.issue(scope, fingerprint[:200])
    if found is None:
        raise HTTPException(404, f"no issue {fingerprint[:80]!r} visible to this account")
    owner_id = scope.ownership().operator_of(found.subject) or ""
    targets = sorted(allowed_targets(found.state), key=lambda s: s.value)
    if scope.role is Role.ENTERPRISE:
        targets = [s for s in targets if s in scoped.ENTERPRISE_TARGETS]
    if scope.role is Role.APP_STORE:
        targets = []
    context = {
        "i": found,
        "owner": scoped.enterprise(scope, owner_id),
        "history": scoped.transitions(scope, found.fingerprint) or [],
        "targets": targets,
        "today": beijing_today(),
    }
    return page(request, "issue.html", scope.principal, context)


@router.post("/issues/{fingerprint}/move", response_class=HTMLResponse)
def move(fingerprint: str, request: Request, scope: ScopeDep, to: str = Form(...), reason: str = Form(...)) -> Response:
    """Form (or htmx) transition of one issue; back to the page it came from."""
    if scope.role is Role.PUBLIC:
        raise HTTPException(401, "请先登录 / sign in first")
    if to not in IssueState.__members__:
        raise HTTPException(422, f"unknown state {to[:40]!r}; expected one of {sorted(IssueState.__members__)}")
    try:
        moved = scoped.move_issue(scope, fingerprint, IssueState(to), reason=reason)
    except scoped.Forbidden as exc:
        raise HTTPException(403, str(exc)) from None
    except TransitionError as exc:
        raise HTTPException(409, str(exc)) from None
    if moved is None:
        raise HTTPException(404, f"no issue {fingerprint[:80]!r} visible to this account")
    audit.record(
        scope.session,
        scope.principal,
        "issue.transition",
        f"issue:{fingerprint}",
        {"to": to, "reason": reason},
        client=client_address(request),
    )
    back = request.headers.get("referer", "")
    target = "/issues"
    if back.startswith(str(request.base_url)):
        path = back[len(str(request.base_url)) - 1 :]
        if path.startswith("/issues"):
            target = path
    return RedirectResponse(target, status_code=303)
