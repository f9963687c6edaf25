"""调用敏感权限时同步告知目的: while the system permission dialog is up, the app's own text names the
permission and a purpose in the same screen (within the configured delay), or a rationale immediately
before it (within the lead time) when the campaign accepts that.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.ui import NoticeFacts, PermissionRequestFacts, UiEpisode


def _judge(request: PermissionRequestFacts, params: Params, key: dict[str, object]) -> Outcome:
    cls = request.permission_class
    delay_ms = params.number("max_notice_delay_s") * 1000
    lead_ms = params.number("max_rationale_lead_s") * 1000

    def full(notice: NoticeFacts) -> bool:
        return cls in notice.classes and notice.purpose_cue

    same = [n for n in request.notices if n.same_screen]
    before = [n for n in request.notices if not n.same_screen and -n.offset_ms <= lead_ms]
    timely = [n for n in same if full(n) and n.offset_ms <= delay_ms]
    if timely:
        return Outcome.passed(
            f"系统弹窗同屏告知{cls}权限用途",
            f"purpose of {cls} shown with the dialog",
            **key,
            notice=timely[0].text,
            offset_ms=timely[0].offset_ms,
        )
    preceding = [n for n in before if full(n)]
    if preceding:
        facts = {**key, "notice": preceding[0].text, "offset_ms": preceding[0].offset_ms}
        if params.get("accept_preceding_rationale") is True:
            return Outcome.passed(
                f"系统弹窗前已告知{cls}权限用途（预先告知）",
                f"purpose of {cls} shown just before the dialog",
                **facts,
                note="preceding",
            )
        return Outcome.failed("仅在系统弹窗之前告知用途，未同步告知", "purpose shown only before the dialog", **facts)
    late = [n for n in same if full(n)]
    if late:
        return Outcome.warned(
            f"用途说明晚于系统弹窗{late[0].offset_ms}毫秒出现",
            f"purpose shown {late[0].offset_ms} ms late",
            **key,
            notice=late[0].text,
            offset_ms=late[0].offset_ms,
        )
    partial = [n for n in [*same, *before] if cls in n.classes or n.purpose_cue]
    if partial:
        return Outcome.warned(
            "有说明文字但未同时写明该权限及其用途",
            "a notice exists but lacks the permission or the purpose",
            **key,
            notice=partial[0].text,
            classes=partial[0].classes,
        )
    return Outcome.failed(f"申请{cls}权限时未同步告知用途", f"no purpose shown when {cls} was requested", **key)


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Per system permission dialog of a sensitive class: was the purpose shown with it?"""
    sensitive = set(params.strings("required_permission_classes")) | set(params.strings("extended_permission_classes"))
    outcomes: list[Outcome] = []
    for episode in evidence.all(UiEpisode):
        for request in episode.permission_requests:
            key: dict[str, object] = {
                "permission_class": request.permission_class or "unknown",
                "bundle": episode.bundle,
                "start_ms": request.start_ms,
            }
            if request.permission_class is None:
                outcomes.append(
                    Outcome.manual(
                        "无法识别系统弹窗申请的权限",
                        "cannot tell which permission the dialog asks for",
                        **key,
                        dialog_text=request.dialog_text,
                    )
                )
            elif request.permission_class not in sensitive:
                outcomes.append(
                    Outcome.not_applicable(
                        f"{request.permission_class}不在敏感权限范围内", "not a sensitive permission class", **key
                    )
                )
            else:
                outcomes.append(_judge(request, params, key))
    if not outcomes:
        return [
            Outcome.not_applicable(
                "采集中没有系统权限弹窗", "no system permission dialog in the capture", permission_class="none"
            )
        ]
    return outcomes
