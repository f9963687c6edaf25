"""SARIF 2.1.0 for CI (APP self-checks) and code-scanning dashboards.

Shape, chosen for GitHub's limits (≤ 25,000 results per run, ≤ 20 runs per file) and a store scan of
many apps: **one run per subject**. Per run:

- ``tool.driver.rules``: the checks that produced results in that run (from the `CheckMetadata` mapping
  passed in; a check missing from it gets a rule built from its results), tags = task + requirement ids,
  ``security-severity`` and ``defaultConfiguration.level`` from the check's severity;
- ``results``: FAIL → ``kind: fail`` with a ``level``; PASS → ``pass``; WARN and MANUAL → ``review``;
  NOT_APPLICABLE → ``notApplicable`` (``level`` only on ``fail``, as the spec requires);
- ERROR results are not findings: they become ``invocations[0].toolExecutionNotifications`` and set
  ``executionSuccessful`` to false;
- every result carries ``partialFingerprints["ganzhi/v1"]`` and logical locations (subject key, then
  the result's ``location``);
- with a `RecheckDiff`, FAIL results get ``baselineState`` (new / unchanged; reopened counts as new),
  fixed issues are emitted as ``absent`` results, and FAILs on WAIVED/FALSE_POSITIVE issues carry an
  accepted external ``suppressions`` entry;
- ``automationDetails.id`` is ``<subject key>/<run id>``: SARIF reads the part before the last ``/`` as
  the category, and GitHub needs a distinct category for every run of one file.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ganzhi import __version__
from ganzhi.checks.metadata import CheckMetadata
from ganzhi.evidence.base import Subject
from ganzhi.evidence.status import Severity, Status
from ganzhi.findings.fingerprint import FINGERPRINT_VERSION
from ganzhi.findings.models import Issue, Result
from ganzhi.findings.recheck import RecheckDiff
from ganzhi.i18n import Lang, Text
from ganzhi.outputs.labels import ISSUE_STATE_LABELS, STATUS_LABELS, describe_params, sorted_results

SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "ganzhi"

KIND_BY_STATUS: Mapping[Status, str] = {
    Status.FAIL: "fail",
    Status.PASS: "pass",
    Status.WARN: "review",
    Status.MANUAL: "review",
    Status.NOT_APPLICABLE: "notApplicable",
}

LEVEL_BY_SEVERITY: Mapping[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

#: GitHub's bands: ≥ 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, < 4.0 low.
SECURITY_SEVERITY: Mapping[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def _both(text: Text, lang: Lang) -> str:
    """Primary language first, the other one after a blank line when it exists."""
    other: Lang = "en" if lang == "zh" else "zh"
    first, second = text.get(lang), text.get(other)
    return first if second == first else f"{first}\n\n{second}"


def _rule_name(check_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[_\W]+", check_id) if part)


def _rule(check_id: str, meta: CheckMetadata | None, example: Result | Issue, lang: Lang) -> dict[str, Any]:
    title = meta.title if meta else example.title
    severity = meta.severity if meta else example.severity
    task = meta.task if meta else example.task
    requirements = list(meta.requirements) if meta else list(example.requirement_ids)
    rule: dict[str, Any] = {
        "id": check_id,
        "name": _rule_name(check_id),
        "shortDescription": {"text": title.get(lang)},
        "fullDescription": {"text": _both(meta.description if meta and meta.description else title, lang)},
        "defaultConfiguration": {"level": LEVEL_BY_SEVERITY[severity]},
        "properties": {
            "tags": [task, *requirements],
            "security-severity": SECURITY_SEVERITY[severity],
            "severity": severity.value,
        },
    }
    if meta is not None:
        zh, en = meta.remediation.zh, meta.remediation.en
        markdown = f"**整改建议**：{zh}" + (f"\n\n**Remediation**: {en}" if en else "")
        rule["help"] = {"text": _both(meta.remediation, lang), "markdown": markdown}
    return rule


def _locations(subject: Subject, location: str | None, artifact_uri: str | None) -> list[dict[str, Any]]:
    logical: list[dict[str, Any]] = [
        {"name": subject.name or subject.id, "fullyQualifiedName": subject.key, "kind": "resource"}
    ]
    if location:
        logical.append({"name": location, "fullyQualifiedName": f"{subject.key}/{location}"})
    loc: dict[str, Any] = {"logicalLocations": logical}
    if artifact_uri:
        loc["physicalLocation"] = {"artifactLocation": {"uri": artifact_uri}}
    return [loc]


class _RunBuilder:
    """Collects one subject's rules, results and notifications."""

    def __init__(
        self, subject: Subject, checks: Mapping[str, CheckMetadata], lang: Lang, artifact_uri: str | None
    ) -> None:
        self.subject = subject
        self.checks = checks
        self.lang = lang
        self.artifact_uri = artifact_uri
        self.rules: list[dict[str, Any]] = []
        self.rule_index: dict[str, int] = {}
        self.results: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.run_ids: set[str] = set()
        self.absent_run_ids: set[str] = set()

    def index_of(self, check_id: str, example: Result | Issue) -> int:
        if check_id not in self.rule_index:
            self.rule_index[check_id] = len(self.rules)
            self.rules.append(_rule(check_id, self.checks.get(check_id), example, self.lang))
        return self.rule_index[check_id]

    def add_result(self, result: Result, baseline: Mapping[str, str], suppressed: Mapping[str, Issue]) -> None:
        self.run_ids.add(result.run_id)
        index = self.index_of(result.check_id, result)
        if result.status is Status.ERROR:
            self.notifications.append(
                {
                    "level": "error",
                    "message": {"text": result.message.get(self.lang)},
                    "associatedRule": {"id": result.check_id, "index": index},
                    "locations": _locations(result.subject, result.location, self.artifact_uri),
                }
            )
            return
        kind = KIND_BY_STATUS[result.status]
        out: dict[str, Any] = {"ruleId": result.check_id, "ruleIndex": index, "kind": kind}
        if kind == "fail":
            out["level"] = LEVEL_BY_SEVERITY[result.severity]
        out["message"] = {"text": result.message.get(self.lang)}
        out["locations"] = _locations(result.subject, result.location, self.artifact_uri)
        out["partialFingerprints"] = {FINGERPRINT_VERSION: result.fingerprint}
        if result.status is Status.FAIL and result.fingerprint in baseline:
            out["baselineState"] = baseline[result.fingerprint]
        waived = suppressed.get(result.fingerprint) if result.status is Status.FAIL else None
        if waived is not None:
            label = ISSUE_STATE_LABELS[waived.state]
            out["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": f"{label.zh} ({label.en}): {waived.state.value}",
                }
            ]
        out["properties"] = {
            "status": result.status.value,
            "statusLabel": STATUS_LABELS[result.status].get(self.lang),
            "severity": result.severity.value,
            "task": result.task,
            "requirements": list(result.requirement_ids),
            "messageEn": result.message.en,
            "params": describe_params(result.params, self.lang),
            "data": result.data,
        }
        self.results.append(out)

    def add_absent(self, issue: Issue) -> None:
        self.absent_run_ids.add(issue.last_run_id)
        index = self.index_of(issue.check_id, issue)
        prefix = {"zh": "已整改（本次未再检出）：", "en": "Fixed (not found in this run): "}[self.lang]
        self.results.append(
            {
                "ruleId": issue.check_id,
                "ruleIndex": index,
                "kind": "pass",
                "message": {"text": prefix + issue.message.get(self.lang)},
                "locations": _locations(issue.subject, None, self.artifact_uri),
                "partialFingerprints": {FINGERPRINT_VERSION: issue.fingerprint},
                "baselineState": "absent",
                "properties": {
                    "issueState": issue.state.value,
                    "task": issue.task,
                    "requirements": list(issue.requirement_ids),
                },
            }
        )

    def build(self, run_id: str | None) -> dict[str, Any]:
        ids = sorted(self.run_ids or self.absent_run_ids)
        if run_id is None and len(ids) != 1:
            raise ValueError(f"results for {self.subject.key} come from runs {ids}; pass run_id")
        chosen = run_id or ids[0]
        return {
            "tool": {
                "driver": {
                    "name": TOOL_NAME,
                    "fullName": "ganzhi 感知 — 信息通信服务感知提升行动 inspection",
                    "version": __version__,
                    "semanticVersion": __version__,
                    "rules": self.rules,
                }
            },
            "automationDetails": {
                "id": f"{self.subject.key}/{chosen}",
                "description": {"text": self.subject.name or self.subject.key},
            },
            "invocations": [
                {
                    "executionSuccessful": not self.notifications,
                    "toolExecutionNotifications": self.notifications,
                }
            ],
            "language": "zh-CN" if self.lang == "zh" else "en-US",
            "results": self.results,
            "properties": {"runId": chosen, "subject": self.subject.model_dump(mode="json")},
        }


