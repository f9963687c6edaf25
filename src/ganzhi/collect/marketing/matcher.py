"""Match 5G marketing texts against the rule table (`rules.yaml`): sentence by sentence, with negations.

The table is data; this module loads and validates it once, splits a text into sentences and records
every cue match (rule, sentence, cue, cancelling negation) into `marketing_text` evidence.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ganzhi.errors import InputError
from ganzhi.evidence.marketing import MAX_TEXT_CHARS, MarketingText, RuleMatch
from ganzhi.i18n import Text

RULES_PATH = Path(__file__).resolve().parent / "rules.yaml"
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
#: A clause ends at a comma or a colon (a speaker label "坐席：" ends one too).
_CLAUSE_END = re.compile(r"[，,：:、]")


class Rule(BaseModel):
    """One reminder or red line: the requirement it decides and its cue/negation patterns."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    type: Literal["reminder", "redline"]
    requirement: str
    applies: Literal["always", "contract", "withdrawn_plan"]
    title: Text
    cues: list[str] = Field(min_length=1)
    negations: list[str] = Field(default_factory=list)

    @field_validator("cues", "negations")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from None
        return patterns


class RuleTable(BaseModel):
    """The versioned rule table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    scope_negations: list[str] = Field(default_factory=list, description="negators that cancel a cue they precede")
    rules: list[Rule] = Field(min_length=1)

    @field_validator("scope_negations")
    @classmethod
    def _negations_compile(cls, patterns: list[str]) -> list[str]:
        return Rule._compiles(patterns)


def load_rules(path: Path = RULES_PATH) -> RuleTable:
    """The rule table at `path`; InputError names the file and the rule at fault."""
    try:
        return RuleTable.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(str(path), f"cannot read the rule table: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(str(path), problems) from None


@lru_cache(maxsize=1)
def default_rules() -> RuleTable:
    """The shipped rule table, loaded once."""
    return load_rules()


def table_version(table: RuleTable) -> str:
    """The table's version plus a short content hash, so evidence says exactly which rules it used."""
    digest = hashlib.sha256(table.model_dump_json().encode("utf-8")).hexdigest()[:12]
    return f"{table.version}+{digest}"


def split_sentences(text: str) -> list[str]:
    """Sentences ending in 。！？；, or line breaks; blank ones dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def scope_negation(sentence: str, start: int, end: int, negators: list[str]) -> str | None:
    """The negator that starts before the cue at `start`–`end` in the same clause and governs it ('我不是说您必须
    升级5G', '不能保证任何地方都满速' where the negator overlaps the cue), or None."""
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, start)), default=0)
    region = sentence[clause_start:end]
    offset = start - clause_start
    for pattern in negators:
        for m in re.finditer(pattern, region):
            if m.start() < offset:
                return m.group(0)
    return None


def match_sentences(sentences: list[str], table: RuleTable) -> list[RuleMatch]:
    """Every cue match, with the negation that cancels it: a rule negation in the same sentence, or a scope
    negation before the cue in the same clause."""
    found: list[RuleMatch] = []
    for index, sentence in enumerate(sentences):
        for rule in table.rules:
            for cue in rule.cues:
                hit = re.search(cue, sentence, re.IGNORECASE)
                if not hit:
                    continue
                negation = next((m.group(0) for n in rule.negations if (m := re.search(n, sentence))), None)
                negation = negation or scope_negation(sentence, hit.start(), hit.end(), table.scope_negations)
                found.append(RuleMatch(rule_id=rule.id, sentence=index, text=sentence, cue=hit.group(0),
                                       negated_by=negation))  # fmt: skip
                break
    return found


def analyze(
    text: str,
    *,
    material: Literal["transcript", "ad"],
    channel: str | None = None,
    contract_plan: bool = False,
    from_withdrawn_plan: bool = False,
    table: RuleTable | None = None,
) -> MarketingText:
    """A `marketing_text` payload for `text` (at most MAX_TEXT_CHARS are read)."""
    rules = table or default_rules()
    flags = {"always": True, "contract": contract_plan, "withdrawn_plan": from_withdrawn_plan}
    expected = [r.id for r in rules.rules if r.type == "reminder" and flags[r.applies]]
    sentences = split_sentences(text[:MAX_TEXT_CHARS])
    return MarketingText(
        material=material, channel=channel, contract_plan=contract_plan, from_withdrawn_plan=from_withdrawn_plan,
        sentences=sentences, matches=match_sentences(sentences, rules), expected_reminders=expected,
        rules_version=table_version(rules),
    )  # fmt: skip
