"""Load and validate our own China SDK table (`data/china_sdks.yaml`).

The table is ganzhi's data, so a malformed entry is a defect: loading raises `InputError` naming
the file, the entry and the field, with the expected and the actual value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ganzhi.collect.apk.sdk.models import SOURCE_CHINA_TABLE, SdkEntry, Signatures
from ganzhi.collect.apk.sdk.names import is_specific_prefix
from ganzhi.collect.apk.sdk.vocab import CATEGORY_LABELS, PI_CATEGORIES
from ganzhi.errors import InputError

CHINA_TABLE_PATH = Path(__file__).resolve().parent / "data" / "china_sdks.yaml"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_UNCERTAIN_FIELDS = frozenset({"vendor", "privacy_policy_url", "signatures", "pi"})
_ENTRY_KEYS = frozenset(SdkEntry.model_fields) - {"curated", "sources", "website"}


@dataclass(frozen=True, slots=True)
class ChinaTable:
    """Curated SDK entries plus the prefixes/labels of libraries that are not data-sharing SDKs."""

    entries: tuple[SdkEntry, ...]
    not_data_prefixes: tuple[str, ...]
    not_data_labels: tuple[str, ...]
    path: Path


def load_china_table(path: Path | None = None) -> ChinaTable:
    """Read and validate the curated table; raises `InputError` on the first bad entry."""
    import yaml  # only to build the index: a cached index never reads YAML

    source = path or CHINA_TABLE_PATH
    try:
        document = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(str(source), f"cannot read the China SDK table: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("sdks"), list):
        raise InputError(str(source), "expected a mapping with a list under 'sdks'")
    entries = [_entry(source, index, raw) for index, raw in enumerate(document["sdks"])]
    _check_unique(source, entries)
    not_data = document.get("not_data_sdks") or {}
    if not isinstance(not_data, dict):
        raise InputError(str(source), f"'not_data_sdks': expected a mapping, got {type(not_data).__name__}")
    return ChinaTable(
        entries=tuple(entries),
        not_data_prefixes=tuple(str(item) for item in not_data.get("prefixes") or ()),
        not_data_labels=tuple(str(item) for item in not_data.get("labels") or ()),
        path=source,
    )


def _entry(source: Path, index: int, raw: Any) -> SdkEntry:
    where = f"{source}: sdks[{index}]"
    if not isinstance(raw, dict):
        raise InputError(where, f"expected a mapping, got {type(raw).__name__}")
    where = f"{where} (id={raw.get('id')!r})"
    unknown = sorted(set(raw) - _ENTRY_KEYS)
    if unknown:
        raise InputError(where, f"unknown field(s) {unknown}; expected some of {sorted(_ENTRY_KEYS)}")
    try:
        entry = SdkEntry.model_validate({**raw, "curated": True, "sources": [SOURCE_CHINA_TABLE]})
    except ValidationError as exc:
        raise InputError(where, f"invalid entry: {exc}") from exc
    _check_entry(where, entry)
    return entry


def _check_entry(where: str, entry: SdkEntry) -> None:
    if not _ID.match(entry.id):
        raise InputError(where, f"field 'id': expected snake_case ascii, got {entry.id!r}")
    if entry.category not in CATEGORY_LABELS:
        raise InputError(where, f"field 'category': expected one of {sorted(CATEGORY_LABELS)}, got {entry.category!r}")
    for category in entry.pi:
        if category not in PI_CATEGORIES:
            raise InputError(
                where, f"field 'pi': expected GB/T 35273 表A.1 categories {PI_CATEGORIES}, got {category!r}"
            )
    bad_uncertain = sorted(set(entry.uncertain) - _UNCERTAIN_FIELDS)
    if bad_uncertain:
        raise InputError(where, f"field 'uncertain': expected some of {sorted(_UNCERTAIN_FIELDS)}, got {bad_uncertain}")
    if entry.privacy_policy_url is not None and not entry.privacy_policy_url.startswith(("https://", "http://")):
        raise InputError(
            where, f"field 'privacy_policy_url': expected an http(s) URL, got {entry.privacy_policy_url!r}"
        )
    _check_signatures(where, entry.signatures)


def _check_signatures(where: str, signatures: Signatures) -> None:
    if signatures.is_empty():
        raise InputError(where, "field 'signatures': expected at least one signature, got none")
    for prefix in signatures.class_prefixes:
        if not is_specific_prefix(prefix):
            raise InputError(
                where,
                f"field 'signatures.class_prefixes': expected a dotted name of ≥2 segments, got {prefix!r}",
            )
    for field_name in ("native_lib_patterns", "component_patterns"):
        for pattern in getattr(signatures, field_name):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise InputError(where, f"field 'signatures.{field_name}': invalid regex {pattern!r}: {exc}") from exc


def _check_unique(source: Path, entries: list[SdkEntry]) -> None:
    seen: dict[str, str] = {}
    owned: dict[tuple[str, str], str] = {}
    for entry in entries:
        if entry.id in seen:
            raise InputError(str(source), f"duplicate SDK id {entry.id!r}")
        seen[entry.id] = entry.id
        sig = entry.signatures
        for kind, values in (
            ("prefix", sig.class_prefixes),
            ("component", sig.components),
            ("native", sig.native_libs),
            ("meta", sig.meta_data),
        ):
            for value in values:
                other = owned.setdefault((kind, value), entry.id)
                if other != entry.id:
                    raise InputError(
                        str(source), f"{kind} signature {value!r} claimed by both {other!r} and {entry.id!r}"
                    )
