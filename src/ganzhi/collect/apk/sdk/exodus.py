"""Exodus Privacy tracker database loader (`exodus_trackers.json`, ODbL).

Each tracker's `code_signature` is a `|`-joined list of regexes that Exodus runs with `re.search`
on dotted class names. Almost all of them are plain dotted prefixes: those become segment-anchored
prefixes (fast, and no mid-name hits); the rest stay regexes. Like exodus-core, signatures of three
characters or fewer are skipped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ganzhi.collect.apk.sdk.external import ExternalGroup, ExternalSet, read_bounded_text
from ganzhi.collect.apk.sdk.models import SOURCE_EXODUS, Signatures
from ganzhi.collect.apk.sdk.names import is_plain_dotted, is_specific_prefix
from ganzhi.collect.apk.sdk.vocab import EXODUS_CATEGORY_MAP

EXODUS_ATTRIBUTION = (
    "Tracker signatures: Exodus Privacy tracker database (https://reports.exodus-privacy.eu.org), "
    "made available under the Open Database License (ODbL) v1.0 "
    "(https://opendatacommons.org/licenses/odbl/1-0/). Any derived database we publish must be ODbL too."
)
EXODUS_RELATIVE_PATH = Path("exodus") / "exodus_trackers.json"
MIN_SIGNATURE_LENGTH = 4


def load_exodus(path: Path) -> ExternalSet:
    """Load the tracker JSON; one group per tracker, bad trackers become error records."""
    result = ExternalSet(source=SOURCE_EXODUS, files=(path,), attribution=EXODUS_ATTRIBUTION)
    text = read_bounded_text(path, result.errors)
    if text is None:
        return result
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        result.errors.append(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}")
        return result
    trackers = document.get("trackers") if isinstance(document, dict) else None
    if not isinstance(trackers, dict):
        result.errors.append(f"{path}: expected an object with a 'trackers' mapping, got {type(trackers).__name__}")
        return result
    result.record_count = len(trackers)
    for key, tracker in trackers.items():
        group = _group(path, key, tracker, result.errors)
        if group is not None:
            result.groups.append(group)
    return result


def _group(path: Path, key: str, tracker: object, errors: list[str]) -> ExternalGroup | None:
    where = f"{path}: trackers[{key!r}]"
    if not isinstance(tracker, dict):
        errors.append(f"{where}: expected an object, got {type(tracker).__name__}")
        return None
    name = tracker.get("name")
    code_signature = tracker.get("code_signature", "")
    if not isinstance(name, str) or not name.strip():
        errors.append(f"{where}: field 'name' expected a non-empty string, got {name!r}")
        return None
    if not isinstance(code_signature, str):
        errors.append(f"{where}: field 'code_signature' expected a string, got {type(code_signature).__name__}")
        return None
    signatures = Signatures()
    for raw_part in code_signature.split("|"):
        part = raw_part.strip()
        if len(part) < MIN_SIGNATURE_LENGTH:
            continue
        prefix = part.rstrip(".")
        if is_plain_dotted(prefix):
            if is_specific_prefix(prefix):
                signatures.exodus_prefixes.append(prefix)
            continue
        try:
            re.compile(part)
        except re.error as exc:
            errors.append(f"{where}: field 'code_signature' part {part!r} is not a valid regex: {exc}")
            continue
        signatures.exodus_patterns.append(part)
    if signatures.is_empty():
        return None
    categories = tracker.get("categories") or []
    category = next((EXODUS_CATEGORY_MAP[c] for c in categories if c in EXODUS_CATEGORY_MAP), "unknown")
    website = tracker.get("website")
    return ExternalGroup(
        name=name.strip(),
        source=SOURCE_EXODUS,
        signatures=signatures,
        category=category,
        website=website if isinstance(website, str) and website else None,
    )
