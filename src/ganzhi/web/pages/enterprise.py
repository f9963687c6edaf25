"""The app page (findings with their evidence, judged UI screens) and the enterprise portal (own issues,
rectification evidence, self-check APK upload).

Everything reads through `web.scope`, so an enterprise sees its own subjects only; a self-check runs
the same APK checks as the app-store service, keyed by the enterprise id.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from ganzhi.accounts import scope as scoped
from ganzhi.accounts.roles import Role
from ganzhi.appstore import submissions as submission_repo
from ganzhi.appstore.service import SubmissionService, UploadRejected
from ganzhi.errors import StoreError, TransitionError
from ganzhi.evidence.base import ArtefactRef
from ganzhi.findings.lifecycle import ACTIVE_STATES
from ganzhi.findings.models import IssueState, Result
from ganzhi.store.blobs import BlobStore, BlobTooLargeError
from ganzhi.store.web_tables import AuditRow
from ganzhi.web import audit
from ganzhi.web.api.v1.uploads import MEDIA_TYPES, SNIFF_BYTES, Rewound, content_problem
from ganzhi.web.config import WebConfig
from ganzhi.web.deps import ScopeDep, client_address
from ganzhi.web.pages.render import language, page
from ganzhi.web.pages.ui_screens import latest_screens, visible_picture

router = APIRouter()
#: Rectification evidence an enterprise may attach: documents and screenshots.
EVIDENCE_TYPES = {
    ".pdf": "pdf",
    ".html": "text",
    ".htm": "text",
    ".txt": "text",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".zip": "zip",
}
_IMAGE_MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}
#: ZIP containers (Office files and plain archives): magic, and the member an Office file must hold.
_ZIP_FAMILIES = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "zip": None}
#: Bounds of an uploaded archive (configurable defaults): members, total unpacked size, packing ratio.
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_UNPACKED = 1 << 30
MAX_ZIP_RATIO = 200
EVIDENCE_ACTION = "issue.evidence"
#: Largest judged-screen picture served (pictures are bounded when stored; this guards a tampered blob store).
MAX_SCREEN_BYTES = 16 << 20


def zip_problem(family: str, path: Path) -> str | None:
    """Why a stored DOCX/XLSX/ZIP is refused (not a ZIP, too many members, a zip bomb, not an Office file), or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return f"压缩包成员过多 / too many members: {len(members)} > {MAX_ZIP_MEMBERS}"
            unpacked = sum(m.file_size for m in members)
            packed = max(1, sum(m.compress_size for m in members))
            if unpacked > MAX_ZIP_UNPACKED or unpacked / packed > MAX_ZIP_RATIO:
                return f"压缩包解压后过大 / unpacks to {unpacked} bytes ({unpacked / packed:.0f}× its size)"
            if any(m.filename.startswith("/") or ".." in PurePath(m.filename).parts for m in members):
                return "压缩包含有越界路径 / archive has absolute or '..' member paths"
            wanted = _ZIP_FAMILIES.get(family)
            if wanted is not None and wanted not in archive.namelist():
                return f"不是有效的 {family.upper()} 文件 / not a {family.upper()} file: {wanted} missing"
    except (zipfile.BadZipFile, OSError) as exc:
        return f"无法读取压缩包 / unreadable archive: {exc}"
    return None


def _evidence_problem(family: str, head: bytes) -> str | None:
    if family in _ZIP_FAMILIES:
        return None if head.startswith(b"PK\x03\x04") else f"expected a {family.upper()} (ZIP) file, got {head[:4]!r}"
    if family in _IMAGE_MAGIC:
        magic = _IMAGE_MAGIC[family]
        return None if head.startswith(magic) else f"expected a {family.upper()} image, got {head[:8]!r}"
    return content_problem(family, head)


def evidence_rows(result: Result) -> dict[str, Any]:
    """What a page shows of a result's data: the call path, quoted sentences, the rest as key → value."""
    data = dict(result.data)
    path = data.pop("path", None)
    sentences = data.pop("sentences", None) or ([data.pop("sentence")] if "sentence" in data else [])
    return {
        "path": [str(p) for p in path] if isinstance(path, list) else [],
        "sentences": [s if isinstance(s, str) else str(s.get("text", s)) for s in sentences][:20]
        if isinstance(sentences, list)
        else [],
        "other": {k: v for k, v in data.items() if v not in (None, [], {}, "")},
    }


