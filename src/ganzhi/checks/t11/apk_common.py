"""Shared rules of the APK-based T11 checks: a packed app, unreadable code or a missing analysis never gives a
clean PASS."""

from __future__ import annotations

from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.apk import ApkStatic, ApkTrace, TraceCall
from ganzhi.evidence.status import Status


def missing_analysis(static: ApkStatic, name: str) -> Outcome | None:
    """MANUAL when the evidence was collected without the analysis `name` (empty lists would mean nothing)."""
    if name in static.analyses:
        return None
    return Outcome.manual(
        f"APK证据未包含“{name}”分析结果，请用 ganzhi scan apk 重新采集",
        f"the APK evidence lacks the '{name}' analysis; re-collect it with `ganzhi scan apk`",
        reason="ANALYSIS_MISSING",
        analysis=name,
    )


def packer_names(static: ApkStatic) -> list[str]:
    """Names of the packers found (empty when the app is not packed)."""
    return [p.name for p in static.packers]


#: How many unreadable entry names a message lists (the outcome data lists them all).
_NAMES_SHOWN = 5


def unless_code_complete(static: ApkStatic, outcomes: list[Outcome], what_zh: str, what_en: str) -> list[Outcome]:
    """Turn PASS outcomes into MANUAL when some code entry (DEX, .so) could not be read: the absence of a
    finding then means nothing. FAIL/WARN/MANUAL outcomes from the code that was read stay."""
    if static.code_complete:
        return outcomes
    names = static.unreadable_code
    shown = "、".join(names[:_NAMES_SHOWN]), ", ".join(names[:_NAMES_SHOWN])
    more = ("等", " and others") if len(names) > _NAMES_SHOWN else ("", "")
    out = [o for o in outcomes if o.status is not Status.PASS]
    out.append(
        Outcome.manual(
            f"{len(names)}个代码文件无法读取（{shown[0]}{more[0]}），静态{what_zh}结果不完整，需人工或动态检测补充",
            f"{len(names)} code file(s) could not be read ({shown[1]}{more[1]}): static {what_en} results are "
            "incomplete; manual or dynamic testing needed",
            reason="CODE_UNREADABLE",
            unreadable_code=list(names),
        )
    )
    return out


def unless_packed(static: ApkStatic, outcomes: list[Outcome], what_zh: str, what_en: str) -> list[Outcome]:
    """Turn PASS outcomes into MANUAL when the app is packed (the DEX we read is not the real code) or when
    some code could not be read (`unless_code_complete`)."""
    outcomes = unless_code_complete(static, outcomes, what_zh, what_en)
    packers = packer_names(static)
    if not packers:
        return outcomes
    out = [o for o in outcomes if o.status is not Status.PASS]
    out.append(
        Outcome.manual(
            f"应用已加固（{'、'.join(packers)}），静态{what_zh}结果不完整，需动态检测补充",
            f"the app is packed ({', '.join(packers)}): static {what_en} results are incomplete; "
            "dynamic testing needed",
            reason="PACKED_INCOMPLETE",
            packers=packers,
        )
    )
    return out


def owner_text(owner: str) -> tuple[str, str]:
    """How an owner reads in a message (zh, en)."""
    return ("应用自身", "the app itself") if owner == "app" else (f"SDK {owner}", f"SDK {owner}")


def trace_outcomes(trace: ApkTrace) -> list[Outcome]:
    """FAIL per (API, owner) a trace records before consent; MANUAL when it has no consent time."""
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


#: How many sites a library note lists in its data (the evidence keeps them all).
_LIBRARY_SITES_SHOWN = 50


def library_note(sites: list[dict[str, object]], what_zh: str, what_en: str) -> Outcome | None:
    """One PASS outcome recording sites in platform/support library code (AndroidX …) that no app or SDK code
    asked for: reported, never counted against the app on their own. None when there are none."""
    if not sites:
        return None
    labels = sorted({str(s.get("owner")) for s in sites})
    return Outcome.passed(
        f"平台/支持库代码（{'、'.join(labels)}）中有{len(sites)}处{what_zh}，未经应用或SDK代码触发，仅记录、不计入",
        f"{len(sites)} {what_en} site(s) in platform/support library code ({', '.join(labels)}) that no app or SDK "
        "code asked for: recorded, not counted",
        reason="LIBRARY_ONLY",
        libraries=labels,
        sites=sites[:_LIBRARY_SITES_SHOWN],
    )
