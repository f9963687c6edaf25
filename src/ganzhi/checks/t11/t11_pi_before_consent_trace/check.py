"""同意前收集（动态）: every PI API call a trace records before the consent time is a definite FAIL.

For a trace alone (no APK at hand, e.g. `ganzhi scan trace`). When the app also has `apk_static`
evidence, `t11_pi_before_consent` judges trace and static paths together and this check stands aside.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t11.apk_common import trace_outcomes
from ganzhi.evidence.apk import ApkStatic, ApkTrace
from ganzhi.evidence.base import EvidenceSet


def _clean(trace: ApkTrace) -> Outcome:
    return Outcome.passed(
        f"动态轨迹 {trace.source}：同意前未调用个人信息接口（共检查{len(trace.calls)}次调用）",
        f"dynamic trace {trace.source}: no PI API call before consent ({len(trace.calls)} calls checked)",
        basis="dynamic",
        api=None,
        owner=None,
        caller_class=None,
        trace=trace.source,
    )


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Judge every trace of the app; defer to `t11_pi_before_consent` when static evidence is there too."""
    if evidence.all(ApkStatic):
        return [
            Outcome.not_applicable(
                "已有静态分析证据，动态轨迹由“同意前调用个人信息接口”检查合并判定",
                "static evidence present: the trace is judged together with it by t11_pi_before_consent",
                basis="dynamic",
                api=None,
                owner=None,
                caller_class=None,
            )
        ]
    outcomes: list[Outcome] = []
    for trace in evidence.all(ApkTrace):
        found = trace_outcomes(trace)
        outcomes.extend(found or [_clean(trace)])
    return outcomes
