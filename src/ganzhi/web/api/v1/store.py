"""The app-store pre-listing service: submit an APK, read the verdict (idempotent by APK sha256)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, Response, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ganzhi.accounts import users as accounts
from ganzhi.accounts.credentials import token_hash
from ganzhi.accounts.roles import Role
from ganzhi.accounts.users import PUBLIC, Principal
from ganzhi.appstore import submissions as submission_repo
from ganzhi.appstore.lookup import VerdictLookup
from ganzhi.appstore.service import SubmissionService, UploadRejected
from ganzhi.appstore.submissions import SubmissionView
from ganzhi.appstore.webhook import validate_callback_url
from ganzhi.store.blobs import BlobTooLargeError
from ganzhi.web import audit
from ganzhi.web.api.v1.invalid import invalid
from ganzhi.web.deps import SignedInDep, browser_session, client_address

router = APIRouter(tags=["store"])
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@router.post("/store/submissions", response_model=SubmissionView, status_code=202)
def submit(
    scope: SignedInDep,
    request: Request,
    response: Response,
    file: Annotated[UploadFile, File(description="the APK")],
    callback_url: Annotated[str | None, Form(description="where to POST the signed verdict")] = None,
) -> SubmissionView:
    """Queue an APK for pre-listing detection (app stores only). 202 when new, 200 when already submitted."""
    if callback_url:
        try:
            validate_callback_url(callback_url)
        except ValueError as exc:
            raise invalid(("body", "callback_url"), str(exc), callback_url[:200]) from None
    service: SubmissionService = request.app.state.submissions
    try:
        done = service.submit(scope.principal, file.file, file.filename or "upload.apk", callback_url or None)
    except UploadRejected as exc:
        status = 403 if scope.principal.role.value != "app_store" else 415
        raise HTTPException(status, str(exc)) from None
    except BlobTooLargeError as exc:
        raise HTTPException(413, str(exc)) from None
    if done.created:
        audit.record(
            scope.session,
            scope.principal,
            "store.submit",
            f"submission:{done.submission.sha256}",
            {"filename": done.submission.filename, "size": done.submission.size, "callback_url": callback_url},
            client=client_address(request),
        )
    else:
        response.status_code = 200
    return done.submission


class RescanView(BaseModel):
    """A catalogue re-scan: the catalog version and which APKs (sha256) were queued, current or busy."""

    catalog_version: str
    queued: list[str]
    current: list[str]
    busy: list[str]


@router.post("/store/rescan", response_model=RescanView, status_code=202)
def rescan(scope: SignedInDep, request: Request) -> RescanView:
    """Queue all of this app store's submissions again under today's catalog (idempotent per sha256 + version)."""
    service: SubmissionService = request.app.state.submissions
    try:
        done = service.rescan(scope.principal)
    except UploadRejected as exc:
        raise HTTPException(403, str(exc)) from None
    audit.record(
        scope.session,
        scope.principal,
        "store.rescan",
        f"store:{scope.principal.scope_id}",
        {"catalog_version": done.catalog_version, "queued": len(done.queued), "current": len(done.current)},
        client=client_address(request),
    )
    return RescanView(catalog_version=done.catalog_version, queued=done.queued, current=done.current, busy=done.busy)


@router.get("/store/submissions", response_model=list[SubmissionView])
def submissions(scope: SignedInDep, limit: int = Query(200, ge=1, le=1000)) -> list[SubmissionView]:
    """The newest visible submissions; `limit` outside 1–1000 is 422."""
    return submission_repo.listing(scope, limit=limit)


@router.get("/store/submissions/{sha256}", response_model=SubmissionView)
async def submission(sha256: str, request: Request) -> Response:
    """The verdict of one submitted APK (`status` queued → running → done | error).

    The hot path of the store service: see `ganzhi.appstore.lookup` (cached token check, one indexed
    SELECT, finished verdicts cached as JSON). Browser sessions take the ordinary path.
    """
    if not SHA256.match(sha256):
        raise invalid(("path", "sha256"), f"sha256 must be 64 lowercase hex digits (got {sha256[:80]!r})", sha256[:80])
    lookup: VerdictLookup = request.app.state.verdict_lookup
    principal = _cached_principal(request, lookup)
    if principal is None:
        principal = await run_in_threadpool(_principal, request, lookup)
    if principal.role is Role.PUBLIC:
        raise HTTPException(401, "sign in or send an API token", headers={"WWW-Authenticate": "Bearer"})
    cached = lookup.verdicts.get(_cache_key(principal, sha256))
    body = cached if cached is not None else await run_in_threadpool(lookup.verdict, principal, sha256)
    if body is None:
        raise HTTPException(404, f"no submission {sha256} visible to this account")
    return Response(body, media_type="application/json")


def _cache_key(principal: Principal, sha256: str) -> tuple[str, str]:
    return ("*" if principal.is_regulator else principal.scope_id or "", sha256)


def _cached_principal(request: Request, lookup: VerdictLookup) -> Principal | None:
    """The principal of a bearer token verified within the last seconds (no I/O, on the event loop)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return lookup.tokens.get(token_hash(token.strip()))


def _principal(request: Request, lookup: VerdictLookup) -> Principal:
    """Bearer token (cached), else the browser session's user, else the public."""
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "Authorization header must be 'Bearer <token>'")
        found = lookup.principal(token.strip())
        if found is None:
            raise HTTPException(401, "unknown or revoked API token", headers={"WWW-Authenticate": "Bearer"})
        return found
    browser = browser_session(request)
    if browser is None:
        return PUBLIC
    with lookup.sessions() as session:
        return accounts.principal_for_session(session, browser.session_id) or PUBLIC
