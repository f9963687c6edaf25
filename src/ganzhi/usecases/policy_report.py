"""`ganzhi policy analyze`: build evidence from a policy, lists and APK facts, run the T3/T6/T7 checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ganzhi.collect.lists.apk_facts import app_pi_facts
from ganzhi.collect.lists.parse import parse_list_file
from ganzhi.collect.policy.analyze import analyze_document
from ganzhi.collect.policy.ingest import read_policy
from ganzhi.engine.runner import evaluate
from ganzhi.errors import InputError
from ganzhi.evidence.apk import ApkStatic
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.policy import PolicyAnalysis

#: The tasks whose checks judge a policy with its lists and APK facts (T3 summary, T6/T7 lists); the
#: runner picks the ones the evidence present can decide.
TASKS = ("T3", "T6", "T7")


def _quotes(analyses: list[PolicyAnalysis], data: dict[str, Any]) -> list[str]:
    """Sentences behind a finding: the long examples, or the sentences naming the finding's PI category."""
    if data.get("long_examples"):
        return [str(x) for x in data["long_examples"]]
    direct = [str(data[k]) for k in ("summary_sentence", "policy_sentence", "list_row") if data.get(k)]
    if direct:
        return direct
    category = data.get("category")
    out: list[str] = []
    for analysis in analyses:
        texts = {s.index: s.text for s in analysis.sentences}
        out.extend(texts[f.sentence] for f in analysis.facts if f.category == category and f.sentence in texts)
    return out[:3]


def run_analysis(
    policy: str, *, summary: str | None = None, lists: list[Path] | None = None, apk_report: Path | None = None
) -> dict[str, Any]:
    """Findings of the policy checks as a JSON-ready dict (source, findings with quotes, problems)."""
    problems: list[str] = []
    document = read_policy(policy)
    subject_id = "policy:" + document.sha256[:16]
    apk: ApkStatic | None = None
    if apk_report is not None:
        try:
            raw = json.loads(apk_report.read_text(encoding="utf-8"))
            apk = ApkStatic.model_validate(raw.get("data", raw))
        except (OSError, ValueError) as exc:
            raise InputError(str(apk_report), f"expected apk_static evidence JSON ({type(exc).__name__})") from None
        subject_id = apk.package
    subject = Subject(type="app", id=subject_id)
    analyses = [analyze_document(document)]
    if summary:
        analyses.append(analyze_document(read_policy(summary), is_summary=True))
    evidence = [Evidence.of(a, subject, source=a.source) for a in analyses]
    for path in lists or []:
        try:
            for parsed in parse_list_file(path):
                problems.extend(parsed.problems)
                evidence.append(Evidence.of(parsed, subject, source=parsed.source))
        except InputError as exc:
            problems.append(str(exc))
    if apk is not None:
        evidence.append(Evidence.of(app_pi_facts(apk), subject, source=str(apk_report)))
    outcome = evaluate(evidence, tasks=TASKS)
    findings = [
        {
            "check": r.check_id,
            "status": r.status.value,
            "message": r.message.zh,
            "message_en": r.message.en,
            "data": r.data,
            "quotes": _quotes(analyses, r.data),
        }
        for r in outcome.results
    ]
    problems.extend(p for a in analyses for p in a.problems)
    problems.extend(f"{e}" for e in outcome.errors)
    return {"source": document.source, "sha256": document.sha256, "findings": findings, "problems": problems}
