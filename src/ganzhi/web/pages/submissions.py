"""The store submissions list (regulators and store accounts) and one page per submission.

Filters (store, verdict, status, date), search by package/app name, paging and the CSV/XLSX export
run in SQL through `ganzhi.appstore.submissions.page_submissions` with the caller's scope, so a page,
its total and its export are the same rows; the export goes through the shared `listing` helpers the
issue queue uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ganzhi.accounts import scope as scoped
from ganzhi.accounts.roles import Role
from ganzhi.appstore import submissions as submission_repo
from ganzhi.appstore.submissions import VERDICTS, SubmissionQuery, SubmissionStatus, SubmissionView
from ganzhi.i18n import Text
from ganzhi.outputs.sheets import Cell, Sheet
from ganzhi.store import supervision_repo
from ganzhi.web import audit
from ganzhi.web.deps import ScopeDep
from ganzhi.web.pages import listing
from ganzhi.web.pages.labels import Labels
from ganzhi.web.pages.render import LABELS, language, page

router = APIRouter()
#: Longest filter value read from the query string.
MAX_PARAM = 100
#: Audit entries a submission's history shows (newest first).
HISTORY_ROWS = 200
#: Roles that have a submissions list: regulators, app stores and enterprises (their self-checks).
#: The audit actions a submission's history holds, in words.
ACTIONS = {
    "store.submit": Text(zh="应用商店提交检测", en="submitted by the store"),
    "store.rescan": Text(zh="按新规则重新检测", en="rescanned under new rules"),
    "self_check.submit": Text(zh="企业自检提交", en="self-check submitted"),
}
LIST_ROLES = frozenset({Role.REGULATOR_ADMIN, Role.REGULATOR_INSPECTOR, Role.APP_STORE, Role.ENTERPRISE})


def _allowed(scope: scoped.Scope) -> Response | None:
    if scope.role is Role.PUBLIC:
        return RedirectResponse("/login", status_code=303)
    if scope.principal.must_change_password:
        return RedirectResponse("/account", status_code=303)
    if scope.role not in LIST_ROLES:
        raise HTTPException(403, f"无权查看上架检测提交 / no access to store submissions ({scope.role.value})")
    return None


@dataclass(frozen=True, slots=True)
class SubmissionFilters:
    """The list's query string, checked: unknown values are a 422, never silently dropped."""

    store: str
    verdict: str
    status: str
    since: str
    until: str
    q: str
    page: int
    per: int

    def params(self, **changes: Any) -> str:
        values: dict[str, Any] = {
            "store": self.store,
            "verdict": self.verdict,
            "status": self.status,
            "since": self.since,
            "until": self.until,
            "q": self.q,
            "page": self.page,
            "per": self.per,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    def query(self) -> SubmissionQuery:
        return SubmissionQuery(
            store_ids=[self.store] if self.store else [],
            verdicts=[self.verdict] if self.verdict else [],
            statuses=[SubmissionStatus(self.status)] if self.status else [],
            since=listing.parse_day(self.since, "since"),
            until=listing.parse_day(self.until, "until"),
            search=self.q,
        )


def _filters(request: Request) -> SubmissionFilters:
    params = request.query_params
    verdict = params.get("verdict", "")
    if verdict and verdict not in VERDICTS:
        raise HTTPException(422, f"verdict: 应为 {list(VERDICTS)} 之一 / expected one of {list(VERDICTS)}")
    status = params.get("status", "")
    if status and status not in {s.value for s in SubmissionStatus}:
        raise HTTPException(422, f"status: 应为 {[s.value for s in SubmissionStatus]} 之一 / expected one of them")
    paged = listing.paging(request)
    filters = SubmissionFilters(
        store=params.get("store", "")[:MAX_PARAM],
        verdict=verdict,
        status=status,
        since=params.get("since", "")[:10],
        until=params.get("until", "")[:10],
        q=params.get("q", "")[:MAX_PARAM],
        page=paged.page,
        per=paged.per,
    )
    filters.query()  # dates are checked before any SQL runs
    return filters


def _names(scope: scoped.Scope) -> dict[str, str]:
    """Enterprise names the account may see, plus its own (a store or enterprise names itself)."""
    names = {e.id: e.name for e in scoped.enterprises(scope)}
    own = scope.principal.scope_id
    if own and own not in names and (found := supervision_repo.get_enterprise(scope.session, own)) is not None:
        names[own] = found.name
    return names


def _export_sheet(found: list[SubmissionView], labels: Labels, names: dict[str, str]) -> Sheet:
    zh = labels.lang == "zh"
    header = (
        ["提交时间", "应用商店/企业", "应用", "包名", "版本", "文件", "状态", "结论", "发现数", "SHA-256"]
        if zh
        else [
            "Submitted",
            "Store/enterprise",
            "App",
            "Package",
            "Version",
            "File",
            "Status",
            "Verdict",
            "Findings",
            "SHA-256",
        ]
    )
    rows: list[list[Cell]] = [
        [
            labels.time(s.created_at),
            names.get(s.store_id, s.store_id),
            s.app_name or "",
            s.package or "",
            s.version_name or "",
            s.filename,
            labels.submission(s.status),
            labels.submission(s.verdict) if s.verdict else "",
            len(s.findings),
            s.sha256,
        ]
        for s in found
    ]
    return Sheet(title="上架检测提交" if zh else "Submissions", header=header, rows=rows)


@router.get("/submissions", response_class=HTMLResponse)
def submission_list(request: Request, scope: ScopeDep) -> Response:
    """Store submissions the account sees: filters, search, pages, and the export of the same rows."""
    if (redirect := _allowed(scope)) is not None:
        return redirect
    filters = _filters(request)
    labels = Labels(language(request))
    names = _names(scope)
    export = listing.export_format(request)
    if export:
        total, found = submission_repo.page_submissions(scope, filters.query(), limit=listing.export_limit(request))
        listing.check_export_total(request, total)
        return listing.export_response(_export_sheet(found, labels, names), export, "submissions")
    total, found = submission_repo.page_submissions(
        scope, filters.query(), offset=(filters.page - 1) * filters.per, limit=filters.per
    )
    pages = max(1, math.ceil(total / filters.per))
    stores = sorted(
        ((e.id, e.name) for e in scoped.enterprises(scope) if e.type.value == "app_store"), key=lambda kv: kv[1]
    )
    context = {
        "items": found,
        "f": filters,
        "total": total,
        "pages": pages,
        "page_label": LABELS[labels.lang]["page_of"].format(page=filters.page, pages=pages, total=total),
        "names": names,
        "store_choices": stores if scope.principal.is_regulator else [],
        "verdict_choices": VERDICTS,
        "status_choices": [s.value for s in SubmissionStatus],
        "scope_note": submission_repo.scope_note(scope),
    }
    return page(request, "submissions.html", scope.principal, context)


@router.get("/submissions/{store_id}/{sha256}", response_class=HTMLResponse)
def submission_detail(store_id: str, sha256: str, request: Request, scope: ScopeDep) -> Response:
    """One submission: file, verdict, findings, its history (submitted, scanned, callbacks, audit entries)."""
    if (redirect := _allowed(scope)) is not None:
        return redirect
    found = submission_repo.get_for_store(scope, store_id[:MAX_PARAM], sha256[:64])
    if found is None:
        raise HTTPException(404, f"没有该提交 / no submission {sha256[:64]!r} of {store_id[:MAX_PARAM]!r} visible here")
    labels = Labels(language(request))
    target = f"submission:{found.sha256}"
    entries = audit.entries(scope.session, target=target, limit=HISTORY_ROWS)
    names = _names(scope)
    context = {
        "s": found,
        "store_name": names.get(found.store_id, found.store_id),
        "entries": entries,
        "others": submission_repo.other_stores(scope, found.sha256, found.store_id),
        "names": names,
        "action_labels": {a: labels.text(t) for a, t in ACTIONS.items()},
    }
    return page(request, "submission.html", scope.principal, context)
