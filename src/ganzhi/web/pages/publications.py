"""Published 通报 for everyone, and the regulators' workflow: draft from current issues → a second person approves.

Approval seals the draft into the hash chain (`supervision.chain.seal` through `publication_repo.approve`);
the chain refuses an approver who drafted the snapshot, so the "four eyes" rule holds on the web too.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ganzhi.accounts import scope as scoped
from ganzhi.accounts.roles import Role
from ganzhi.catalog.loader import default_catalog
from ganzhi.errors import GanzhiError
from ganzhi.outputs.sheets import Cell, Sheet
from ganzhi.store import list_query, publication_repo, supervision_repo
from ganzhi.supervision.publications import (
    Publication,
    PublicationKind,
    PublicationStatus,
    build_body,
    common_deadline,
    new_draft,
    select_issues,
)
from ganzhi.web import audit
from ganzhi.web.config import WebConfig
from ganzhi.web.deps import ScopeDep, client_address
from ganzhi.web.pages import listing
from ganzhi.web.pages.labels import beijing_today, task_ids
from ganzhi.web.pages.render import LABELS, language, page
from ganzhi.workdays.rectification import deadline_from

router = APIRouter()


@router.get("/notices/{publication_id}.{fmt}")
def notice_download(publication_id: str, fmt: str, request: Request, scope: ScopeDep) -> Response:
    """An approved snapshot as the PDF or XLSX the CLI renders (same renderers, same Beijing date).

    Ids may contain dots: `/notices/pub.v2` is the page of `pub.v2`, not a download.
    """
    if fmt not in ("pdf", "xlsx"):
        return notice(f"{publication_id}.{fmt}", request, scope)
    found = scoped.publication(scope, publication_id)
    if found is None or found.status.value != "approved":
        raise HTTPException(404, f"没有已发布的通报 {publication_id[:80]!r} / no published notice with this id")
    if fmt == "pdf":
        from ganzhi.supervision.render.pdf import PdfUnavailable, to_pdf

        try:
            body, media = to_pdf(found), "application/pdf"
        except PdfUnavailable as exc:
            raise HTTPException(503, f"PDF 暂不可用 / PDF unavailable: {exc}") from None
    else:
        from ganzhi.supervision.render.tabular import to_xlsx

        body, media = to_xlsx(found), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{found.id}.{fmt}"'})


@router.get("/notices/{publication_id}", response_class=HTMLResponse)
def notice(publication_id: str, request: Request, scope: ScopeDep) -> Response:
    """One snapshot: 通报 rows, 下架 rows, rankings (the public sees approved ones only)."""
    found = scoped.publication(scope, publication_id)
    if found is None:
        return page(request, "message.html", scope.principal, {"message": "未找到 / not found"}, status_code=404)
    return page(request, "notice.html", scope.principal, {"pub": found, "body": found.content()})


def _year(request: Request) -> int | None:
    value = listing.text_param(request, "year")
    if not value:
        return None
    if not (value.isdigit() and len(value) == 4):
        raise HTTPException(422, f"year: 应为四位年份 / expected a four-digit year, got {value[:20]!r}")
    return int(value)


def _list(request: Request) -> tuple[listing.ListState, list_query.PublicationQuery]:
    """The filtered list's state (kind, status, year, search; sort; page) from the query string, checked."""
    t = LABELS[language(request)]
    filters = {
        "kind": listing.choice_param(request, "kind", [k.value for k in PublicationKind]),
        "status": listing.choice_param(request, "status", [s.value for s in PublicationStatus]),
        "year": listing.text_param(request, "year"),
        "q": listing.text_param(request, "q"),
    }
    query = list_query.PublicationQuery(
        kind=filters["kind"], status=filters["status"], year=_year(request), search=filters["q"]
    )
    sorts = {"created": t["created_at"], "approved": t["approved_at"], "seq": t["number"]}
    return listing.list_state(request, "/publications", filters, sorts, "created", True), query


def _export_sheet(found: list[Publication], lang: str) -> Sheet:
    t = LABELS[lang]
    header = [t["publication_id"], t["title"], t["kind"], t["status"], t["created_by"], t["approved_by"], t["number"]]
    rows: list[list[Cell]] = [
        [p.id, p.title, t.get(p.kind.value, p.kind.value), t[p.status.value], p.created_by, p.approved_by or "", p.seq]
        for p in found
    ]
    return Sheet(title="通报" if lang == "zh" else "Publications", header=header, rows=rows)


def _workflow(request: Request, scope: scoped.Scope, message: str | None, status_code: int = 200) -> Response:
    state, query = _list(request)
    order = list_query.Order(state.sort, state.descending)
    config: WebConfig = request.app.state.config
    drafts_query = list_query.PublicationQuery(status=PublicationStatus.DRAFT.value)
    newest = list_query.Order("created", True)
    _, drafts = scoped.publication_page(scope, drafts_query, newest, offset=0, limit=config.max_page_rows)
    total, found = scoped.publication_page(scope, query, order, offset=state.paged.offset, limit=state.per)
    context = {
        **listing.context(state, total, language(request), LABELS[language(request)]),
        "drafts": drafts,
        "published": found,
        "message": message,
        "campaigns": scoped.campaigns(scope),
        "me": scope.principal.username,
        "tasks": task_ids(),
        "kind_choices": [k.value for k in PublicationKind],
        "status_choices": [s.value for s in PublicationStatus],
        "year_choices": list_query.publication_years(scope.session),
    }
    return page(request, "publications.html", scope.principal, context, status_code=status_code)


