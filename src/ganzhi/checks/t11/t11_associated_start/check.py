"""关联启动: hard-coded other-app targets and push wake-ups fail; user-chosen launches and <queries> warn.

A start made from a user's action (a click, menu or dialog handler) is not associated start: it is recorded
in a PASS note. Only background starts (receivers, services, Application start, alarms, push wake-ups) of a
hard-coded other app FAIL; a start whose trigger static analysis could not find is a WARN for a person to
check (never a FAIL on a guess); library code alone is recorded, not counted.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t11.apk_common import library_note, missing_analysis, owner_text, unless_packed
from ganzhi.evidence.apk import ApkStatic, AssociatedStart
from ganzhi.evidence.base import EvidenceSet

_HARD = frozenset({"explicit_intent", "foreign_service", "foreign_provider", "push_wakeup"})
_KIND_ZH = {
    "launch_intent": "获取其他APP启动入口（getLaunchIntentForPackage）",
    "explicit_intent": "显式Intent指向其他APP",
    "foreign_service": "启动/绑定其他APP的服务",
    "foreign_provider": "访问其他APP的ContentProvider",
    "push_wakeup": "推送SDK唤醒",
    "queries": "声明可见的其他APP（<queries>）",
}


def _allowed(target: str, allowed: list[str]) -> bool:
    return any(target == a or target.startswith(a + ".") for a in allowed)


def _outcome(item: AssociatedStart, targets: list[str]) -> Outcome:
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
    if item.kind in _HARD and (targets or item.kind == "push_wakeup") and background:
        return Outcome.failed(text_zh, text_en, **data)
    return Outcome.warned(text_zh + "，请核实是否用户主动触发", text_en + "; check it is user-initiated", **data)


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per associated-start signal not aimed only at allowed targets."""
    static = evidence.one(ApkStatic)
    missing = missing_analysis(static, "associated_start")
    if missing is not None:
        return [missing]
    allowed = params.strings("allowed_target_packages")
    outcomes: list[Outcome] = []
    user: list[dict[str, object]] = []
    library: list[dict[str, object]] = []
    for item in static.associated_start:
        targets = [t for t in item.targets if not _allowed(t, allowed)]
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
        elif item.trigger == "user":
            user.append({**site, "handler": item.trigger_detail, "targets": targets})
        else:
            outcomes.append(_outcome(item, targets))
    if not outcomes:
        outcomes.append(Outcome.passed("未发现关联启动其他APP的代码或声明", "no associated start of other apps found"))
    if user:
        outcomes.append(
            Outcome.passed(
                f"{len(user)}处拉起其他APP的代码由用户操作（点击、菜单、对话框）触发，不属于关联启动，仅记录",
                f"{len(user)} start(s) of other apps run from a user's action (click, menu, dialog): "
                "not associated start, recorded only",
                reason="USER_INITIATED",
                sites=user[:50],
            )
        )
    note = library_note(library, "拉起其他APP的调用", "cross-app start")
    if note is not None:
        outcomes.append(note)
    return unless_packed(static, outcomes, "关联启动", "associated-start")
