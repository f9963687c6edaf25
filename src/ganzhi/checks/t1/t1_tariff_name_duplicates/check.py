"""套餐名称避免歧义: two on-sale plans whose names are equal after normalisation, or nearly equal with the
same numbers, while their content differs, cannot be told apart by a user."""

from __future__ import annotations

from difflib import SequenceMatcher
from itertools import combinations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t1.tariff_common import content_key, digits_of, label, normalise_name
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.tariff import TariffCatalogue, TariffPlan


def _similar(a: str, b: str, threshold: float) -> float | None:
    """The similarity ratio of two normalised names when it reaches `threshold` (cheap bounds first)."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return None
    ratio = matcher.ratio()
    return ratio if ratio >= threshold else None


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One FAIL per conflicting pair (fingerprinted by both ids); one PASS when there is none."""
    catalogue = evidence.one(TariffCatalogue)
    threshold = params.number("name_similarity")
    plans = sorted((p for p in catalogue.plans if p.on_sale), key=lambda p: p.plan_id)
    keys = {p.plan_id: normalise_name(p.name) for p in plans}
    groups: dict[tuple[str, ...], list[TariffPlan]] = {}
    for plan in plans:  # equal or near-identical names with the same numbers: only compare within a group
        groups.setdefault(digits_of(plan.name), []).append(plan)
    outcomes: list[Outcome] = []
    for group in groups.values():
        for a, b in combinations(group, 2):
            ka, kb = keys[a.plan_id], keys[b.plan_id]
            same_content = content_key(a) == content_key(b)
            if ka == kb:
                outcomes.append(_conflict(a, b, 1.0, same_content, "duplicate"))
            elif not same_content and (ratio := _similar(ka, kb, threshold)) is not None:
                outcomes.append(_conflict(a, b, ratio, same_content, "near_identical"))
    outcomes.sort(key=lambda o: str(o.data["pair"]))
    if not outcomes:
        outcomes.append(Outcome.passed(
            f"{len(plans)}个在售方案名称互不重复，也无近似名称对应不同内容的情况。",
            f"The {len(plans)} on-sale plan names are distinct; no near-identical names for different content.",
            pair="none", plans=len(plans), similarity=threshold,
        ))  # fmt: skip
    return outcomes


def _conflict(a: TariffPlan, b: TariffPlan, ratio: float, same_content: bool, kind: str) -> Outcome:
    facts = {"pair": f"{a.plan_id}|{b.plan_id}", "kind": kind, "names": [a.name, b.name],
             "similarity": round(ratio, 3), "same_content": same_content}  # fmt: skip
    if kind == "duplicate":
        detail = "内容相同，重复公示" if same_content else "但资费内容不同"
        return Outcome.failed(
            f"{label(a)}与{label(b)}名称规范化后相同，{detail}。",
            f"{a.plan_id} and {b.plan_id} have the same name after normalisation"
            + ("" if same_content else " but different content") + ".",
            **facts,
        )
    return Outcome.failed(
        f"{label(a)}与{label(b)}名称几乎相同（相似度{ratio:.0%}），但资费内容不同，用户难以区分。",
        f"{a.plan_id} and {b.plan_id} have near-identical names ({ratio:.0%}) for different content.",
        **facts,
    )
