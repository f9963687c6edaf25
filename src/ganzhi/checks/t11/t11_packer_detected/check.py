"""加固: packed apps need dynamic evidence; ZIP tampering that defeats parsers is anti-inspection.

Build irregularities (a permission requested twice, implicit exports) are sloppy builds, not
anti-analysis: they never FAIL. They are noted on the PASS; only one that stops the APK from
installing at all matters for analysis (a dynamic test cannot run it) and gives a WARN.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t11.apk_common import missing_analysis, unless_code_complete
from ganzhi.evidence.apk import ApkStatic, ApkTrace
from ganzhi.evidence.base import EvidenceSet

#: From this targetSdk on, Android refuses to install an APK whose component has intent filters but no
#: android:exported (platform rule since Android 12, not a threshold of ours).
IMPLICIT_EXPORT_MIN_TARGET = 31
_SHOWN = 5


def not_installable(static: ApkStatic) -> list[str]:
    """Components that make Android refuse the install: intent filters without android:exported at targetSdk ≥ 31
    (the manifest reader's rule; providers are exempt)."""
    target = static.target_sdk or static.min_sdk or 1
    if target < IMPLICIT_EXPORT_MIN_TARGET:
        return []
    return [
        c.name for c in static.components if c.kind != "provider" and c.intent_filters and c.exported_declared is None
    ]


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL on tampering; MANUAL (or PASS with a trace) when packed; MANUAL when code was unreadable; else PASS.

    Irregularities ride on the PASS as a note; WARN when one of them keeps the APK from installing."""
    static = evidence.one(ApkStatic)
    missing = missing_analysis(static, "packers")
    if missing is not None:
        return [missing]
    outcomes = []
    if static.anomalies:
        outcomes.append(
            Outcome.failed(
                f"APK结构被篡改以对抗解析：{'；'.join(static.anomalies[:_SHOWN])}",
                f"the APK structure is tampered with to defeat parsers: {'; '.join(static.anomalies[:_SHOWN])}",
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
        outcomes.append(_clean(static))
    blocked = not_installable(static)
    if blocked:
        shown = blocked[:_SHOWN]
        outcomes.append(
            Outcome.warned(
                f"构建不规范导致无法安装（非对抗手段）：{len(blocked)}个组件声明了intent-filter但未声明android:exported"
                f"（targetSdk≥{IMPLICIT_EXPORT_MIN_TARGET}），如{'、'.join(shown)}；动态检测无法运行该APK",
                f"a build irregularity (not anti-analysis) keeps the APK from installing: {len(blocked)} component(s) "
                f"with intent filters but no android:exported at targetSdk ≥ {IMPLICIT_EXPORT_MIN_TARGET}, e.g. "
                f"{', '.join(shown)}; a dynamic test cannot run this APK",
                reason="NOT_INSTALLABLE",
                components=blocked[:20],
            )
        )
    return unless_code_complete(static, outcomes, "加固检测", "packer detection")


def _clean(static: ApkStatic) -> Outcome:
    """The PASS, noting build irregularities (they are not tampering) when there are any."""
    found = static.irregularities
    if not found:
        return Outcome.passed("未检出加固或结构篡改", "no packer or tampering found", reason="CLEAN")
    return Outcome.passed(
        f"未检出加固或结构篡改；另有{len(found)}处构建不规范（非对抗解析手段）：{'；'.join(found[:_SHOWN])}",
        f"no packer or tampering found; {len(found)} build irregularit{'y' if len(found) == 1 else 'ies'} "
        f"(not anti-analysis): {'; '.join(found[:_SHOWN])}",
        reason="CLEAN",
        irregularities=found[:20],
    )
