"""Build the merged SDK index from our table and the shared signature sets, with an on-disk cache.

The third-party sets are read from `../shared/data/apk/signatures` (or `$GANZHI_SHARED_DATA/apk/
signatures`) when the index is built; they are never copied into the repository. When they are
absent the index holds the China table alone and `sources_loaded` says so. The merged entries are
cached as JSON (no pickle: a cache file must never be able to run code) under
`$GANZHI_HOME/cache/`, keyed by the SHA-256 of every input file, so the merge runs once per input.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from ganzhi.collect.apk.sdk.china_table import CHINA_TABLE_PATH, load_china_table
from ganzhi.collect.apk.sdk.exodus import EXODUS_RELATIVE_PATH, load_exodus
from ganzhi.collect.apk.sdk.external import ExternalSet
from ganzhi.collect.apk.sdk.index import SdkIndex
from ganzhi.collect.apk.sdk.libchecker import (
    LIBCHECKER_COMPONENTS_PATH,
    LIBCHECKER_RULES_PATH,
    load_libchecker,
)
from ganzhi.collect.apk.sdk.libradar import LIBRADAR_PATH, load_libradar
from ganzhi.collect.apk.sdk.merge import merge_sources
from ganzhi.collect.apk.sdk.models import SOURCE_CHINA_TABLE, SdkEntry
from ganzhi.settings import load_settings

CACHE_FORMAT = "ganzhi-sdk-index/1"
_REPO_ROOT = Path(__file__).resolve().parents[5]
_INDEXES: dict[tuple[Path, Path | None], SdkIndex] = {}


class _CachedIndex(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: str
    key: str
    entries: list[SdkEntry]
    sources_loaded: list[str]
    source_errors: list[str]
    attributions: list[str]
    record_counts: dict[str, int]


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
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _load_or_build(signature_dir: Path | None, cache_dir: Path | None) -> SdkIndex:
    if cache_dir is None:
        return build_index(signature_dir)
    key = cache_key(signature_dir)
    path = cache_dir / f"sdk-index-{key[:24]}.json"
    cached = _read_cache(path, key)
    if cached is not None:
        return SdkIndex(
            cached.entries,
            sources_loaded=cached.sources_loaded,
            source_errors=cached.source_errors,
            attributions=cached.attributions,
            record_counts=cached.record_counts,
        )
    index = build_index(signature_dir)
    _write_cache(path, key, index)
    return index


def _read_cache(path: Path, key: str) -> _CachedIndex | None:
    try:
        cached = _CachedIndex.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None
    return cached if cached.format == CACHE_FORMAT and cached.key == key else None


def _write_cache(path: Path, key: str, index: SdkIndex) -> None:
    """Best effort, atomic (temp file + rename): a read-only home only costs a rebuild next time."""
    payload = _CachedIndex(
        format=CACHE_FORMAT,
        key=key,
        entries=list(index.entries),
        sources_loaded=list(index.sources_loaded),
        source_errors=list(index.source_errors),
        attributions=list(index.attributions),
        record_counts=index.record_counts,
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as handle:
            handle.write(json.dumps(payload.model_dump(mode="json"), ensure_ascii=False))
        Path(handle.name).replace(path)
    except OSError:
        return
