"""Build the merged SDK index from our table and the shared signature sets, with an on-disk cache.

The third-party sets are read from `../shared/data/apk/signatures` (or `$GANZHI_SHARED_DATA/apk/
signatures`) when the index is built; they are never copied into the repository. When they are
absent the index holds the China table alone and `sources_loaded` says so. The merged entries are
cached as JSON (no pickle: a cache file must never be able to run code) under
`$GANZHI_HOME/cache/`, keyed by the SHA-256 of every input file, so the merge runs once per input.
A cached index is loaded compact (`SdkIndex.compact`: no pydantic model per entry until a match
reports it), and the source readers (YAML, CSV, the merge) are imported only to build.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganzhi.collect.apk.cachefile import write_cache
from ganzhi.collect.apk.sdk.china_table import CHINA_TABLE_PATH
from ganzhi.collect.apk.sdk.exodus import EXODUS_RELATIVE_PATH
from ganzhi.collect.apk.sdk.index import SIGNATURE_FIELDS, CompactEntry, SdkIndex
from ganzhi.collect.apk.sdk.libchecker import LIBCHECKER_COMPONENTS_PATH, LIBCHECKER_RULES_PATH
from ganzhi.collect.apk.sdk.libradar import LIBRADAR_PATH
from ganzhi.collect.apk.sdk.models import SOURCE_CHINA_TABLE
from ganzhi.settings import load_settings

if TYPE_CHECKING:
    from ganzhi.collect.apk.sdk.external import ExternalSet

CACHE_FORMAT = "ganzhi-sdk-index/2"
_REPO_ROOT = Path(__file__).resolve().parents[5]
_INDEXES: dict[tuple[Path, Path | None], SdkIndex] = {}


def default_signature_dir() -> Path:
    """`$GANZHI_SHARED_DATA/apk/signatures`, else `<repo>/../shared/data/apk/signatures`."""
    shared = os.environ.get("GANZHI_SHARED_DATA") or str(_REPO_ROOT.parent / "shared" / "data")
    return Path(shared) / "apk" / "signatures"


def default_cache_dir() -> Path:
    """`$GANZHI_HOME/cache` (see `ganzhi.settings`)."""
    return load_settings().home / "cache"


def default_index() -> SdkIndex:
    """The process-wide index for the current signature and cache directories (built once)."""
    return load_index(default_signature_dir(), default_cache_dir())


def load_index(signature_dir: Path | None, cache_dir: Path | None = None) -> SdkIndex:
    """Index for `signature_dir` (None: China table only), memoised per process and cached on disk."""
    resolved = signature_dir.resolve() if signature_dir is not None else Path("<none>")
    memo_key = (resolved, cache_dir)
    index = _INDEXES.get(memo_key)
    if index is None:
        index = _INDEXES[memo_key] = _load_or_build(signature_dir, cache_dir)
    return index


def build_index(signature_dir: Path | None) -> SdkIndex:
    """Load every available source and merge them (no cache involved)."""
    from ganzhi.collect.apk.sdk.china_table import load_china_table
    from ganzhi.collect.apk.sdk.merge import merge_sources

    table = load_china_table()
    externals = _load_externals(signature_dir) if signature_dir is not None else []
    loaded = [external for external in externals if external.loaded]
    entries = merge_sources(table, loaded)
    errors = [error for external in externals for error in external.errors]
    if signature_dir is not None and not loaded:
        errors.append(f"{signature_dir}: no third-party signature set found; matching with the China table alone")
    return SdkIndex(
        entries,
        sources_loaded=[SOURCE_CHINA_TABLE, *(external.source for external in loaded)],
        source_errors=errors,
        attributions=[external.attribution for external in loaded if external.attribution],
        record_counts={
            SOURCE_CHINA_TABLE: len(table.entries),
            **{external.source: external.record_count for external in loaded},
        },
    )


def _load_externals(signature_dir: Path) -> list[ExternalSet]:
    """LibChecker, LibRadar, Exodus in merge order; a missing file yields an empty set."""
    from ganzhi.collect.apk.sdk.exodus import load_exodus
    from ganzhi.collect.apk.sdk.libchecker import load_libchecker
    from ganzhi.collect.apk.sdk.libradar import load_libradar

    sets: list[ExternalSet] = []
    rules = signature_dir / LIBCHECKER_RULES_PATH
    if rules.is_file():
        components = signature_dir / LIBCHECKER_COMPONENTS_PATH
        sets.append(load_libchecker(rules, components if components.is_file() else None))
    if (signature_dir / LIBRADAR_PATH).is_file():
        sets.append(load_libradar(signature_dir / LIBRADAR_PATH))
    if (signature_dir / EXODUS_RELATIVE_PATH).is_file():
        sets.append(load_exodus(signature_dir / EXODUS_RELATIVE_PATH))
    return sets


def input_files(signature_dir: Path | None) -> list[Path]:
    """Every file the index depends on (our table plus the third-party files that exist)."""
    files = [CHINA_TABLE_PATH]
    if signature_dir is not None:
        for relative in (
            LIBCHECKER_RULES_PATH,
            LIBCHECKER_COMPONENTS_PATH,
            LIBRADAR_PATH,
            EXODUS_RELATIVE_PATH,
        ):
            if (signature_dir / relative).is_file():
                files.append(signature_dir / relative)
    return files


def cache_key(signature_dir: Path | None) -> str:
    """SHA-256 over the cache format, our code's data files and each input file's name and bytes."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for module in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    for path in input_files(signature_dir):
        digest.update(path.name.encode() + b"\0" + _file_digest(path))
    return digest.hexdigest()


