"""自启动: receivers for the configured system broadcasts fail; other self-start signals warn."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t11.apk_common import library_note, missing_analysis, owner_text, unless_packed
from ganzhi.evidence.apk import ApkStatic, SelfStart
from ganzhi.evidence.base import EvidenceSet

_KIND_ZH = {
    "job_service": "JobService",
    "sync_adapter": "同步适配器（保活）",
    "account_authenticator": "账户认证服务（保活）",
    "scheduler_call": "定时/任务调度调用",
    "sticky_service": "START_STICKY粘性服务",
}


def _receiver(item: SelfStart, actions: list[str]) -> Outcome:
    zh, en = owner_text(item.owner)
    return Outcome.failed(
        f"{zh}的广播接收器 {item.component} 监听系统事件 {', '.join(actions)}，可被系统拉起（自启动）",
        f"{en}: receiver {item.component} listens for {', '.join(actions)} and can be started by the system",
        kind=item.kind,
        component=item.component,
        api=None,
        actions=actions,
        owner=item.owner,
        sdk_id=item.sdk_id,
        triggers=item.triggers,
    )


def _other(item: SelfStart) -> Outcome:
    zh, en = owner_text(item.owner)
    where = f"{item.component}.{item.caller_method}" if item.caller_method else item.component
    api_zh = f"（{item.api}）" if item.api else ""
    api_en = f" ({item.api})" if item.api else ""
    trig = f"（触发：{'、'.join(item.triggers)}）" if item.triggers else ""
    trig_en = f" (trigger: {', '.join(item.triggers)})" if item.triggers else ""
    return Outcome.warned(
        f"{zh}存在{_KIND_ZH.get(item.kind, item.kind)}{trig}：{where}{api_zh}，请核实使用场景",
        f"{en} has a {item.kind.replace('_', ' ')}{trig_en}: {where}{api_en}; check the scenario",
        kind=item.kind,
        component=item.component,
        api=item.api,
        owner=item.owner,
        sdk_id=item.sdk_id,
        triggers=item.triggers,
    )


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per self-start signal; PASS (or MANUAL when packed) when there is none."""
    static = evidence.one(ApkStatic)
    missing = missing_analysis(static, "self_start")
    if missing is not None:
        return [missing]
    watched = set(params.strings("self_start_actions"))
    outcomes: list[Outcome] = []
    library: list[dict[str, object]] = []
    for item in static.self_start:
        if item.origin == "library":
            site = {"owner": item.owner, "kind": item.kind, "component": item.component, "api": item.api}
            library.append({**site, "triggers": item.triggers})
        elif item.kind == "system_event_receiver":
            actions = [a for a in item.actions if a in watched]
            if actions:
                outcomes.append(_receiver(item, actions))
        else:
            outcomes.append(_other(item))
    if not outcomes:
        outcomes.append(
            Outcome.passed(
                "未发现监听系统事件的广播接收器、定时调度或粘性服务",
                "no system-event receivers, scheduled work or sticky services found",
            )
        )
    note = library_note(library, "自启动信号", "self-start")
    if note is not None:
        outcomes.append(note)
    return unless_packed(static, outcomes, "自启动", "self-start")
