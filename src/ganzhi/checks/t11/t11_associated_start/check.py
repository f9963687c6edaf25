"""关联启动: background starts of another app FAIL; what may be one is a WARN; the rest is recorded.

A static reader sees the const-strings of the method that builds an intent, so every target is classified
first (`rules.android.targets`): the app's own code, the phone's platform services (a catalog param: Google
Play services, HMS Core, the vendors' system push channels), strings that are no package at all (actions,
extra keys) and other apps. Only a background start (receiver, service, Application start, alarm, push
wake-up) whose targets include another app's package FAILs. A start made from a user's action (a click,
menu or dialog handler) is not associated start; a start aimed only at the app itself or the platform is
not either: both are recorded in PASS notes. A start whose trigger static analysis could not find, or whose
target only may be another app, is a WARN for a person to check (never a FAIL on a guess); library code
alone is recorded, not counted.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t11.apk_common import library_note, missing_analysis, owner_text, unless_packed
from ganzhi.evidence.apk import ApkStatic, AssociatedStart
from ganzhi.evidence.base import EvidenceSet
from ganzhi.rules.android.targets import AppCode, TargetKind, classify_all, under

_HARD = frozenset({"explicit_intent", "foreign_service", "foreign_provider", "push_wakeup"})
_KIND_ZH = {
    "launch_intent": "获取其他APP启动入口（getLaunchIntentForPackage）",
    "explicit_intent": "显式Intent指向其他APP",
    "foreign_service": "启动/绑定其他APP的服务",
    "foreign_provider": "访问其他APP的ContentProvider",
    "push_wakeup": "推送SDK唤醒",
    "queries": "声明可见的其他APP（<queries>）",
}
_NOTES_SHOWN = 50


def _outcome(item: AssociatedStart, targets: list[str], firm: bool) -> Outcome:
    zh, en = owner_text(item.owner)
    where = f"{item.caller_class}.{item.caller_method}" if item.caller_method else item.caller_class
    shown = "、".join(targets[:10]) or "（运行时决定）"
    data = {
        "kind": item.kind,
        "caller_class": item.caller_class,
        "api": item.api,
        "targets": targets,
        "owner": item.owner,
        "sdk_id": item.sdk_id,
        "trigger": item.trigger,
        "trigger_detail": item.trigger_detail,
    }
    trigger_zh = {"background": "后台触发", "unknown": "未能确认由用户触发", "user": "用户触发"}[item.trigger]
    text_zh = f"{zh}{_KIND_ZH[item.kind]}（{trigger_zh}）：{where}，目标 {shown}"
    text_en = (
        f"{en}: {item.kind.replace('_', ' ')} ({item.trigger} trigger) at {where}, "
        f"targets {', '.join(targets[:10]) or '(chosen at run time)'}"
    )
    background = item.trigger == "background" or item.kind == "push_wakeup"
    if item.kind in _HARD and firm and background:
        return Outcome.failed(text_zh, text_en, **data)
    if not firm and targets:
        return Outcome.warned(
            text_zh + "，目标字符串可能不是其他APP，请核实",
            text_en + "; the target strings may not be another app: check",
            **data,
        )
    return Outcome.warned(text_zh + "，请核实是否用户主动触发", text_en + "; check it is user-initiated", **data)


def _push_targets(item: AssociatedStart, platform: list[str]) -> dict[TargetKind, list[str]]:
    """A push wake-up's targets are actions: the platform's own push channels are not another app."""
    out: dict[TargetKind, list[str]] = {}
    for action in item.targets:
        kind: TargetKind = "platform" if under(action, platform) else "other_app"
        out.setdefault(kind, []).append(action)
    return out


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per start that may reach another app; PASS notes for user-initiated and own/platform ones."""
    static = evidence.one(ApkStatic)
    missing = missing_analysis(static, "associated_start")
    if missing is not None:
        return [missing]
    allowed = params.strings("allowed_target_packages")
    platform = params.strings("platform_packages")
    app = AppCode.of(static.package, static.packages)
    outcomes: list[Outcome] = []
    user: list[dict[str, object]] = []
    inward: list[dict[str, object]] = []
    library: list[dict[str, object]] = []
    for item in static.associated_start:
        targets = [t for t in item.targets if not under(t, allowed)]
        if item.targets and not targets and item.kind != "push_wakeup":
            continue  # every target is an allowed scenario (payment, sharing...)
        site: dict[str, object] = {
            "owner": item.owner,
            "kind": item.kind,
            "caller_class": item.caller_class,
            "api": item.api,
        }
        if item.origin == "library":
            library.append(site)
            continue
        if item.kind == "queries":
            outcomes.append(_outcome(item, targets, firm=False))
            continue
        kinds = _push_targets(item, platform) if item.kind == "push_wakeup" else classify_all(targets, app, platform)
        others = kinds.get("other_app", []) + kinds.get("maybe_other_app", [])
        if targets and not others:
            inward.append({**site, "targets": targets[:10]})
        elif item.trigger == "user":
            user.append({**site, "handler": item.trigger_detail, "targets": others})
        else:
            firm = bool(kinds.get("other_app")) or (item.kind == "push_wakeup" and not item.targets)
            outcomes.append(_outcome(item, others or targets, firm))
    if not outcomes:
        outcomes.append(Outcome.passed("未发现关联启动其他APP的代码或声明", "no associated start of other apps found"))
    if user:
        outcomes.append(
            Outcome.passed(
                f"{len(user)}处拉起其他APP的代码由用户操作（点击、菜单、对话框）触发，不属于关联启动，仅记录",
                f"{len(user)} start(s) of other apps run from a user's action (click, menu, dialog): "
                "not associated start, recorded only",
                reason="USER_INITIATED",
                sites=user[:_NOTES_SHOWN],
            )
        )
    if inward:
        outcomes.append(
            Outcome.passed(
                f"{len(inward)}处启动只指向应用自身组件、系统平台服务（推送通道、账号服务）或非包名字符串，"
                "不属于关联启动其他APP，仅记录",
                f"{len(inward)} start(s) aimed only at the app's own components, platform services (push channels, "
                "account services) or strings that are no package: not associated start, recorded only",
                reason="OWN_OR_PLATFORM",
                sites=inward[:_NOTES_SHOWN],
            )
        )
    note = library_note(library, "拉起其他APP的调用", "cross-app start")
    if note is not None:
        outcomes.append(note)
    return unless_packed(static, outcomes, "关联启动", "associated-start")
