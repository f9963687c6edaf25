"""The app-store pre-listing service: submit an APK, read the verdict (idempotent by APK sha256)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, Response, UploadFile

from ganzhi.store.blobs import BlobTooLargeError
from ganzhi.web import audit, submission_repo
from ganzhi.web.deps import SignedInDep, client_address
from ganzhi.web.store_service import SubmissionService, UploadRejected
from ganzhi.web.submission_repo import SubmissionView
from ganzhi.web.webhook import validate_callback_url

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
            raise HTTPException(422, str(exc)) from None
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


@router.get("/store/submissions", response_model=list[SubmissionView])
def submissions(scope: SignedInDep, limit: int = 200) -> list[SubmissionView]:
    return submission_repo.listing(scope, limit=max(1, min(limit, 1000)))


@router.get("/store/submissions/{sha256}", response_model=SubmissionView)
def submission(sha256: str, scope: SignedInDep) -> SubmissionView:
    """The verdict of one submitted APK (`status` queued → running → done | error)."""
    if not SHA256.match(sha256):
        raise HTTPException(422, f"sha256 must be 64 lowercase hex digits (got {sha256[:80]!r})")
    found = submission_repo.get(scope, sha256)
    if found is None:
        raise HTTPException(404, f"no submission {sha256} visible to this account")
    return found
