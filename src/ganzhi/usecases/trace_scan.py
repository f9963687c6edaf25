"""Import one dynamic trace, optionally with the APK it came from, and run the checks that read it.

Why: a device lab hands over hook logs (Frida/Xposed) long after, or without, the APK. A trace
alone is judged by `t11_pi_before_consent_trace`; with `apk_path` the app is also analyzed
statically and `t11_pi_before_consent` weighs trace and call graph together. Stack frames are
attributed to SDKs with the same index as static analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganzhi.collect.apk.attribution import Attributor
from ganzhi.collect.apk.sdk import default_index
from ganzhi.collect.apk.traces import first_app_frame, import_trace, trace_evidence
from ganzhi.engine.registry import default_registry
from ganzhi.engine.runner import evaluate
from ganzhi.errors import InputError
from ganzhi.evidence.apk import ApkTrace
from ganzhi.evidence.base import Evidence
from ganzhi.findings.models import Result

TRACE_KIND = "apk_trace"


def trace_check_ids(with_static: bool) -> list[str]:
    """Checks that read traces; with static evidence also every check that reads `apk_static`."""
    ids = []
    for spec in default_registry().all():
        kinds = {*spec.metadata.evidence_kinds, *spec.metadata.optional_evidence_kinds}
        if TRACE_KIND in kinds or (with_static and "apk_static" in kinds):
            ids.append(spec.id)
    return ids


@dataclass
class TraceScan:
    """The imported trace, the evidence made of it (and of the APK), and the check results."""

    trace: ApkTrace
    evidence: list[Evidence]
    results: list[Result]
    run_id: str

    def before_consent(self) -> list[dict[str, Any]]:
        """PI calls recorded before consent, oldest first, as plain rows."""
        return [
            {
                "at": c.at.isoformat(),
                "api": c.api,
                "pi_category": c.pi_category,
                "owner": c.owner,
                "sdk_id": c.sdk_id,
                "caller": first_app_frame(c.stack) or (c.stack[0] if c.stack else None),
                "line": c.line,
            }
            for c in self.trace.calls
            if c.before_consent and c.pi_category
        ]

    def report(self) -> dict[str, Any]:
        """The JSON document of `ganzhi scan trace --format json`."""
        t = self.trace
        return {
            "trace": {
                "package": t.package,
                "source": t.source,
                "consent_at": t.consent_at.isoformat() if t.consent_at else None,
                "calls": len(t.calls),
                "pi_calls_before_consent": len(self.before_consent()),
                "problems": t.problems,
            },
            "before_consent": self.before_consent(),
            "evidence": [e.model_dump(mode="json") for e in self.evidence if e.kind == TRACE_KIND],
            "results": [
                {
                    "check_id": r.check_id,
                    "status": r.status.value,
                    "severity": r.severity.value,
                    "message": r.message.model_dump(mode="json"),
                    "data": r.data,
                }
                for r in self.results
            ],
            "run_id": self.run_id,
        }


def scan_trace(path: Path, package: str, *, version: str | None = None, apk_path: Path | None = None) -> TraceScan:
    """Import `path` for app `package` and run the trace checks; `InputError` for an unusable file or APK."""
    evidence: list[Evidence] = []
    if apk_path is not None:
        from ganzhi.collect.apk.analyze import analyze_apk
        from ganzhi.collect.apk.reader import apk_evidence

        facts = analyze_apk(apk_path)
        if facts.static.package != package:
            raise InputError(str(apk_path), f"package is {facts.static.package!r}, expected {package!r} (--package)")
        static_ev = apk_evidence(facts)
        version = version or static_ev.subject.version
        evidence.append(static_ev)
    trace = import_trace(path, package, who=Attributor(default_index(), package))
    evidence.append(trace_evidence(trace, version=version))
    outcome = evaluate(evidence, check_ids=trace_check_ids(apk_path is not None))
    return TraceScan(trace=trace, evidence=evidence, results=outcome.results, run_id=outcome.run_id)