def _file_digest(path: Path) -> bytes:
    """SHA-256 of a file read in chunks (an input file is never held whole just to be hashed)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 16):
            digest.update(chunk)
    return digest.digest()


def _load_or_build(signature_dir: Path | None, cache_dir: Path | None) -> SdkIndex:
    if cache_dir is None:
        return build_index(signature_dir)
    key = cache_key(signature_dir)
    path = cache_dir / f"sdk-index-{key[:24]}.json"
    cached = _read_cache(path, key)
    if cached is not None:
        return cached
    index = build_index(signature_dir)
    _write_cache(path, key, index)
    return index


def _read_cache(path: Path, key: str) -> SdkIndex | None:
    """The cached index in compact form, or None when the file is missing, foreign, stale or malformed."""
    try:
        data = json.loads(path.read_bytes())
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("key") != key:
            return None
        entries = [_compact_entry(row) for row in data["entries"]]
        return SdkIndex.compact(
            entries,
            sources_loaded=[str(x) for x in data["sources_loaded"]],
            source_errors=[str(x) for x in data["source_errors"]],
            attributions=[str(x) for x in data["attributions"]],
            record_counts={str(k): int(v) for k, v in data["record_counts"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _compact_entry(row: Any) -> CompactEntry:
    entry_id, name, curated, text, signatures = row
    if not (isinstance(entry_id, str) and isinstance(name, str) and isinstance(text, str)):
        raise ValueError("malformed cached entry")
    if not isinstance(signatures, dict) or not set(signatures) <= set(SIGNATURE_FIELDS):
        raise ValueError("malformed cached signatures")
    lists = {k: [str(v) for v in values] for k, values in signatures.items() if isinstance(values, list)}
    return CompactEntry(entry_id, name, bool(curated), text, lists)


def _write_cache(path: Path, key: str, index: SdkIndex) -> None:
    """Best effort, atomic (temp file + rename): a read-only home only costs a rebuild next time."""
    entries = []
    for entry in index.entries:
        signatures = {name: list(getattr(entry.signatures, name)) for name in SIGNATURE_FIELDS}
        text = entry.model_dump_json(exclude={"signatures"})
        entries.append([entry.id, entry.name, entry.curated, text, {k: v for k, v in signatures.items() if v}])
    payload = {
        "format": CACHE_FORMAT,
        "key": key,
        "entries": entries,
        "sources_loaded": list(index.sources_loaded),
        "source_errors": list(index.source_errors),
        "attributions": list(index.attributions),
        "record_counts": index.record_counts,
    }
    write_cache(path, payload)
