"""Runs, their results, and tracked issues with their transitions — all read through the caller's scope."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ganzhi.accounts import scope as scoped
from ganzhi.errors import TransitionError
from ganzhi.findings.models import Issue, IssueState, Result, Transition
from ganzhi.store.repositories import RunRecord
from ganzhi.web import audit
from ganzhi.web.deps import SignedInDep, client_address

router = APIRouter(tags=["findings"])


@router.get("/runs", response_model=list[RunRecord])
def runs(scope: SignedInDep, limit: int = Query(50, ge=1, le=500)) -> list[RunRecord]:
    return scoped.runs(scope, limit=limit)


@router.get("/runs/{run_id}", response_model=RunRecord)
def run(run_id: str, scope: SignedInDep) -> RunRecord:
    found = scoped.run(scope, run_id)
    if found is None:
        raise HTTPException(404, f"no run {run_id[:80]!r} visible to this account")
    return found


@router.get("/runs/{run_id}/results", response_model=list[Result])
def run_results(run_id: str, scope: SignedInDep) -> list[Result]:
    if scoped.run(scope, run_id) is None:
        raise HTTPException(404, f"no run {run_id[:80]!r} visible to this account")
    return scoped.results(scope, run_id)


@router.get("/issues", response_model=list[Issue])
def issues(
    scope: SignedInDep,
    state: Annotated[list[IssueState] | None, Query()] = None,
    task: str | None = None,
    limit: int = Query(500, ge=1, le=5000),
) -> list[Issue]:
    return scoped.issues(scope, states=state, task=task, limit=limit)


@router.get("/issues/{fingerprint}", response_model=Issue)
def issue(fingerprint: str, scope: SignedInDep) -> Issue:
    found = scoped.issue(scope, fingerprint)
    if found is None:
        raise HTTPException(404, f"no issue {fingerprint[:80]!r} visible to this account")
    return found


@router.get("/issues/{fingerprint}/transitions", response_model=list[Transition])
def issue_transitions(fingerprint: str, scope: SignedInDep) -> list[Transition]:
    found = scoped.transitions(scope, fingerprint)
    if found is None:
        raise HTTPException(404, f"no issue {fingerprint[:80]!r} visible to this account")
    return found


class TransitionRequest(BaseModel):
    to: IssueState
    reason: str = Field(min_length=1, max_length=4000)
    waiver_expires: dt.datetime | None = None


class TransitionResponse(BaseModel):
    issue: Issue
    transition: Transition


@router.post("/issues/{fingerprint}/transitions", response_model=TransitionResponse, status_code=201)
def move_issue(fingerprint: str, body: TransitionRequest, scope: SignedInDep, request: Request) -> TransitionResponse:
    """Move an issue through its lifecycle (enterprises may only declare RECTIFYING on their own issues)."""
    try:
        moved = scoped.move_issue(scope, fingerprint, body.to, reason=body.reason, waiver_expires=body.waiver_expires)
    except scoped.Forbidden as exc:
        raise HTTPException(403, str(exc)) from None
    except TransitionError as exc:
        raise HTTPException(409, str(exc)) from None
    if moved is None:
        raise HTTPException(404, f"no issue {fingerprint[:80]!r} visible to this account")
    updated, record = moved
    detail: dict[str, Any] = {"from": record.from_state, "to": record.to_state.value, "reason": record.reason}
    audit.record(
        scope.session,
        scope.principal,
        "issue.transition",
        f"issue:{fingerprint}",
        detail,
        client=client_address(request),
    )
    return TransitionResponse(issue=updated, transition=record)
