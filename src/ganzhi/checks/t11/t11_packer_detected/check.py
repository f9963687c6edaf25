"""加固: packed apps need dynamic evidence; ZIP tampering that defeats parsers is anti-inspection."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t11.apk_common import missing_analysis, unless_code_complete
from ganzhi.evidence.apk import ApkStatic, ApkTrace
from ganzhi.evidence.base import EvidenceSet


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL on tampering; MANUAL (or PASS with a trace) when packed; MANUAL when code was unreadable; else PASS."""
    static = evidence.one(ApkStatic)
    missing = missing_analysis(static, "packers")
    if missing is not None:
        return [missing]
    outcomes = []
    if static.anomalies:
        outcomes.append(
            Outcome.failed(
                f"APK结构被篡改以对抗解析：{'；'.join(static.anomalies[:5])}",
                f"the APK structure is tampered with to defeat parsers: {'; '.join(static.anomalies[:5])}",
                reason="TAMPERED_ARCHIVE",
                anomalies=static.anomalies[:20],
            )
        )
    if static.packers:
        names = [p.name for p in static.packers]
        data = {"packers": [p.model_dump(mode="json") for p in static.packers]}
        if evidence.all(ApkTrace):
            outcomes.append(
                Outcome.passed(
                    f"应用已加固（{'、'.join(names)}），已有动态轨迹补足静态分析",
                    f"packed ({', '.join(names)}), and a dynamic trace complements the static analysis",
                    reason="PACKED_WITH_TRACE",
                    **data,
                )
            )
        else:
            outcomes.append(
                Outcome.manual(
                    f"应用已加固（{'、'.join(names)}），静态分析结果不完整，需动态检测证据",
                    f"packed ({', '.join(names)}): static results are incomplete; dynamic evidence needed",
                    reason="PACKED_INCOMPLETE",
                    **data,
                )
            )
    elif not outcomes:
        outcomes.append(Outcome.passed("未检出加固或结构篡改", "no packer or tampering found", reason="CLEAN"))
    return unless_code_complete(static, outcomes, "加固检测", "packer detection")
