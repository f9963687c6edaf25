"""Regional supervision pages: 12300 complaints by province and task (import CSV/XLSX), and 典型案例.

A provincial regulator (an account scoped to provinces) sees its provinces' complaints and cases only;
reads and writes go through `ganzhi.accounts.scope`. Complaint files are bounded by the evidence upload
limit and read by the same reader as `ganzhi complaints import`; bad rows are counted and listed.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path, PurePath
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ganzhi.accounts import scope as scoped
from ganzhi.accounts.roles import Role
from ganzhi.errors import GanzhiError, RowProblem
from ganzhi.outputs.labels import task_sort_key
from ganzhi.store import complaint_repo
from ganzhi.supervision.practices import GoodPractice
from ganzhi.web import audit
from ganzhi.web.config import WebConfig
from ganzhi.web.deps import ScopeDep, client_address
from ganzhi.web.pages.labels import task_ids
from ganzhi.web.pages.render import page

router = APIRouter()
#: Complaint files the page accepts (the CLI also reads JSON Lines).
COMPLAINT_TYPES = (".csv", ".xlsx")
#: Bad rows listed on the page after an import (the rest are counted).
SHOWN_PROBLEMS = 20
#: Newest complaints listed below the table.
RECENT = 100


def _gate(scope: scoped.Scope) -> Response | None:
    if scope.role is Role.PUBLIC:
        return RedirectResponse("/login", status_code=303)
    if scope.principal.must_change_password:
        return RedirectResponse("/account", status_code=303)
    if not scope.principal.is_regulator:
        raise HTTPException(403, f"仅监管人员 / regulators only (this account: {scope.role.value})")
    return None


def _complaints(
    request: Request, scope: scoped.Scope, message: str | None, problems: list[str], status_code: int = 200
) -> Response:
    counts = scoped.complaint_counts(scope)
    provinces = sorted({p for p, _ in counts}, key=lambda p: (p == "", p))
    tasks = sorted({t for _, t in counts}, key=task_sort_key)
    context = {
        "provinces": provinces,
        "tasks": tasks,
        "counts": counts,
        "totals": {p: sum(n for (q, _), n in counts.items() if q == p) for p in provinces},
        "recent": scoped.recent_complaints(scope, limit=RECENT),
        "message": message,
        "problems": problems,
    }
    return page(request, "complaints.html", scope.principal, context, status_code=status_code)


@router.get("/complaints", response_class=HTMLResponse)
def complaints(request: Request, scope: ScopeDep) -> Response:
    """Complaints per province × task, the newest ones, and the import form."""
    return _gate(scope) or _complaints(request, scope, None, [])


@router.post("/complaints/import", response_class=HTMLResponse)
def complaint_import(request: Request, scope: ScopeDep, file: Annotated[UploadFile, File()]) -> Response:
    """Import a 12300-style CSV/XLSX (省份, 企业, 投诉内容, 日期): classify each complaint by task and store it."""
    if (gated := _gate(scope)) is not None:
        return gated
    from ganzhi.supervision.complaints.classifier import MODEL_NAME, default_classifier
    from ganzhi.supervision.complaints.intake import ComplaintIn, read_complaints

    name = PurePath(file.filename or "complaints.csv").name[:200]
    suffix = PurePath(name).suffix.lower()
    if suffix not in COMPLAINT_TYPES:
        raise HTTPException(415, f"{name}: 仅接受 CSV、XLSX / accepted types: {', '.join(COMPLAINT_TYPES)}")
    config: WebConfig = request.app.state.config
    good: list[ComplaintIn] = []
    problems: list[RowProblem] = []
    with tempfile.TemporaryDirectory(prefix="ganzhi-complaints-") as folder:
        path = Path(folder) / f"upload{suffix}"
        written = 0
        with path.open("wb") as out:
            while chunk := file.file.read(1 << 20):
                written += len(chunk)
                if written > config.max_evidence_bytes:
                    raise HTTPException(413, f"{name}: 超过 {config.max_evidence_bytes} 字节 / too large")
                out.write(chunk)
        try:
            for item in read_complaints(path):
                if isinstance(item, RowProblem):
                    problems.append(item)
                else:
                    good.append(item)
        except GanzhiError as exc:
            return _complaints(request, scope, f"未能导入 / cannot import {name}: {exc}", [], status_code=422)
    allowed = set(scope.principal.provinces)
    outside = [c for c in good if allowed and c.province not in allowed]
    good = [c for c in good if c not in outside]
    predictions = default_classifier().predict([c.text for c in good]) if good else []
    rows = complaint_repo.complaint_rows(
        good, predictions, scoped.enterprises(scope), model=MODEL_NAME, at=dt.datetime.now(dt.UTC)
    )
    added, dupes = complaint_repo.save_complaints(scope.session, rows)
    audit.record(
        scope.session,
        scope.principal,
        "complaints.import",
        f"file:{name}",
        {"imported": added, "duplicates": dupes, "bad_rows": len(problems), "outside_provinces": len(outside)},
        client=client_address(request),
    )
    message = f"已导入 {added} 条，重复 {dupes} 条，错误行 {len(problems)} 条" + (
        f"，{len(outside)} 条不属于本账户所辖省份未导入" if outside else ""
    )
    shown = [str(p) for p in problems[:SHOWN_PROBLEMS]]
    return _complaints(request, scope, message, shown)


def _practices(request: Request, scope: scoped.Scope, message: str | None, status_code: int = 200) -> Response:
    context = {
        "practices": scoped.practices(scope),
        "enterprises": {e.id: e for e in scoped.enterprises(scope)},
        "tasks": task_ids(),
        "message": message,
        "me": scope.principal.username,
    }
    return page(request, "practices.html", scope.principal, context, status_code=status_code)


@router.get("/practices", response_class=HTMLResponse)
def practice_list(request: Request, scope: ScopeDep) -> Response:
    """典型案例: records awaiting approval and approved ones; the form to record one."""
    return _gate(scope) or _practices(request, scope, None)


@router.post("/practices", response_class=HTMLResponse)
def practice_record(
    request: Request,
    scope: ScopeDep,
    practice_id: str = Form(..., max_length=64),
    enterprise_id: str = Form(..., max_length=64),
    task: str = Form(..., max_length=8),
    title: str = Form(..., max_length=200),
    practice: str = Form(..., max_length=20_000),
    evidence: str = Form(..., max_length=20_000),
) -> Response:
    """Record a draft 典型案例 (a second regulator approves it before the public sees it)."""
    if (gated := _gate(scope)) is not None:
        return gated
    try:
        made = GoodPractice(
            id=practice_id.strip(),
            enterprise_id=enterprise_id.strip(),
            task=task.strip(),
            title=title.strip(),
            practice=practice.strip(),
            evidence=evidence.strip(),
            created_by=scope.principal.username,
            created_at=dt.datetime.now(dt.UTC),
        )
        scoped.record_practice(scope, made)
    except (GanzhiError, ValidationError, ValueError, scoped.Forbidden) as exc:
        return _practices(request, scope, f"未能记录 / cannot record: {exc}", status_code=422)
    audit.record(
        scope.session,
        scope.principal,
        "practice.record",
        f"practice:{made.id}",
        {"enterprise_id": made.enterprise_id, "task": made.task},
        client=client_address(request),
    )
    return RedirectResponse("/practices", status_code=303)


@router.post("/practices/{practice_id}/approve", response_class=HTMLResponse)
def practice_approve(practice_id: str, request: Request, scope: ScopeDep) -> Response:
    """Approve a 典型案例 for the public portal (not by the regulator who recorded it)."""
    if (gated := _gate(scope)) is not None:
        return gated
    try:
        scoped.approve_practice(scope, practice_id[:64])
    except (GanzhiError, ValueError, scoped.Forbidden) as exc:
        return _practices(request, scope, f"未能审核 / cannot approve: {exc}", status_code=409)
    audit.record(
        scope.session,
        scope.principal,
        "practice.approve",
        f"practice:{practice_id[:64]}",
        client=client_address(request),
    )
    return RedirectResponse("/practices", status_code=303)