@router.get("/apps/{package}", response_class=HTMLResponse)
def app_page(package: str, request: Request, scope: ScopeDep) -> Response:
    """An app's issues with the evidence of their latest result (call paths, sentences), and the judged UI
    screens of its latest UI run (the picture with the close control and verdict drawn, the T4 results beside)."""
    if scope.role is Role.PUBLIC:
        return RedirectResponse("/login", status_code=303)
    issues = [i for i in scoped.issues(scope, limit=100_000) if i.subject.type == "app" and i.subject.id == package]
    by_run: dict[str, dict[str, Result]] = {}
    shown = []
    for issue in issues[:200]:
        if issue.last_run_id not in by_run:
            by_run[issue.last_run_id] = {r.fingerprint: r for r in scoped.results(scope, issue.last_run_id)}
        result = by_run[issue.last_run_id].get(issue.fingerprint)
        shown.append({"issue": issue, "evidence": evidence_rows(result) if result else None})
    name = next((i.subject.name for i in issues if i.subject.name), None)
    scans = [s for s in submission_repo.listing(scope, limit=200) if s.package == package][:5]
    screens = latest_screens(scope, package, language(request))
    name = name or next((s.picture.subject.name for s in screens.items if s.picture.subject.name), None)
    context = {"package": package, "name": name, "items": shown, "scans": scans, "screens": screens}
    found = bool(issues or scans or screens.items)
    return page(request, "app.html", scope.principal, context, status_code=200 if found else 404)


@router.get("/apps/{package}/screens/{picture_id}.png", response_class=Response)
def app_screen(package: str, picture_id: int, request: Request, scope: ScopeDep) -> Response:
    """One judged screen's PNG, scope-checked like the app page (an invisible picture reads as absent)."""
    if scope.role is Role.PUBLIC:
        return RedirectResponse("/login", status_code=303)
    picture = visible_picture(scope, package, picture_id)
    data = b""
    if picture is not None:
        blobs: BlobStore = request.app.state.blobs
        try:
            with blobs.open(picture.sha256) as handle:
                data = handle.read(MAX_SCREEN_BYTES + 1)
        except StoreError:
            data = b""
    if len(data) > MAX_SCREEN_BYTES or not data.startswith(_IMAGE_MAGIC["png"]):
        return page(request, "message.html", scope.principal, {"message": "未找到 / not found"}, 404)
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300"}
    return Response(data, media_type="image/png", headers=headers)


def _portal(request: Request, scope: scoped.Scope, message: str | None, status_code: int = 200) -> Response:
    issues = scoped.issues(scope, states=ACTIVE_STATES, limit=500)
    targets = {t.value for t in scoped.ENTERPRISE_TARGETS}
    attached: dict[str, list[dict[str, Any]]] = {}
    rows = scope.session.scalars(
        select(AuditRow)
        .where(AuditRow.action == EVIDENCE_ACTION, AuditRow.target.in_([f"issue:{i.fingerprint}" for i in issues]))
        .order_by(AuditRow.id)
    )
    for row in rows:
        attached.setdefault(row.target.removeprefix("issue:"), []).append(row.detail)
    context = {
        "issues": issues,
        "movable": {i.fingerprint: i.state.value not in targets for i in issues},
        "attached": attached,
        "checks": submission_repo.listing(scope, limit=50),
        "message": message,
        "enterprise": scoped.enterprise(scope, scope.principal.scope_id or ""),
    }
    return page(request, "portal.html", scope.principal, context, status_code=status_code)


@router.get("/portal", response_class=HTMLResponse)
def portal(request: Request, scope: ScopeDep) -> Response:
    if scope.role is Role.PUBLIC:
        return RedirectResponse("/login", status_code=303)
    if scope.role is not Role.ENTERPRISE:
        return RedirectResponse("/dashboard", status_code=303)
    return _portal(request, scope, None)


