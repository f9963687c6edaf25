"""`policy_analysis` evidence: a privacy policy (or its summary) read, structured, classified and mined.

Written by `ganzhi.collect.policy.analyze`; read by the T3 summary checks and the T6/T7 cross-checks. Sentences
carry their section path and labels so every finding can quote the sentence behind it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

Action = Literal["collect", "use", "share", "store", "permission"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PolicySentence(_Model):
    """One sentence with its section path and classifier labels."""

    index: int = Field(ge=0)
    text: str
    section: list[str] = Field(default_factory=list)
    heading: bool = False
    topics: list[str] = Field(default_factory=list)
    summary: bool = False
    risk: bool = False


class PiFact(_Model):
    """A statement about one PI category: collected/shared/... or explicitly not (`negated`)."""

    category: str
    phrase: str
    action: Action
    negated: bool = False
    sentence: int = Field(ge=0)
    purpose: str | None = None
    recipients: list[str] = Field(default_factory=list)


class Readability(_Model):
    """Surface measures of how easy a text is to read (inputs of the T3 readability check)."""

    chars: int = Field(ge=0)
    sentences: int = Field(ge=0)
    avg_sentence_chars: float = Field(ge=0)
    p90_sentence_chars: float = Field(ge=0)
    long_sentence_share: float = Field(ge=0, le=1, description="share of sentences over the long-sentence limit")
    long_sentence_limit: int = Field(ge=1)
    jargon_per_100_chars: float = Field(ge=0)
    vague_per_100_chars: float = Field(ge=0)
    latin_share: float = Field(ge=0, le=1)
    rare_word_share: float = Field(
        default=0, ge=0, le=1, description="share of words that are rare in general Chinese (jieba frequency)"
    )


class SummaryPart(_Model):
    """Where the 隐私政策摘要 was found and what it says."""

    how: Literal["document", "section"]
    title: str
    sentences: list[int] = Field(default_factory=list, description="indices into `sentences`")
    text: str
    readability: Readability
    covered_items: list[str] = Field(default_factory=list)
    pi_categories: list[str] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)


@evidence_kind("policy_analysis")
class PolicyAnalysis(_Model):
    """One policy document analyzed end to end."""

    source: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    format: str
    chars: int = Field(ge=0)
    sentences: list[PolicySentence] = Field(default_factory=list)
    facts: list[PiFact] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list, description="third parties and SDKs named anywhere")
    covered_items: list[str] = Field(default_factory=list, description="notice items the full policy covers")
    emphasis: list[str] = Field(default_factory=list)
    summary: SummaryPart | None = None
    model: str | None = None
    problems: list[str] = Field(default_factory=list)

    def categories(self, *, negated: bool = False) -> set[str]:
        """PI categories stated (or, with `negated`, explicitly denied)."""
        return {f.category for f in self.facts if f.negated == negated}
