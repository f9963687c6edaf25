"""Regulators' oversight pages: 约谈 interviews (list, record) and 回头看 look-backs (list, one report).

Every read goes through `ganzhi.accounts.scope`, so an enterprise or the public gets nothing here; every
recorded interview is audited. Minutes, attendees and commitments are user text: the templates
escape them (Jinja2 autoescaping).
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ganzhi.accounts import scope as scoped
from ganzhi.accounts.roles import Role
from ganzhi.errors import GanzhiError
from ganzhi.supervision.lookback import VERDICT_ZH, Verdict
from ganzhi.supervision.models import Commitment, Interview
from ganzhi.web import audit
from ganzhi.web.deps import ScopeDep, client_address
from ganzhi.web.pages.render import page

router = APIRouter()
MAX_ATTENDEES = 50
REGULATORS_ONLY = {"message": "仅监管人员 / regulators only"}


def _gate(request: Request, scope: scoped.Scope) -> Response | None:
    """The public goes to the login page, any other non-regulator gets a 403 page; regulators pass."""
    if scope.role is Role.PUBLIC:
        return RedirectResponse("/login", status_code=303)
    if not scope.principal.is_regulator:
        return page(request, "message.html", scope.principal, REGULATORS_ONLY, status_code=403)
    return None


def _interviews(
    request: Request, scope: scoped.Scope, enterprise: str, message: str | None, status_code: int = 200
) -> Response:
    context = {
        "interviews": scoped.interviews(scope, enterprise_id=enterprise or None),
        "enterprises": scoped.enterprises(scope),
        "names": {e.id: e.name for e in scoped.enterprises(scope)},
        "chosen": enterprise,
        "message": message,
        "today": dt.date.today().isoformat(),
    }
    return page(request, "interviews.html", scope.principal, context, status_code=status_code)


@router.get("/interviews", response_class=HTMLResponse)
def interview_list(request: Request, scope: ScopeDep, enterprise: str = "") -> Response:
    """Every 约谈 record, newest first, optionally of one enterprise; the form to record one."""
    return _gate(request, scope) or _interviews(request, scope, enterprise[:200], None)


def _lines(text: str, field: str, limit: int) -> list[str]:
    found = [line.strip() for line in text.replace("，", ",").replace(",", "\n").splitlines() if line.strip()]
    if len(found) > limit:
        raise ValueError(f"{field}: at most {limit} entries (got {len(found)})")
    return found


@router.post("/interviews", response_class=HTMLResponse)
def interview_record(
    request: Request,
    scope: ScopeDep,
    interview_id: str = Form(..., max_length=64),
    enterprise_id: str = Form(..., max_length=64),
    held_on: str = Form(..., max_length=10),
    attendees: str = Form(..., max_length=5000),
    minutes: str = Form(..., max_length=100_000),
    commitment: str = Form("", max_length=2000),
    commitment_due: str = Form("", max_length=10),
    campaign_id: str = Form("", max_length=64),
) -> Response:
    """Record one 约谈 (regulators): date, attendees, minutes and an optional commitment with its due date."""
    gated = _gate(request, scope)
    if gated is not None:
        return gated
    try:
        held = dt.date.fromisoformat(held_on)
        promised = []
        if commitment.strip():
            if not commitment_due:
                raise ValueError("commitment_due: a commitment needs a due date (YYYY-MM-DD), got none")
            promised = [Commitment(text=commitment.strip(), due=dt.date.fromisoformat(commitment_due))]
        made = Interview(
            id=interview_id.strip(),
            enterprise_id=enterprise_id.strip(),
            held_on=held,
            attendees=_lines(attendees, "attendees", MAX_ATTENDEES),
            minutes=minutes.strip(),
            commitments=promised,
            campaign_id=campaign_id.strip() or None,
            recorded_by=scope.principal.username,
            recorded_at=dt.datetime.now(dt.UTC),
        )
        scoped.record_interview(scope, made)
    except (GanzhiError, ValidationError, ValueError, scoped.Forbidden) as exc:
        return _interviews(request, scope, "", f"未能记录 / cannot record: {exc}", status_code=422)
    audit.record(
        scope.session,
        scope.principal,
        "interview.record",
        f"interview:{made.id}",
        {"enterprise_id": made.enterprise_id, "held_on": made.held_on.isoformat(), "commitments": len(promised)},
        client=client_address(request),
    )
    return RedirectResponse("/interviews", status_code=303)


@router.get("/lookbacks", response_class=HTMLResponse)
def lookback_list(request: Request, scope: ScopeDep) -> Response:
    """Every stored 回头看 with its verdict counts, newest first."""
    gated = _gate(request, scope)
    if gated is not None:
        return gated
    verdicts = {v.value: {"zh": VERDICT_ZH.get(v, v.value), "en": v.value.replace("_", " ")} for v in Verdict}
    context = {"lookbacks": scoped.lookbacks(scope), "VERDICTS": verdicts}
    return page(request, "lookbacks.html", scope.principal, context)


@router.get("/lookbacks/{lookback_id}", response_class=HTMLResponse)
def lookback_report(lookback_id: str, request: Request, scope: ScopeDep) -> Response:
    """One look-back's report: counts per verdict and per enterprise, and every re-tested issue."""
    gated = _gate(request, scope)
    if gated is not None:
        return gated
    found = scoped.lookback(scope, lookback_id)
    if found is None:
        return page(request, "message.html", scope.principal, {"message": "未找到 / not found"}, status_code=404)
    return page(request, "lookback.html", scope.principal, {"lb": found, "report": found["report"]})
