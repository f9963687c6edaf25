"""采集任务: regulators see the collection specs, recent runs, failures and what changed; and start a collection.

Specs are read from `GANZHI_CRAWL_SPECS` (a directory of YAML specs; default `$GANZHI_HOME/crawl/specs`). Runs,
failures and changes come from the crawl tables through `ganzhi.usecases.crawl`. Starting a collection runs it
in a detached process (a crawl takes minutes to hours) and is audited. Regulators only: the public goes to the
login page, any other role gets a 403 page. Spec titles, URLs and failure reasons are escaped by the template.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ganzhi.accounts import scope as scoped
from ganzhi.accounts.roles import Role
from ganzhi.collect.crawl.diff import Change
from ganzhi.errors import GanzhiError
from ganzhi.settings import load_settings
from ganzhi.usecases import crawl as crawl_usecase
from ganzhi.web import audit
from ganzhi.web.deps import ScopeDep, client_address
from ganzhi.web.pages.render import page

router = APIRouter()
SPECS_ENV = "GANZHI_CRAWL_SPECS"
REGULATORS_ONLY = {"message": "仅监管人员 / regulators only"}
MAX_RUNS = 20
MAX_CHANGES_SHOWN = 200


def specs_dir() -> Path:
    """Where the platform's collection specs live."""
    return Path(os.environ.get(SPECS_ENV) or load_settings().home / "crawl" / "specs")


def _gate(request: Request, scope: scoped.Scope) -> Response | None:
    if scope.role is Role.PUBLIC:
        return RedirectResponse("/login", status_code=303)
    if not scope.principal.is_regulator:
        return page(request, "message.html", scope.principal, REGULATORS_ONLY, status_code=403)
    return None


def _context(scope: scoped.Scope) -> dict[str, Any]:
    from ganzhi.collect.crawl.spec import load_specs

    problems: list[str] = []
    folder = specs_dir()
    specs = []
    if folder.is_dir():
        try:
            specs = load_specs([folder])
        except GanzhiError as exc:
            problems.append(str(exc))
    session = scope.session
    last = crawl_usecase.last_collected(session)
    now = dt.datetime.now(dt.UTC)
    rows = [{"spec": s, "last": last.get(s.name), "due": s.schedule.due(last.get(s.name), now)} for s in specs]
    runs = crawl_usecase.list_runs(session, limit=MAX_RUNS)
    latest = crawl_usecase.run_status(session, runs[0].id) if runs else None
    changes: list[Change] = []
    for spec in specs:
        diff = crawl_usecase.diff_site(session, spec.name)
        changes.extend(diff.changes[: MAX_CHANGES_SHOWN - len(changes)])
    return {"specs": rows, "runs": runs, "latest": latest, "changes": changes, "folder": str(folder),
            "problems": problems}  # fmt: skip


@router.get("/crawl", response_class=HTMLResponse)
def crawl_page(request: Request, scope: ScopeDep, message: str = "") -> Response:
    """Specs, recent runs with failures, and changes since the previous collection of each site."""
    gated = _gate(request, scope)
    if gated is not None:
        return gated
    return page(request, "crawl.html", scope.principal, {**_context(scope), "message": message[:200]})


@router.post("/crawl/start", response_class=HTMLResponse)
def crawl_start(request: Request, scope: ScopeDep, site: str = Form("", max_length=64)) -> Response:
    """Start collecting one site (or every site when `site` is empty) in the background."""
    gated = _gate(request, scope)
    if gated is not None:
        return gated
    from ganzhi.collect.crawl.spec import spec_files

    folder = specs_dir()
    try:
        from ganzhi.collect.crawl.spec import load_spec

        files = spec_files([folder]) if folder.is_dir() else []
        chosen = [f for f in files if not site or load_spec(f).name == site]
    except GanzhiError as exc:
        return page(request, "crawl.html", scope.principal,
                    {**_context(scope), "message": f"规格有误 / bad spec: {exc}"}, status_code=422)  # fmt: skip
    if not chosen:
        message = f"没有这个站点 / no spec named {site!r}"
        return page(request, "crawl.html", scope.principal, {**_context(scope), "message": message}, status_code=422)
    pid = crawl_usecase.start_background(chosen, scope.principal.username)
    audit.record(scope.session, scope.principal, "crawl.start", f"crawl:{site or '*'}",
                 {"specs": [f.name for f in chosen], "pid": pid}, client=client_address(request))  # fmt: skip
    return RedirectResponse("/crawl?message=started", status_code=303)
