"""LibChecker-Rules loader (`rules_table.csv` + `component_rules_consolidated.json`, Apache-2.0).

Rule types (inferred from the data, see MANIFEST.md): 0 native .so, 1 service, 2 activity,
3 receiver, 4 provider, 5 DEX package prefix, 6 static library (not matchable from an APK's facts).
Rules are grouped by label; the vendor (`team`) comes from the consolidated per-component JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from ganzhi.collect.apk.sdk.external import ExternalGroup, ExternalSet, read_bounded_text
from ganzhi.collect.apk.sdk.models import SOURCE_LIBCHECKER, Signatures
from ganzhi.collect.apk.sdk.names import is_plain_dotted, regex_to_prefix

LIBCHECKER_RULES_PATH = Path("libchecker-rules") / "rules_table.csv"
LIBCHECKER_COMPONENTS_PATH = Path("libchecker-rules") / "component_rules_consolidated.json"
LIBCHECKER_ATTRIBUTION = "SDK rules: LibChecker-Rules (https://github.com/LibChecker/LibChecker-Rules), Apache-2.0."

_TYPE_TO_JSON_KIND = {
    0: "native",
    1: "service",
    2: "activity",
    3: "receiver",
    4: "provider",
    5: "dex",
    6: "static",
}
_REQUIRED_COLUMNS = ("name", "label", "type", "isRegexRule")


def load_libchecker(rules_csv: Path, components_json: Path | None = None) -> ExternalSet:
    """Load LibChecker rules grouped by label; malformed rows become error records."""
    files = (rules_csv,) if components_json is None else (rules_csv, components_json)
    result = ExternalSet(source=SOURCE_LIBCHECKER, files=files, attribution=LIBCHECKER_ATTRIBUTION)
    text = read_bounded_text(rules_csv, result.errors)
    if text is None:
        return result
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in _REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        result.errors.append(f"{rules_csv}: missing column(s) {missing}; got {reader.fieldnames}")
        return result
    teams = _load_teams(components_json, result.errors) if components_json is not None else {}
    groups: dict[str, ExternalGroup] = {}
    for line, row in enumerate(reader, start=2):
        result.record_count += 1
        _add_row(f"{rules_csv}: line {line}", row, groups, teams, result.errors)
    result.groups = list(groups.values())
    return result


def _add_row(
    where: str,
    row: dict[str, str],
    groups: dict[str, ExternalGroup],
    teams: dict[tuple[str, str], tuple[str | None, str | None]],
    errors: list[str],
) -> None:
    name, label = (row.get("name") or "").strip(), (row.get("label") or "").strip()
    try:
        rule_type = int(row.get("type") or "")
    except ValueError:
        errors.append(f"{where}: field 'type' expected an integer 0..6, got {row.get('type')!r}")
        return
    if rule_type not in _TYPE_TO_JSON_KIND:
        errors.append(f"{where}: field 'type' expected 0..6, got {rule_type}")
        return
    if not name or not label:
        errors.append(f"{where}: fields 'name' and 'label' must be non-empty, got {name!r} / {label!r}")
        return
    is_regex = (row.get("isRegexRule") or "0").strip() == "1"
    if is_regex:
        try:
            re.compile(name)
        except re.error as exc:
            errors.append(f"{where}: field 'name' is not a valid regex {name!r}: {exc}")
            return
    group = groups.get(label)
    if group is None:
        group = groups[label] = ExternalGroup(name=label, source=SOURCE_LIBCHECKER, signatures=Signatures())
    _add_signature(group.signatures, rule_type, name, is_regex)
    vendor, url = teams.get((_TYPE_TO_JSON_KIND[rule_type], name), (None, None))
    group.vendor = group.vendor or vendor
    group.website = group.website or url


def _add_signature(signatures: Signatures, rule_type: int, name: str, is_regex: bool) -> None:
    if rule_type == 6:
        return
    if rule_type == 0:
        (signatures.native_lib_patterns if is_regex else signatures.native_libs).append(name)
        return
    prefix = regex_to_prefix(name) if is_regex else name
    if rule_type == 5:
        if prefix is not None and is_plain_dotted(prefix):
            signatures.class_prefixes.append(prefix)
        return
    if not is_regex:
        signatures.components.append(name)
    elif prefix is not None:
        signatures.class_prefixes.append(prefix)
    else:
        signatures.component_patterns.append(name)


def _load_teams(path: Path, errors: list[str]) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """(kind, component or .so name) → (team, relativeUrl) from the consolidated descriptor JSON."""
    text = read_bounded_text(path, errors)
    if text is None:
        return {}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        errors.append(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}")
        return {}
    rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(rules, dict):
        errors.append(f"{path}: expected an object with a 'rules' mapping")
        return {}
    teams: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for kind, by_name in rules.items():
        if not isinstance(by_name, dict):
            errors.append(f"{path}: rules[{kind!r}] expected a mapping, got {type(by_name).__name__}")
            continue
        for name, descriptor in by_name.items():
            if isinstance(descriptor, dict):
                team, url = descriptor.get("team"), descriptor.get("relativeUrl")
                teams[(kind, name)] = (
                    team if isinstance(team, str) and team else None,
                    url if isinstance(url, str) and url.startswith("http") else None,
                )
    return teams