@router.get("/publications", response_class=HTMLResponse)
def workflow(request: Request, scope: ScopeDep) -> Response:
    """Drafts to approve, the draft form, and every publication: kind, status, year, search, pages, export."""
    if scope.role is Role.PUBLIC:
        return RedirectResponse("/login", status_code=303)
    if not scope.principal.is_regulator:
        return RedirectResponse("/", status_code=303)
    export = listing.export_format(request)
    if export:
        state, query = _list(request)
        order = list_query.Order(state.sort, state.descending)
        total, found = scoped.publication_page(scope, query, order, offset=0, limit=listing.export_limit(request))
        listing.check_export_total(request, total)
        return listing.export_response(_export_sheet(found, language(request)), export, "publications")
    return _workflow(request, scope, None)


@router.post("/publications/draft", response_class=HTMLResponse)
def draft(
    request: Request,
    scope: ScopeDep,
    publication_id: str = Form(...),
    kind: str = Form("notice"),
    task: str = Form(""),
    campaign: str = Form(""),
) -> Response:
    """Draft a 通报 from the current active app issues (optionally of one task)."""
    if not scope.principal.is_regulator:
        return page(request, "message.html", scope.principal, {"message": "仅监管人员 / regulators only"}, 403)
    now = dt.datetime.now(dt.UTC)
    try:
        chosen_kind = PublicationKind(kind)
        if chosen_kind not in (PublicationKind.NOTICE, PublicationKind.LOOKBACK):
            raise ValueError(f"kind must be notice or lookback here (got {kind[:20]!r})")
        task = task.strip()
        if task and task not in task_ids():
            raise ValueError(f"task {task[:20]!r} is not a task of the 524 catalog; expected one of {task_ids()}")
        issues = select_issues(scoped.issues(scope, limit=100_000), tasks=[task] if task else None, apps_only=not task)
        if not issues:
            raise ValueError(f"no active issues{f' of task {task}' if task else ' of apps'} to publish")
        body = build_body(
            chosen_kind,
            issues=issues,
            enterprises=supervision_repo.list_enterprises(scope.session),
            rectify_by=common_deadline(issues) or deadline_from(default_catalog(), beijing_today()),
        )
        made = new_draft(
            publication_id.strip(), body, created_by=scope.principal.username, at=now, campaign_id=campaign or None
        )
        publication_repo.save_draft(scope.session, made)
    except (GanzhiError, ValueError) as exc:
        return _workflow(request, scope, f"未能起草 / cannot draft: {exc}", status_code=422)
    audit.record(
        scope.session,
        scope.principal,
        "publication.draft",
        f"publication:{made.id}",
        {"rows": len(body.notice)},
        client=client_address(request),
    )
    return RedirectResponse("/publications", status_code=303)


@router.post("/publications/{publication_id}/approve", response_class=HTMLResponse)
def approve(publication_id: str, request: Request, scope: ScopeDep) -> Response:
    """Approve a draft: a different regulator than its drafter seals it into the chain."""
    if not scope.principal.is_regulator:
        return page(request, "message.html", scope.principal, {"message": "仅监管人员 / regulators only"}, 403)
    try:
        sealed = publication_repo.approve(
            scope.session, publication_id, approver=scope.principal.username, at=dt.datetime.now(dt.UTC)
        )
    except (GanzhiError, ValueError) as exc:
        return _workflow(request, scope, f"未能审核 / cannot approve: {exc}", status_code=409)
    audit.record(
        scope.session,
        scope.principal,
        "publication.approve",
        f"publication:{publication_id}",
        {"hash": sealed.hash, "numbering": sealed.numbering},
        client=client_address(request),
    )
    return RedirectResponse("/publications", status_code=303)


@router.get("/publications/{publication_id}", response_class=HTMLResponse)
def publication_detail(publication_id: str, request: Request, scope: ScopeDep) -> Response:
    """One 通报 for regulators: kind, status, batch number, who drafted and approved it and when (Beijing
    time), its hash and the previous one in the chain, the campaign it belongs to, and its audit history."""
    if scope.role is Role.PUBLIC:
        return RedirectResponse("/login", status_code=303)
    if scope.principal.must_change_password:
        return RedirectResponse("/account", status_code=303)
    if not scope.principal.is_regulator:
        raise HTTPException(403, "仅监管人员 / regulators only")
    found = scoped.publication(scope, publication_id[:80])
    if found is None:
        raise HTTPException(404, f"没有通报 {publication_id[:80]!r} / no publication with this id")
    try:
        rows = len(found.content().notice)
    except ValueError:
        rows = None
    context = {
        "pub": found,
        "rows": rows,
        "campaign": scoped.campaign(scope, found.campaign_id) if found.campaign_id else None,
        "history": audit.entries(scope.session, target=f"publication:{found.id}", limit=100),
        "me": scope.principal.username,
    }
    return page(request, "publication.html", scope.principal, context)
