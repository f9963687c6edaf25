"""LibRadar `tag_rules.csv` loader (Apache-2.0): package prefixes (`Lcom/umeng/analytics`) with a type.

Rows whose library name is `no` are LibRadar's "not a library" markers and are skipped. Rows are
grouped by library name; the type becomes our category (`library` for development aids, which the
merge keeps only when they belong to an SDK we already know).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ganzhi.collect.apk.sdk.external import ExternalGroup, ExternalSet, read_bounded_text
from ganzhi.collect.apk.sdk.models import SOURCE_LIBRADAR, Signatures
from ganzhi.collect.apk.sdk.names import is_plain_dotted, to_dotted
from ganzhi.collect.apk.sdk.vocab import LIBRADAR_TYPE_MAP

LIBRADAR_PATH = Path("libradar") / "tag_rules.csv"
LIBRADAR_ATTRIBUTION = "Library tags: LibRadar tag_rules.csv (https://github.com/pkumza/LibRadar), Apache-2.0."
_COLUMNS = ("Package Name", "Library Name", "Type", "Official Website")


def load_libradar(path: Path) -> ExternalSet:
    """Load the tag rules grouped by library name; malformed rows become error records."""
    result = ExternalSet(source=SOURCE_LIBRADAR, files=(path,), attribution=LIBRADAR_ATTRIBUTION)
    text = read_bounded_text(path, result.errors)
    if text is None:
        return result
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in _COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        result.errors.append(f"{path}: missing column(s) {missing}; got {reader.fieldnames}")
        return result
    groups: dict[str, ExternalGroup] = {}
    for line, row in enumerate(reader, start=2):
        result.record_count += 1
        library = (row.get("Library Name") or "").strip()
        if not library or library == "no":
            continue
        raw_package = (row.get("Package Name") or "").strip()
        prefix = _package_prefix(raw_package)
        if prefix is None:
            result.errors.append(f"{path}: line {line}: field 'Package Name' expected 'Lpkg/name', got {raw_package!r}")
            continue
        key = library.casefold()
        group = groups.get(key)
        if group is None:
            category = LIBRADAR_TYPE_MAP.get((row.get("Type") or "").strip(), "library")
            website = (row.get("Official Website") or "").strip() or None
            group = groups[key] = ExternalGroup(
                name=library,
                source=SOURCE_LIBRADAR,
                signatures=Signatures(),
                category=category,
                website=website,
            )
        if prefix not in group.signatures.class_prefixes:
            group.signatures.class_prefixes.append(prefix)
    result.groups = list(groups.values())
    return result


def _package_prefix(raw: str) -> str | None:
    if not raw.startswith("L"):
        return None
    dotted = to_dotted(raw[1:]).strip(".")
    return dotted if dotted and is_plain_dotted(dotted) else None
