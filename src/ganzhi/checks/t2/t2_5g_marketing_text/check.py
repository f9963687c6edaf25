"""5G“四条营销红线”: no sentence of a transcript or ad crosses a red line of the rule table (exaggeration,
forced upgrade, restricted plan change, hidden 4G entry); each finding quotes the sentence and the cue."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.marketing import MarketingText

_REDLINE_PREFIX = "redline."


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One FAIL per sentence and red line crossed; one PASS per text that crosses none."""
    outcomes: list[Outcome] = []
    for text in evidence.all(MarketingText):
        crossed = [m for m in text.matches if m.rule_id.startswith(_REDLINE_PREFIX) and m.negated_by is None]
        for match in crossed:
            outcomes.append(Outcome.failed(
                f"{match.rule_id}：第{match.sentence + 1}句“{match.text}”触及营销红线（命中“{match.cue}”）。",
                f"{match.rule_id}: sentence {match.sentence + 1} crosses a red line (cue {match.cue!r}).",
                rule=match.rule_id, sentence=match.sentence, quote=match.text, cue=match.cue,
                material=text.material, rules_version=text.rules_version,
            ))  # fmt: skip
        if not crossed:
            cancelled = sum(1 for m in text.matches if m.rule_id.startswith(_REDLINE_PREFIX))
            outcomes.append(Outcome.passed(
                f"{len(text.sentences)}句中未见触及四条营销红线的表述（{cancelled}处相关表述已被否定语境排除）。",
                f"None of the {len(text.sentences)} sentences crosses a red line ({cancelled} negated mentions).",
                rule="none", material=text.material, rules_version=text.rules_version,
            ))  # fmt: skip
    return outcomes
