"""`ganzhi app audit APP.apk`: one app through the whole pipeline — scan → policy → lists → every T3, T6, T7
and T11 check — with one report (JSON, SARIF, and a readable HTML/PDF page per app).

Why one use case: the APK facts the list cross-checks (T6/T7) need are the same evidence `scan apk` writes,
so building them once here keeps the SDK inventory, the PI sources and the T11 findings consistent. Only
SDKs whose code is present count for T7 ("declared"/"stub" SDKs are reported, not cross-checked).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ganzhi.collect.apk.analyze import analyze_apk
from ganzhi.collect.apk.reader import apk_evidence
from ganzhi.collect.lists.apk_facts import app_pi_facts
from ganzhi.collect.lists.parse import parse_list_file
from ganzhi.collect.policy.analyze import analyze_document
from ganzhi.collect.policy.ingest import read_policy
from ganzhi.engine.registry import default_registry
from ganzhi.engine.runner import evaluate
from ganzhi.errors import InputError
from ganzhi.evidence.apk import ApkStatic
from ganzhi.evidence.base import Evidence
from ganzhi.findings.models import Result
from ganzhi.outputs.sarif import sarif_json
from ganzhi.usecases.apk_scan import app_report

#: The tasks an app audit runs; the runner picks the checks the evidence present can decide.
TASKS = ("T3", "T6", "T7", "T11")
_STATUS_ORDER = {"FAIL": 0, "ERROR": 1, "WARN": 2, "MANUAL": 3, "NOT_APPLICABLE": 4, "PASS": 5}


@dataclass
class AuditReport:
    """Everything one audit found, ready to render."""

    apk: str
    static: ApkStatic
    results: list[Result]
    run_id: str
    policy: str | None = None
    lists: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Results per status."""
        return dict(Counter(r.status.value for r in self.results))

    def to_json(self) -> dict[str, Any]:
        """The JSON report: the app's scan document plus the audit's inputs, counts and problems."""
        doc = app_report(self.static, self.results, self.apk)
        doc["audit"] = {
            "run_id": self.run_id,
            "tasks": list(TASKS),
            "policy": self.policy,
            "lists": self.lists,
            "counts": self.counts(),
            "problems": self.problems,
        }
        return doc

    def to_sarif(self, lang: str = "zh") -> str:
        """SARIF 2.1.0 with one run for this app."""
        registry = default_registry()
        metas = {r.check_id: registry.get(r.check_id).metadata for r in self.results}
        key = self.evidence[0].subject.key if self.evidence else self.static.package
        return sarif_json(
            self.results, metas, run_id=self.run_id, lang="en" if lang == "en" else "zh", artifact_uris={key: self.apk}
        )

    def to_html(self) -> str:
        """A readable page for this app (Jinja2, autoescaped)."""
        env = Environment(
            loader=PackageLoader("ganzhi.usecases", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        registry = default_registry()
        rows = sorted(self.results, key=lambda r: (_STATUS_ORDER.get(r.status.value, 9), r.check_id))
        titles = {r.check_id: registry.get(r.check_id).metadata.title for r in rows}
        return env.get_template("app_audit.html.j2").render(
            report=self,
            static=self.static,
            rows=rows,
            titles=titles,
            counts=self.counts(),
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )


def audit_app(apk: Path, *, policy: str | None = None, lists: Sequence[Path] = ()) -> AuditReport:
    """Analyze `apk`, read the policy and lists if given, and run every T3/T6/T7/T11 check once.

    Raises `InputError` for an unreadable APK; a bad policy or list becomes a problem of the report (the
    checks that need it then say their evidence is missing).
    """
    facts = analyze_apk(apk)
    static = facts.static
    apk_ev = apk_evidence(facts, source=str(apk))
    subject = apk_ev.subject
    evidence: list[Evidence] = [apk_ev]
    problems: list[str] = list(static.problems)
    if policy:
        try:
            evidence.append(Evidence.of(analyze_document(read_policy(policy)), subject, source=policy))
        except InputError as exc:
            problems.append(str(exc))
    for path in lists:
        try:
            for parsed in parse_list_file(path):
                problems.extend(parsed.problems)
                evidence.append(Evidence.of(parsed, subject, source=parsed.source))
        except InputError as exc:
            problems.append(str(exc))
    pi_facts = app_pi_facts(static)
    evidence.append(Evidence.of(pi_facts, subject, source=str(apk)))
    outcome = evaluate(evidence, tasks=TASKS)
    problems.extend(str(e) for e in outcome.errors)
    return AuditReport(
        apk=str(apk),
        static=static,
        results=list(outcome.results),
        run_id=outcome.run_id,
        policy=policy,
        lists=[str(p) for p in lists],
        problems=problems,
        evidence=evidence,
    )


def write_audit(report: AuditReport, out_dir: Path, *, lang: str = "zh", pdf: bool = False) -> list[Path]:
    """Write `<stem>.audit.json`, `.sarif`, `.html` (and `.pdf` when asked) into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(report.apk).stem
    paths = [out_dir / f"{stem}.audit.json", out_dir / f"{stem}.sarif", out_dir / f"{stem}.html"]
    paths[0].write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(report.to_sarif(lang), encoding="utf-8")
    html = report.to_html()
    paths[2].write_text(html, encoding="utf-8")
    if pdf:
        from ganzhi.supervision.render.pdf import render_pdf

        paths.append(out_dir / f"{stem}.pdf")
        paths[-1].write_bytes(render_pdf(html))
    return paths