@router.post("/portal/self-check", response_class=HTMLResponse)
def self_check(request: Request, scope: ScopeDep, file: Annotated[UploadFile, File()]) -> Response:
    """Queue the enterprise's own APK for the same checks the app stores run; the verdict appears below."""
    if scope.role is not Role.ENTERPRISE:
        return page(request, "message.html", scope.principal, {"message": "仅企业用户 / enterprises only"}, 403)
    service: SubmissionService = request.app.state.submissions
    name = PurePath(file.filename or "self-check.apk").name[:200]
    try:
        done = service.submit(scope.principal, file.file, name, self_check=True)
    except UploadRejected as exc:
        return _portal(request, scope, f"未受理 / rejected: {exc}", status_code=415)
    except BlobTooLargeError as exc:
        return _portal(request, scope, f"文件过大 / too large: {exc}", status_code=413)
    if done.created:
        audit.record(
            scope.session,
            scope.principal,
            "self_check.submit",
            f"submission:{done.submission.sha256}",
            {"filename": name, "size": done.submission.size},
            client=client_address(request),
        )
    return RedirectResponse("/portal", status_code=303)


def _store_evidence(request: Request, file: UploadFile) -> ArtefactRef | tuple[int, str]:
    """The stored rectification file, or (HTTP status, message) when its type or size is refused."""
    name = PurePath(file.filename or "evidence").name[:200]
    ext = PurePath(name).suffix.lower()
    family = EVIDENCE_TYPES.get(ext)
    if family is None:
        accepted = "、".join(sorted(EVIDENCE_TYPES))
        return 415, f"{name}: 仅接受以下类型 / accepted types: {accepted}"
    head = file.file.read(SNIFF_BYTES)
    problem = _evidence_problem(family, head)
    if problem is not None:
        return 415, f"{name}: {problem}"
    blobs: BlobStore = request.app.state.blobs
    config: WebConfig = request.app.state.config
    media = MEDIA_TYPES.get(ext) or (f"image/{family}" if family in _IMAGE_MAGIC else "application/octet-stream")
    try:
        stored = blobs.put_stream(
            Rewound(head, file.file),  # type: ignore[arg-type]
            name,
            media_type=media,
            max_bytes=config.max_evidence_bytes,
        )
    except BlobTooLargeError as exc:
        return 413, f"文件过大 / too large: {exc}"
    if family in _ZIP_FAMILIES and (problem := zip_problem(family, blobs.path(stored.sha256))) is not None:
        return 415, f"{name}: {problem}"
    return stored


@router.post("/portal/rectification/{fingerprint}", response_class=HTMLResponse)
def rectification(
    fingerprint: str,
    request: Request,
    scope: ScopeDep,
    note: Annotated[str, Form(max_length=2000)],
    file: Annotated[UploadFile, File()],
) -> Response:
    """Attach rectification evidence to an own issue and declare it RECTIFYING (regulators verify later)."""
    if scope.role is not Role.ENTERPRISE:
        return page(request, "message.html", scope.principal, {"message": "仅企业用户 / enterprises only"}, 403)
    issue = scoped.issue(scope, fingerprint)
    if issue is None:
        return _portal(request, scope, f"未找到问题 / no such issue: {fingerprint[:80]}", status_code=404)
    stored = _store_evidence(request, file)
    if isinstance(stored, tuple):
        return _portal(request, scope, stored[1], status_code=stored[0])
    name = stored.name
    if issue.state is not IssueState.RECTIFYING:
        try:
            scoped.move_issue(scope, fingerprint, IssueState.RECTIFYING, reason=f"整改材料 {name}: {note}"[:2000])
        except (scoped.Forbidden, TransitionError) as exc:
            return _portal(request, scope, f"未能流转 / cannot move: {exc}", status_code=409)
    audit.record(
        scope.session,
        scope.principal,
        EVIDENCE_ACTION,
        f"issue:{fingerprint}",
        {"name": name, "sha256": stored.sha256, "size": stored.size, "note": note},
        client=client_address(request),
    )
    return RedirectResponse("/portal", status_code=303)
