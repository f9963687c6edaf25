"""同意前收集: dynamic trace calls before consent fail; static pre-UI reachability warns with the path."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t11.apk_common import missing_analysis, owner_text, unless_packed
from ganzhi.evidence.apk import ApkStatic, ApkTrace, PreConsentCall, TraceCall
from ganzhi.evidence.base import EvidenceSet

_ENTRY_ZH = {
    "application": "Application初始化",
    "provider": "ContentProvider初始化",
    "boot_receiver": "开机广播",
    "launcher_activity": "启动页onCreate",
}


def _trace_outcomes(trace: ApkTrace) -> list[Outcome]:
    if trace.consent_at is None:
        return [
            Outcome.manual(
                f"动态轨迹 {trace.source} 未记录同意时间，无法判定调用先后",
                f"dynamic trace {trace.source} records no consent time; cannot order the calls",
                basis="dynamic",
                api=None,
                owner=None,
                caller_class=None,
                reason="NO_CONSENT_TIME",
            )
        ]
    first: dict[tuple[str, str], TraceCall] = {}
    counts: dict[tuple[str, str], int] = {}
    for call in trace.calls:
        if call.before_consent and call.pi_category:
            key = (call.api, call.owner)
            first.setdefault(key, call)
            counts[key] = counts.get(key, 0) + 1
    out = []
    for (api, owner), call in first.items():
        zh, en = owner_text(owner)
        seconds = (trace.consent_at - call.at).total_seconds()
        out.append(
            Outcome.failed(
                f"{zh}在用户同意前{seconds:.1f}秒调用 {api}（{call.pi_category}），共{counts[(api, owner)]}次",
                f"{en} called {api} ({call.pi_category}) {seconds:.1f} s before consent, "
                f"{counts[(api, owner)]} time(s)",
                basis="dynamic",
                api=api,
                owner=owner,
                caller_class=call.stack[0] if call.stack else None,
                sdk_id=call.sdk_id,
                pi_category=call.pi_category,
                first_at=call.at.isoformat(),
                consent_at=trace.consent_at.isoformat(),
                stack=call.stack[:12],
                trace=trace.source,
            )
        )
    return out


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
        outcomes.extend(_trace_outcomes(trace))
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
