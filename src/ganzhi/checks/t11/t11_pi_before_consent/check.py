"""同意前收集: dynamic trace calls before consent fail; static pre-UI reachability warns with the path.

A static path counts only when the app can use the API (it declares a permission that guards it) and the
call is the app's or an SDK's doing (library code on its own is recorded, not counted).
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t11.apk_common import library_note, missing_analysis, owner_text, trace_outcomes, unless_packed
from ganzhi.evidence.apk import ApkStatic, ApkTrace, PreConsentCall
from ganzhi.evidence.base import EvidenceSet

_ENTRY_ZH = {
    "application": "Application初始化",
    "provider": "ContentProvider初始化",
    "boot_receiver": "开机广播",
    "launcher_activity": "启动页onCreate",
}
#: Path steps a message shows (the outcome data keeps the whole path).
_PATH_SHOWN = 6


def _static_outcome(item: PreConsentCall) -> Outcome:
    zh, en = owner_text(item.owner)
    path = " → ".join(item.path[-_PATH_SHOWN:])
    via_zh = f"（经{item.via_library}）" if item.via_library else ""
    via_en = f" (through {item.via_library})" if item.via_library else ""
    return Outcome.warned(
        f"{zh}{via_zh}：{_ENTRY_ZH[item.entry_kind]}即可到达 {item.api}（{item.pi_category}），"
        f"存在同意前收集风险；调用路径 {path}",
        f"{en}{via_en}: {item.api} ({item.pi_category}) is reachable from {item.entry_kind.replace('_', ' ')} "
        f"before any UI; path {path}",
        basis="static",
        api=item.api,
        owner=item.owner,
        caller_class=item.caller_class,
        sdk_id=item.sdk_id,
        origin=item.origin,
        via_library=item.via_library,
        pi_category=item.pi_category,
        entry=item.entry,
        path=item.path,
        permissions=item.permissions,
    )


def _unreachable(items: list[PreConsentCall]) -> Outcome | None:
    if not items:
        return None
    apis = sorted({i.api for i in items})
    perms = sorted({p for i in items for p in i.permissions})
    return Outcome.passed(
        f"{len(items)}条同意前路径到达的接口需要应用未声明的权限（{'、'.join(perms)}），无法获取数据，记为不可达",
        f"{len(items)} pre-UI path(s) reach APIs guarded by permissions the app does not declare "
        f"({', '.join(perms)}): they cannot return data (unreachable)",
        reason="UNREACHABLE",
        apis=apis,
        permissions=perms,
        paths=[{"entry": i.entry, "api": i.api, "owner": i.owner, "path": i.path} for i in items[:50]],
    )


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL per (API, owner) called before consent in a trace; WARN per counted static pre-UI path."""
    static = evidence.one(ApkStatic)
    outcomes: list[Outcome] = []
    for trace in evidence.all(ApkTrace):
        outcomes.extend(trace_outcomes(trace))
    missing = missing_analysis(static, "pre_consent")
    if missing is not None:
        return outcomes or [missing]
    unreachable = [i for i in static.pre_consent if not i.reachable]
    library = [i for i in static.pre_consent if i.reachable and i.origin == "library"]
    outcomes.extend(_static_outcome(i) for i in static.pre_consent if i.reachable and i.origin != "library")
    notes = [
        _unreachable(unreachable),
        library_note(
            [{"owner": i.owner, "api": i.api, "entry": i.entry, "path": i.path} for i in library],
            "同意前可达的个人信息接口调用",
            "pre-UI PI API",
        ),
    ]
    if not outcomes:
        traced = bool(evidence.all(ApkTrace))
        outcomes.append(
            Outcome.passed(
                "未发现同意前调用个人信息接口" + ("（含动态轨迹）" if traced else "（静态分析）"),
                "no PI API call before consent found" + (" (including dynamic traces)" if traced else " (static)"),
            )
        )
    outcomes.extend(n for n in notes if n is not None)
    if evidence.all(ApkTrace):
        return outcomes  # dynamic evidence covers what packing hides from static analysis
    return unless_packed(static, outcomes, "同意前调用", "before-consent")
