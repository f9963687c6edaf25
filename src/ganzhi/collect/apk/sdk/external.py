"""Common shape of a third-party signature set once loaded (Exodus, LibChecker, LibRadar).

Loaders never raise on bad content: a bad row becomes an error string naming the file, the row and
the field, and the rest of the file is still used. They read `../shared/data` at index build time
only; nothing of it is copied into the repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ganzhi.collect.apk.sdk.models import Signatures

MAX_SIGNATURE_FILE_BYTES = 64 * 1024 * 1024


@dataclass(slots=True)
class ExternalGroup:
    """All signatures one source gives for one SDK (a LibChecker label, an Exodus tracker...)."""

    name: str
    source: str
    signatures: Signatures
    category: str = "unknown"
    vendor: str | None = None
    website: str | None = None


@dataclass(slots=True)
class ExternalSet:
    """One loaded signature set: its groups, how many raw records it had, and what went wrong."""

    source: str
    files: tuple[Path, ...]
    groups: list[ExternalGroup] = field(default_factory=list)
    record_count: int = 0
    errors: list[str] = field(default_factory=list)
    attribution: str | None = None

    @property
    def loaded(self) -> bool:
        """True when the set contributed at least one group."""
        return bool(self.groups)


def read_bounded_text(path: Path, errors: list[str]) -> str | None:
    """The file's UTF-8 text, or None with an error record when missing, too big or undecodable."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        errors.append(f"{path}: cannot stat signature file: {exc}")
        return None
    if size > MAX_SIGNATURE_FILE_BYTES:
        errors.append(f"{path}: file size expected ≤ {MAX_SIGNATURE_FILE_BYTES} bytes, got {size}")
        return None
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(f"{path}: cannot read as UTF-8: {exc}")
        return None
