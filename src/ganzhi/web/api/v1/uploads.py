"""Evidence upload: files streamed into the blob store with a size limit and a type check.

The type is checked twice: the file name's extension must be one the evidence kind accepts, and the
first bytes must agree with it (ZIP-based formats start with `PK\\x03\\x04`, PDF with `%PDF-`, text
formats must be UTF-8 without NUL bytes). Nothing is stored when either check fails.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, BinaryIO

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from pydantic import BaseModel

from ganzhi.accounts.roles import Role
from ganzhi.evidence.base import ArtefactRef
from ganzhi.store.blobs import BlobStore, BlobTooLargeError
from ganzhi.web import audit
from ganzhi.web.api.v1.invalid import invalid
from ganzhi.web.config import WebConfig
from ganzhi.web.deps import SignedInDep, client_address

router = APIRouter(tags=["evidence"])

ZIP, PDF, TEXT = "zip", "pdf", "text"
#: Extensions each evidence kind accepts, and the content family each extension must have.
KINDS: dict[str, dict[str, str]] = {
    "apk": {".apk": ZIP},
    "policy": {".html": TEXT, ".htm": TEXT, ".txt": TEXT, ".pdf": PDF},
    "list": {".html": TEXT, ".htm": TEXT, ".json": TEXT, ".csv": TEXT, ".xlsx": ZIP},
    "capture": {".zip": ZIP, ".jsonl": TEXT},
    "catalogue": {".xlsx": ZIP, ".csv": TEXT, ".json": TEXT},
    "csv": {".csv": TEXT},
}
MEDIA_TYPES = {
    ".apk": "application/vnd.android.package-archive",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".jsonl": "application/jsonl",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
}
SNIFF_BYTES = 4096


def content_problem(family: str, head: bytes) -> str | None:
    """Why `head` does not look like `family`, or None when it does."""
    if family == ZIP:
        return None if head.startswith(b"PK\x03\x04") else f"expected a ZIP file (PK\\x03\\x04), got {head[:8]!r}"
    if family == PDF:
        return None if head.startswith(b"%PDF-") else f"expected a PDF file (%PDF-), got {head[:8]!r}"
    if b"\x00" in head:
        return "expected UTF-8 text, found NUL bytes"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte character cut at the sniff boundary is fine
            return f"expected UTF-8 text, invalid byte at offset {exc.start}"
    return None


class Rewound:
    """Reads `head` first, then the rest of the file (the head was consumed by sniffing)."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head, self._stream = head, stream

    def read(self, size: int = -1) -> bytes:
        if self._head:
            chunk = self._head if size < 0 else self._head[:size]
            self._head = self._head[len(chunk) :]
            return chunk
        return self._stream.read(size)


class UploadResult(BaseModel):
    kind: str
    artefact: ArtefactRef


@router.post("/evidence", response_model=UploadResult, status_code=201)
def upload_evidence(
    scope: SignedInDep,
    request: Request,
    kind: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
) -> UploadResult:
    """Store one evidence file (regulators and enterprises); 413 over the size limit, 415 on a wrong type."""
    if scope.role not in (Role.REGULATOR_ADMIN, Role.REGULATOR_INSPECTOR, Role.ENTERPRISE):
        raise HTTPException(403, f"role {scope.role.value} cannot upload evidence (app stores use /store/submissions)")
    accepted = KINDS.get(kind)
    if accepted is None:
        raise invalid(("body", "kind"), f"kind must be one of {sorted(KINDS)} (got {kind[:40]!r})", kind[:40])
    name = PurePath(file.filename or "upload").name[:200]
    ext = PurePath(name).suffix.lower()
    if ext not in accepted:
        raise HTTPException(
            415, f"{name!r}: a {kind} upload must end in one of {sorted(accepted)} (got {ext or 'none'!r})"
        )
    head = file.file.read(SNIFF_BYTES)
    problem = content_problem(accepted[ext], head)
    if problem is not None:
        raise HTTPException(415, f"{name!r}: {problem}")
    blobs: BlobStore = request.app.state.blobs
    config: WebConfig = request.app.state.config
    try:
        ref = blobs.put_stream(
            Rewound(head, file.file),  # type: ignore[arg-type]
            name,
            media_type=MEDIA_TYPES.get(ext, "application/octet-stream"),
            max_bytes=config.max_evidence_bytes,
        )
    except BlobTooLargeError as exc:
        raise HTTPException(413, str(exc)) from None
    audit.record(
        scope.session,
        scope.principal,
        "evidence.upload",
        f"blob:{ref.sha256}",
        {"kind": kind, "name": name, "size": ref.size},
        client=client_address(request),
    )
    return UploadResult(kind=kind, artefact=ref)
