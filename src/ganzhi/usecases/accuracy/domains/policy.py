"""Loader of the `policy` corpus: a privacy policy (and its separate 摘要), list files and APK facts.

The same collectors as `ganzhi policy analyze`: `read_policy` + `analyze_document` for the policy and the
summary, `parse_list_file` for the two lists, `ApkStatic` JSON (`--apk-report`) + `app_pi_facts` for the APK.
Options: `policy` (input file name; default the first input), `summary`, `apk_report`; every other input is a
list file.
"""

from __future__ import annotations

import json
from pathlib import Path

from ganzhi.collect.lists.apk_facts import app_pi_facts
from ganzhi.collect.lists.parse import parse_list_file
from ganzhi.collect.policy.analyze import analyze_document
from ganzhi.collect.policy.ingest import read_policy
from ganzhi.errors import InputError
from ganzhi.evidence.apk import ApkStatic
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.usecases.accuracy.corpus import Case

DOMAIN = "policy"


def _option(case: Case, key: str) -> str | None:
    value = case.options.get(key)
    return str(value) if isinstance(value, str) and value else None


def _apk(path: Path) -> ApkStatic:
    """An `apk_static` evidence JSON as `policy analyze --apk-report` accepts it (the evidence or its `data`)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return ApkStatic.model_validate(raw.get("data", raw))
    except (OSError, ValueError) as exc:
        raise InputError(str(path), f"expected apk_static evidence JSON ({type(exc).__name__})") from None


def load_documents(folder: Path, case: Case, *, policy_default: bool) -> list[Evidence]:
    """Evidence of one case: policy/summary analyses, parsed lists and APK facts, for one app subject."""
    policy = _option(case, "policy") or (case.inputs[0] if policy_default else None)
    summary = _option(case, "summary")
    apk_report = _option(case, "apk_report")
    apk = _apk(folder / apk_report) if apk_report else None
    evidence: list[Evidence] = []
    subject = Subject(type="app", id=apk.package if apk else "case:" + folder.name)
    if policy:
        document = read_policy(str(folder / policy))
        if apk is None:
            subject = Subject(type="app", id="policy:" + document.sha256[:16])
        analyses = [analyze_document(document)]
        if summary:
            analyses.append(analyze_document(read_policy(str(folder / summary)), is_summary=True))
        evidence.extend(Evidence.of(a, subject, source=a.source) for a in analyses)
    for name in case.inputs:
        if name in {policy, summary, apk_report}:
            continue
        for parsed in parse_list_file(folder / name):
            evidence.append(Evidence.of(parsed, subject, source=parsed.source))
    if apk is not None:
        evidence.append(Evidence.of(app_pi_facts(apk), subject, source=str(folder / str(apk_report))))
    return evidence


def load(folder: Path, case: Case) -> list[Evidence]:
    """Evidence of a policy case (the first input is the policy unless `options.policy` names it)."""
    return load_documents(folder, case, policy_default=True)
