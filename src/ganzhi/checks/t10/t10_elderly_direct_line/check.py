"""老年用户一键呼入人工: for operators, callers aged `min_age`+ reach a human without any menu key."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.hotline import DialTests, HotlineListing


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """NOT_APPLICABLE for internet companies; FAIL when an elderly test needed keys or missed a human."""
    listing = evidence.one(HotlineListing)
    if listing.enterprise_type != "basic_telecom_operator":
        return [Outcome.not_applicable("仅适用于基础电信企业热线", "applies to operators' hotlines only")]
    min_age = params.number("min_age")
    tests = evidence.maybe(DialTests)
    elderly = [a for a in (tests.attempts if tests else []) if a.caller_age is not None and a.caller_age >= min_age]
    if not elderly:
        if listing.elderly_direct_line is False:
            return [
                Outcome.failed(
                    "企业登记未提供老年用户直连人工",
                    "the operator declares no direct line for elderly callers",
                    declared=False,
                )
            ]
        return [
            Outcome.manual(
                f"没有{min_age:g}岁以上主叫的拨测，需补测",
                f"no dial test by a caller aged {min_age:g}+",
                declared=listing.elderly_direct_line,
            )
        ]
    bad = [a for a in elderly if a.outcome != "human" or a.ivr_path]
    facts = {"elderly_attempts": len(elderly), "failed": len(bad), "declared": listing.elderly_direct_line}
    if bad:
        first = bad[0]
        return [
            Outcome.failed(
                f"{len(bad)}次老年主叫拨测未直接转人工"
                f"（如：结果{first.outcome}，按键{'>'.join(first.ivr_path) or '无'}）",
                f"{len(bad)} elderly attempts did not go straight to a human",
                **facts,
            )
        ]
    return [
        Outcome.passed(
            f"{len(elderly)}次老年主叫拨测均直接转人工",
            f"all {len(elderly)} elderly attempts went straight to a human",
            **facts,
        )
    ]
