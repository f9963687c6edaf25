"""Signed-in pages: the dashboard (heatmap, overdue issues, latest runs) and the issue queue."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ganzhi.accounts import scope as scoped
from ganzhi.accounts.users import Role
from ganzhi.appstore import submissions as submission_repo
from ganzhi.errors import TransitionError
from ganzhi.findings.lifecycle import ACTIVE_STATES, allowed_targets
from ganzhi.findings.models import IssueState
from ganzhi.web import audit
from ganzhi.web.deps import ScopeDep, client_address
from ganzhi.web.pages.render import page

router = APIRouter()


def _login_redirect(scope: scoped.Scope) -> Response | None:
    return RedirectResponse("/login", status_code=303) if scope.role is Role.PUBLIC else None


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, scope: ScopeDep) -> Response:
    """Open issues by task × enterprise (ECharts heatmap), overdue issues, latest runs, submissions."""
    if (redirect := _login_redirect(scope)) is not None:
        return redirect
    active = scoped.issues(scope, states=ACTIVE_STATES, limit=100_000)
    ownership = scope.ownership()
    cells = Counter((i.task, ownership.operator_of(i.subject) or "—") for i in active)
    tasks = sorted({t for t, _ in cells}, key=lambda t: int(t[1:]))
    owners = sorted({e for _, e in cells})
    heatmap = {
        "tasks": tasks,
        "enterprises": owners,
        "data": [[tasks.index(t), owners.index(e), n] for (t, e), n in cells.items()],
        "max": max(cells.values(), default=1),
    }
    today = dt.datetime.now(dt.UTC).date()
    overdue = [i for i in active if i.deadline is not None and i.deadline < today][:100]
    context = {
        "heatmap_json": json.dumps(heatmap, ensure_ascii=False),
        "overdue": overdue,
        "runs": scoped.runs(scope, limit=10),
        "submissions": submission_repo.listing(scope, limit=20),
        "active_count": len(active),
    }
    return page(request, "dashboard.html", scope.principal, context)


@router.get("/issues", response_class=HTMLResponse)
def issue_queue(request: Request, scope: ScopeDep, state: str | None = None) -> Response:
    if (redirect := _login_redirect(scope)) is not None:
        return redirect
    states = [IssueState(state)] if state is not None and state in IssueState.__members__ else None
    found = scoped.issues(scope, states=states, limit=500)
    targets = {i.fingerprint: sorted(s.value for s in allowed_targets(i.state)) for i in found}
    if scope.role is Role.ENTERPRISE:
        targets = {
            fp: [s for s in ts if s in {t.value for t in scoped.ENTERPRISE_TARGETS}] for fp, ts in targets.items()
        }
    return page(request, "issues.html", scope.principal, {"issues": found, "targets": targets, "message": None})


@router.post("/issues/{fingerprint}/move", response_class=HTMLResponse)
def move(fingerprint: str, request: Request, scope: ScopeDep, to: str = Form(...), reason: str = Form(...)) -> Response:
    """Form (or htmx) transition of one issue; answers with the issue's updated table row."""
    if scope.role is Role.PUBLIC:
        raise HTTPException(401, "sign in first")
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
    return RedirectResponse("/issues", status_code=303)