def to_sarif(
    results: Iterable[Result],
    checks: Mapping[str, CheckMetadata],
    *,
    diff: RecheckDiff | None = None,
    run_id: str | None = None,
    lang: Lang = "zh",
    artifact_uris: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A SARIF log (as JSON values) with one run per subject, subjects in key order.

    `checks` maps check id → metadata for rule texts; `artifact_uris` optionally maps a subject key to
    the scanned file (e.g. the APK path in CI), added as a physical location.
    """
    builders: dict[str, _RunBuilder] = {}

    def builder(subject: Subject) -> _RunBuilder:
        if subject.key not in builders:
            uri = (artifact_uris or {}).get(subject.key)
            builders[subject.key] = _RunBuilder(subject, checks, lang, uri)
        return builders[subject.key]

    baseline: Mapping[str, str] = diff.baseline_states() if diff is not None else {}
    suppressed = {m.issue.fingerprint: m.issue for m in diff.suppressed} if diff is not None else {}
    for result in sorted_results(results):
        builder(result.subject).add_result(result, baseline, suppressed)
    if diff is not None:
        by_subject: dict[str, list[Issue]] = defaultdict(list)
        for issue in diff.fixed:
            by_subject[issue.subject.key].append(issue)
        for key in sorted(by_subject):
            for issue in sorted(by_subject[key], key=lambda i: (i.check_id, i.fingerprint)):
                builder(issue.subject).add_absent(issue)
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [builders[key].build(run_id) for key in sorted(builders)],
    }


def sarif_json(
    results: Iterable[Result],
    checks: Mapping[str, CheckMetadata],
    *,
    diff: RecheckDiff | None = None,
    run_id: str | None = None,
    lang: Lang = "zh",
    artifact_uris: Mapping[str, str] | None = None,
) -> str:
    """`to_sarif` as indented UTF-8 JSON text."""
    log = to_sarif(results, checks, diff=diff, run_id=run_id, lang=lang, artifact_uris=artifact_uris)
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def write_sarif(
    path: Path,
    results: Iterable[Result],
    checks: Mapping[str, CheckMetadata],
    *,
    diff: RecheckDiff | None = None,
    run_id: str | None = None,
    lang: Lang = "zh",
    artifact_uris: Mapping[str, str] | None = None,
) -> None:
    """Write `sarif_json(...)` to `path` (UTF-8)."""
    text = sarif_json(results, checks, diff=diff, run_id=run_id, lang=lang, artifact_uris=artifact_uris)
    path.write_text(text, encoding="utf-8")
