"""T6.list.covers-apk: every PI category the APK reaches (permissions, API calls) is on the collected list."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.lists_supplied import missing_list
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.pi_lists import AppPiFacts, PiList
from ganzhi.rules.policy.consistency import uncovered_sources


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL per PI category the APK demonstrably reaches but the list omits; MANUAL when only a normal
    permission suggests it (the app may not collect it at all)."""
    facts = evidence.one(AppPiFacts)
    missing = missing_list(evidence, "collected", category="*")
    if missing is not None:
        return [missing]
    lists = [x for x in evidence.all(PiList) if x.kind == "collected"]
    listed = {c for x in lists for r in x.rows for c in r.pi_categories}
    indicative = set(params.strings("indicative_permissions"))
    out: list[Outcome] = []
    for category, definite, weak in uncovered_sources(facts, listed, indicative):
        if definite:
            out.append(
                Outcome.failed(
                    f"APP可收集“{category}”类个人信息（{'、'.join(definite[:3])}），清单未列出",
                    f"The APK reaches PI category {category!r} via {definite[:3]} but the list omits it",
                    reason="NOT_LISTED",
                    category=category,
                    via=definite[:10],
                )
            )
        else:
            out.append(
                Outcome.manual(
                    f"APP申请了普通权限{'、'.join(weak[:3])}，可能获取“{category}”类信息，清单未列出；仅凭权限无法判断"
                    "是否实际收集，需要接口调用记录或动态检测结果",
                    f"The APK holds normal permission(s) {weak[:3]} that may reach {category!r}, which the list "
                    "omits; the permission alone cannot tell whether it is collected — needs API-call or runtime "
                    "evidence",
                    needs="接口调用记录或动态检测结果 / API-call or runtime evidence",
                    reason="POSSIBLY_NOT_LISTED",
                    category=category,
                    via=weak[:10],
                )
            )
    if not out:
        out.append(
            Outcome.passed(
                "APP可收集的个人信息类别均已列入清单", "Every PI category the APK reaches is on the list", category="*"
            )
        )
    return out
