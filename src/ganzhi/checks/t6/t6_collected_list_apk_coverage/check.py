"""T6.list.covers-apk: every PI category the APK reaches (permissions, API calls) is on the collected list."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.pi_lists import AppPiFacts, PiList


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One FAIL per PI category reached by the APK but absent from the collected list (with what reaches it)."""
    facts = evidence.one(AppPiFacts)
    lists = [x for x in evidence.all(PiList) if x.kind == "collected"]
    if not lists:
        return [
            Outcome.failed(
                "未提供已收集个人信息清单，无法核对APP实际收集的信息",
                "No collected-PI list supplied to compare with the APK",
                reason="NO_LIST",
                category="*",
            )
        ]
    listed = {c for x in lists for r in x.rows for c in r.pi_categories}
    out: list[Outcome] = []
    for category in sorted(facts.categories() - listed):
        via = sorted({s.via for s in facts.sources if s.category == category})
        out.append(
            Outcome.failed(
                f"APP可收集“{category}”类个人信息（{'、'.join(via[:3])}），清单未列出",
                f"The APK reaches PI category {category!r} via {via[:3]} but the list omits it",
                reason="NOT_LISTED",
                category=category,
                via=via[:10],
            )
        )
    if not out:
        out.append(
            Outcome.passed(
                "APP可收集的个人信息类别均已列入清单", "Every PI category the APK reaches is on the list", category="*"
            )
        )
    return out
