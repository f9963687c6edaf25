"""Claims compared across documents: summary vs full policy, list vs policy, policy vs APK.

Pure functions over evidence models (no I/O), used by the T3 faithfulness and T6 consistency checks.
A claim is a PI category stated as processed (a non-negated fact) or denied (a negated fact such as
"不会收集通讯录"), or a named third party. Each finding quotes the sentence that makes the claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ganzhi.evidence.pi_lists import AppPiFacts, PiList
from ganzhi.evidence.policy import PiFact, PolicyAnalysis
from ganzhi.rules.policy.facts import KNOWN_VENDORS
from ganzhi.rules.policy.pi_lexicon import BY_ID, categories_in

#: a recipient worth checking names an organisation or SDK, not a generic phrase ("统计分析")
_NAMED_PARTY = re.compile(r"(SDK|sdk|公司|集团)$|" + KNOWN_VENDORS.pattern)

Problem = Literal["UNSUPPORTED", "CONTRADICTED", "OMITS_SENSITIVE", "UNSUPPORTED_RECIPIENT", "NOT_IN_POLICY"]


@dataclass(frozen=True, slots=True)
class Claims:
    """What one body of text states: categories processed, categories denied, recipients, and quotes."""

    stated: frozenset[str]
    denied: frozenset[str]
    recipients: tuple[str, ...]
    text: str
    quotes: dict[str, str] = field(default_factory=dict)
    mentioned: frozenset[str] = frozenset()

    @property
    def firmly_denied(self) -> frozenset[str]:
        """Denied and never stated as processed (a policy may deny only one use of a category)."""
        return self.denied - self.stated


@dataclass(frozen=True, slots=True)
class Finding:
    """One inconsistency: its kind, the PI category or recipient, and the sentence behind it."""

    problem: Problem
    item: str
    quote: str = ""
    other_quote: str = ""


def _claims(analysis: PolicyAnalysis, facts: list[PiFact], indices: set[int] | None, recipients: list[str]) -> Claims:
    texts = {s.index: s.text for s in analysis.sentences if indices is None or s.index in indices}
    quotes: dict[str, str] = {}
    for fact in facts:
        key = ("-" if fact.negated else "+") + fact.category
        quotes.setdefault(key, texts.get(fact.sentence, "")[:120])
    return Claims(
        stated=frozenset(f.category for f in facts if not f.negated),
        denied=frozenset(f.category for f in facts if f.negated),
        recipients=tuple(recipients),
        text="".join(t for i, t in sorted(texts.items())),
        quotes=quotes,
        mentioned=frozenset(categories_in("\n".join(texts.values()))),
    )


def summary_and_policy(analyses: list[PolicyAnalysis]) -> tuple[Claims, Claims] | None:
    """(summary claims, full-policy claims): a summary inside a policy document against the rest of it, or a
    separate summary document against the full policy supplied with it. None when there is nothing to compare."""
    with_summary = [a for a in analyses if a.summary is not None]
    if not with_summary:
        return None
    holder = with_summary[0]
    summary = holder.summary
    if summary is None:  # pragma: no cover - filtered above
        return None
    in_summary = set(summary.sentences)
    summary_facts = [f for f in holder.facts if f.sentence in in_summary]
    summary_claims = _claims(holder, summary_facts, in_summary, summary.recipients)
    rest = {s.index for s in holder.sentences if not s.heading} - in_summary
    full = [a for a in analyses if a.summary is None]
    if summary.how == "section" or (rest and not full):
        # the summary sits inside the policy document (a section, or printed ahead of the full text)
        policy_facts = [f for f in holder.facts if f.sentence not in in_summary]
        return summary_claims, _claims(holder, policy_facts, rest, holder.recipients)
    if not full:
        return None
    return summary_claims, _claims(full[0], list(full[0].facts), None, full[0].recipients)


def policy_claims(analysis: PolicyAnalysis) -> Claims:
    """Claims of a whole policy document."""
    return _claims(analysis, list(analysis.facts), None, analysis.recipients)


def summary_faithfulness(summary: Claims, policy: Claims, *, require_sensitive: bool = True) -> list[Finding]:
    """Every summary claim is supported by the policy; no sensitive category the policy processes is left out."""
    out: list[Finding] = []
    for category in sorted(summary.stated):
        quote = summary.quotes.get("+" + category, "")
        if category in policy.firmly_denied:
            out.append(Finding("CONTRADICTED", category, quote, policy.quotes.get("-" + category, "")))
        elif category not in policy.stated and category not in policy.mentioned:
            out.append(Finding("UNSUPPORTED", category, quote))
    for category in sorted(summary.firmly_denied & policy.stated):
        if category not in policy.denied:
            denial, statement = summary.quotes.get("-" + category, ""), policy.quotes.get("+" + category, "")
            out.append(Finding("CONTRADICTED", category, denial, statement))
    lowered = policy.text.lower()
    for name in summary.recipients:
        if _NAMED_PARTY.search(name) and name.lower() not in lowered:
            out.append(Finding("UNSUPPORTED_RECIPIENT", name))
    if require_sensitive:
        mentioned = summary.stated | summary.denied
        for category in sorted(policy.stated - mentioned):
            if category in BY_ID and BY_ID[category].sensitive:
                out.append(Finding("OMITS_SENSITIVE", category, "", policy.quotes.get("+" + category, "")))
    return out


def list_vs_policy(lists: list[PiList], policy: Claims) -> list[Finding]:
    """Categories on the collected list that the policy never states, or firmly denies."""
    out: list[Finding] = []
    seen: set[str] = set()
    for parsed in lists:
        for row in parsed.rows:
            for category in row.pi_categories:
                if category in seen:
                    continue
                seen.add(category)
                quote = f"{parsed.source} 第{row.row}行：{row.cells.get('pi_types', '')[:80]}"
                if category in policy.firmly_denied:
                    out.append(Finding("CONTRADICTED", category, quote, policy.quotes.get("-" + category, "")))
                elif category not in policy.stated:
                    out.append(Finding("NOT_IN_POLICY", category, quote))
    return out


def apk_vs_policy(facts: AppPiFacts, policy: Claims) -> list[Finding]:
    """Categories the APK reaches that the policy denies ("不会收集通讯录") or never states."""
    out: list[Finding] = []
    for category in sorted(facts.categories()):
        via = sorted({s.via for s in facts.sources if s.category == category})
        quote = "、".join(via[:3])
        if category in policy.firmly_denied:
            out.append(Finding("CONTRADICTED", category, quote, policy.quotes.get("-" + category, "")))
        elif category not in policy.stated:
            out.append(Finding("NOT_IN_POLICY", category, quote))
    return out
