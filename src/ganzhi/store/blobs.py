"""The blob store: large artefacts (APKs, screenshots, captures) kept once, named by their sha256.

Files live at `root/ab/cd/<sha256>`. Writes stream through a temporary file in `root/tmp` (same
file system) while hashing, then are renamed into place, so a reader never sees a partial blob and
two writers of the same content end with one file. Every write is bounded by a size limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from ganzhi.errors import StoreError
from ganzhi.evidence.base import ArtefactRef

#: Bytes read and written per step while streaming.
CHUNK_BYTES = 1 << 20
#: Largest blob accepted when the caller gives no limit: 2 GiB (configurable default).
DEFAULT_MAX_BYTES = 2 << 30
DEFAULT_MEDIA_TYPE = "application/octet-stream"

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobTooLargeError(StoreError):
    """A blob exceeded the size limit; nothing was stored."""


class BlobStore:
    """Content-addressed files under one root directory."""

    def __init__(self, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0 (got {max_bytes})")
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path(self, sha256: str) -> Path:
        """Where the blob `sha256` lives (whether or not it exists)."""
        if not _SHA256.match(sha256):
            raise StoreError(f"blob id must be 64 lowercase hex digits (got {sha256[:80]!r})")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        """True when the blob is stored."""
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored blob for reading; StoreError names the id when it is missing."""
        target = self.path(sha256)
        try:
            return target.open("rb")
        except FileNotFoundError:
            raise StoreError(f"blob {sha256} is not in the store at {self.root}") from None

    def verify(self, sha256: str) -> bool:
        """Re-hash a stored blob; False when its content no longer matches its name."""
        digest = hashlib.sha256()
        with self.open(sha256) as handle:
            for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    def put_stream(
        self,
        stream: BinaryIO,
        name: str,
        *,
        media_type: str = DEFAULT_MEDIA_TYPE,
        max_bytes: int | None = None,
        source: str | None = None,
    ) -> ArtefactRef:
        """Store everything read from `stream`.

        Args:
            stream: a binary file object, read in chunks until EOF.
            name: the artefact's display name (e.g. the original file name).
            media_type: MIME type recorded in the reference.
            max_bytes: size limit for this blob (default: the store's limit).
            source: how to name the input in error messages (default: `name`).

        Raises:
            BlobTooLargeError: the stream is longer than the limit; nothing is kept.
            StoreError: the store directory cannot be written.
        """
        limit = self.max_bytes if max_bytes is None else max_bytes
        label = source or name
        tmp_dir = self.root / "tmp"
        try:
            tmp_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="put-")
        except OSError as exc:
            raise StoreError(f"cannot write to the blob store at {self.root}: {exc}") from None
        tmp_path = Path(tmp_name)
        try:
            digest, size = _copy_hashing(stream, fd, limit, label)
            sha = digest.hexdigest()
            target = self.path(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_file():
                tmp_path.unlink()
            else:
                os.chmod(tmp_path, 0o644)
                os.replace(tmp_path, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
            raise
        return ArtefactRef(sha256=sha, name=name, media_type=media_type, size=size)

    def put_file(
        self,
        path: Path,
        name: str | None = None,
        *,
        media_type: str = DEFAULT_MEDIA_TYPE,
        max_bytes: int | None = None,
    ) -> ArtefactRef:
        """Store the file at `path` (named after it unless `name` is given)."""
        source = Path(path)
        try:
            handle = source.open("rb")
        except OSError as exc:
            raise StoreError(f"cannot read {source} for the blob store: {exc.strerror or exc}") from None
        with handle:
            return self.put_stream(
                handle, name or source.name, media_type=media_type, max_bytes=max_bytes, source=str(source)
            )

    def put_bytes(
        self,
        data: bytes,
        name: str,
        *,
        media_type: str = DEFAULT_MEDIA_TYPE,
        max_bytes: int | None = None,
    ) -> ArtefactRef:
        """Store `data` under the display name `name`."""
        return self.put_stream(io.BytesIO(data), name, media_type=media_type, max_bytes=max_bytes)


def _copy_hashing(stream: BinaryIO, fd: int, limit: int, label: str) -> tuple[hashlib._Hash, int]:
    """Copy `stream` into the open file `fd` while hashing; stops as soon as `limit` is exceeded."""
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(fd, "wb") as out:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise BlobTooLargeError(
                    f"{label}: larger than the blob size limit of {limit} bytes (read {size} bytes before stopping)"
                )
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest, size
