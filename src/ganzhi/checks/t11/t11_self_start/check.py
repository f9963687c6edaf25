"""自启动: SDK receivers for the configured system broadcasts fail; the app's own and other signals warn.

The rule forbids self-start *without a reasonable scenario*. An SDK woken by the system (a push SDK's boot
receiver) serves no function of the app the user chose, so it FAILs; the app's own boot receiver may serve
one (an alarm clock, a Bluetooth or VPN tool), which static analysis cannot judge, so it is a WARN to review.

A receiver fails only for the broadcasts a current Android still delivers to manifest receivers of the
app's targetSdk (`rules.android.broadcasts`): a CONNECTIVITY_CHANGE receiver of an app targeting API 24+,
or a USER_PRESENT one targeting 26+, is never started by the system on Android 8 and later, so it is a
WARN naming the older systems where it still would be.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t11.apk_common import library_note, missing_analysis, owner_text, unless_packed
from ganzhi.evidence.apk import ApkStatic, SelfStart
from ganzhi.evidence.base import EvidenceSet
from ganzhi.rules.android.broadcasts import reaches_manifest_receiver, release, stopped_at

_KIND_ZH = {
    "job_service": "JobService",
    "sync_adapter": "同步适配器（保活）",
    "account_authenticator": "账户认证服务（保活）",
    "scheduler_call": "定时/任务调度调用",
    "sticky_service": "START_STICKY粘性服务",
}


def _facts(item: SelfStart, actions: list[str]) -> dict[str, object]:
    """The data of a receiver outcome (`kind`, `component` and `api` fingerprint it)."""
    return {
        "kind": item.kind,
        "component": item.component,
        "api": None,
        "actions": actions,
        "owner": item.owner,
        "sdk_id": item.sdk_id,
        "triggers": item.triggers,
    }


def _receiver(item: SelfStart, actions: list[str]) -> Outcome:
    zh, en = owner_text(item.owner)
    text_zh = f"{zh}的广播接收器 {item.component} 监听系统事件 {', '.join(actions)}，可被系统拉起（自启动）"
    text_en = f"{en}: receiver {item.component} listens for {', '.join(actions)} and can be started by the system"
    if item.owner != "app":  # an SDK's receiver (library-only sites never reach here)
        return Outcome.failed(text_zh, text_en, **_facts(item, actions))
    return Outcome.warned(
        text_zh + "；是否有合理使用场景（闹钟、蓝牙、VPN等功能）需结合应用功能核实",
        text_en + "; whether the app's function gives a reasonable scenario (alarm, Bluetooth, VPN…) needs review",
        **_facts(item, actions),
        reason="SCENARIO_TO_REVIEW",
    )


def _undelivered(item: SelfStart, actions: list[str], target_sdk: int | None) -> Outcome:
    zh, en = owner_text(item.owner)
    version = release(min((stopped_at(a) or 0) for a in actions))
    return Outcome.warned(
        f"{zh}的广播接收器 {item.component} 监听 {', '.join(actions)}，但targetSdk为{target_sdk}，"
        f"Android {version}及以上系统不再向静态注册的接收器投递这些广播；仅在更早的系统上可被拉起，请核实",
        f"{en}: receiver {item.component} listens for {', '.join(actions)}, which Android {version}+ no longer "
        f"delivers to manifest receivers of an app targeting {target_sdk}; it can start the app only on older systems",
        **_facts(item, actions),
        reason="NOT_DELIVERED_ON_CURRENT_ANDROID",
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
            delivered = [a for a in actions if reaches_manifest_receiver(a, static.target_sdk)]
            if delivered:
                outcomes.append(_receiver(item, delivered))
            elif actions:
                outcomes.append(_undelivered(item, actions, static.target_sdk))
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
