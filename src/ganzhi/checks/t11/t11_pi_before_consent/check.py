"""同意前收集: dynamic trace calls before consent fail; static pre-UI reachability warns with the path."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t11.apk_common import missing_analysis, owner_text, trace_outcomes, unless_packed
from ganzhi.evidence.apk import ApkStatic, ApkTrace, PreConsentCall
from ganzhi.evidence.base import EvidenceSet

_ENTRY_ZH = {
    "application": "Application初始化",
    "provider": "ContentProvider初始化",
    "boot_receiver": "开机广播",
    "launcher_activity": "启动页onCreate",
}


def _static_outcome(item: PreConsentCall) -> Outcome:
    zh, en = owner_text(item.owner)
    path = " → ".join(item.path[-6:])
    return Outcome.warned(
        f"{zh}：{_ENTRY_ZH[item.entry_kind]}即可到达 {item.api}（{item.pi_category}），"
        f"存在同意前收集风险；调用路径 {path}",
        f"{en}: {item.api} ({item.pi_category}) is reachable from {item.entry_kind.replace('_', ' ')} "
        f"before any UI; path {path}",
        basis="static",
        api=item.api,
        owner=item.owner,
        caller_class=item.caller_class,
        sdk_id=item.sdk_id,
        pi_category=item.pi_category,
        entry=item.entry,
        path=item.path,
    )


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL per (API, owner) called before consent in a trace; WARN per static pre-UI path."""
    static = evidence.one(ApkStatic)
    outcomes: list[Outcome] = []
    for trace in evidence.all(ApkTrace):
        outcomes.extend(trace_outcomes(trace))
    missing = missing_analysis(static, "pre_consent")
    if missing is not None:
        return outcomes or [missing]
    outcomes.extend(_static_outcome(item) for item in static.pre_consent)
    if not outcomes:
        traced = bool(evidence.all(ApkTrace))
        outcomes.append(
            Outcome.passed(
                "未发现同意前调用个人信息接口" + ("（含动态轨迹）" if traced else "（静态分析）"),
                "no PI API call before consent found" + (" (including dynamic traces)" if traced else " (static)"),
            )
        )
    if evidence.all(ApkTrace):
        return outcomes  # dynamic evidence covers what packing hides from static analysis
    return unless_packed(static, outcomes, "同意前调用", "before-consent")
