"""5G服务“四个提醒机制”: each reminder that applies to the sale (coverage, 5G handset; withdrawn plan and
contract limits when relevant) is said in the transcript or ad, as matched by the rule table."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.marketing import MarketingText


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per applicable reminder: PASS quoting the sentence that says it, FAIL when none does."""
    outcomes: list[Outcome] = []
    for text in evidence.all(MarketingText):
        for rule_id in text.expected_reminders:
            said = [m for m in text.matches if m.rule_id == rule_id and m.negated_by is None]
            cancelled = [m for m in text.matches if m.rule_id == rule_id and m.negated_by is not None]
            facts = {"rule": rule_id, "material": text.material, "rules_version": text.rules_version}
            if said:
                first = said[0]
                outcomes.append(Outcome.passed(
                    f"{rule_id}：第{first.sentence + 1}句已提醒——“{first.text}”（命中“{first.cue}”）。",
                    f"{rule_id}: said in sentence {first.sentence + 1} (cue {first.cue!r}).",
                    **facts, sentence=first.sentence, quote=first.text, cue=first.cue,
                ))  # fmt: skip
            else:
                note = ""
                if cancelled:
                    note = f"；第{cancelled[0].sentence + 1}句的相关表述被“{cancelled[0].negated_by}”否定"
                outcomes.append(Outcome.failed(
                    f"{rule_id}：{len(text.sentences)}句中均未见该提醒{note}。",
                    f"{rule_id}: none of the {len(text.sentences)} sentences gives this reminder.",
                    **facts, sentences=len(text.sentences),
                ))  # fmt: skip
    return outcomes
