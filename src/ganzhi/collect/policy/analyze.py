"""Full analysis of one policy: ingest → structure → classify → facts → summary, as `PolicyAnalysis`."""

from __future__ import annotations

import datetime as dt
import re

from ganzhi.collect.policy.classifier import SentenceClassifier, default_classifier
from ganzhi.collect.policy.features import heading_contexts
from ganzhi.collect.policy.ingest import PolicyDocument
from ganzhi.collect.policy.structure import PolicyStructure, Sentence, heading_style, parse_structure
from ganzhi.evidence.base import ArtefactRef, Evidence, Subject
from ganzhi.evidence.policy import PolicyAnalysis, PolicySentence, SummaryPart
from ganzhi.rules.policy.facts import extract_facts, recipients_in
from ganzhi.rules.policy.readability import covered_items, measure

SUMMARY_TITLE = re.compile(r"摘要|简明版|简要版|概要|精简版|简版|要点|速览")
FULL_POLICY_TITLE = re.compile(r"完整版|全文|^.{0,24}隐私(权)?(政策|保护指引|保护政策)》?$")
MAX_SENTENCES = 20_000


def find_summary(structure: PolicyStructure, whole_document_is_summary: bool = False) -> SummaryPart | None:
    """The 摘要 part: the whole document when it says so in its title, else the first 摘要/简明版 section."""
    sentences = structure.sentences
    if not sentences:
        return None
    title_at = next((i for i, s in enumerate(sentences[:3]) if _is_summary_title(s)), None)
    if whole_document_is_summary or title_at is not None:
        first = sentences[title_at].text if title_at is not None else ""
        chosen = []
        for s in sentences[(title_at + 1) if title_at is not None else 0 :]:
            if not whole_document_is_summary and len(s.text) <= 60 and FULL_POLICY_TITLE.search(s.text):
                break  # a summary printed ahead of the full policy ends where the full policy's title starts
            if not s.is_heading:
                chosen.append(s)
        if chosen or whole_document_is_summary:
            indices, texts = [s.index for s in chosen], [s.text for s in chosen]
            return _summary_part("document", first or "隐私政策摘要", indices, texts)
    for heading in structure.headings:
        if SUMMARY_TITLE.search(heading.text):
            inside = [s for s in sentences if heading.text in s.section and not s.is_heading]
            if inside:
                return _summary_part("section", heading.text, [s.index for s in inside], [s.text for s in inside])
    return None


def _is_summary_title(sentence: Sentence) -> bool:
    """A document title naming a summary: short, not a numbered or bracketed section heading."""
    if len(sentence.text) > 60 or not SUMMARY_TITLE.search(sentence.text):
        return False
    style = heading_style(sentence.text)
    return style is None or style[0] == "md1"


def _summary_part(how: str, title: str, indices: list[int], texts: list[str]) -> SummaryPart:
    from ganzhi.rules.policy.pi_lexicon import categories_in

    joined = "".join(texts)
    return SummaryPart(
        how="document" if how == "document" else "section",
        title=title,
        sentences=indices,
        text=joined[:20_000],
        readability=measure(texts),
        covered_items=covered_items(texts),
        pi_categories=categories_in(joined),
        recipients=sorted({r for t in texts for r in recipients_in(t)}),
    )


def analyze_document(
    document: PolicyDocument,
    classifier: SentenceClassifier | None = None,
    *,
    is_summary: bool = False,
) -> PolicyAnalysis:
    """Every step on one document; problems (too many sentences) are recorded, not raised."""
    model = classifier or default_classifier()
    structure = parse_structure(document.text)
    problems: list[str] = []
    sentences = list(structure.sentences)
    if len(sentences) > MAX_SENTENCES:
        problems.append(f"{document.source}: {len(sentences)} sentences; only the first {MAX_SENTENCES} analyzed")
        sentences = sentences[:MAX_SENTENCES]
    texts = [s.text for s in sentences]
    labels = model.predict(texts, heading_contexts(texts))
    rows = [
        PolicySentence(
            index=s.index,
            text=s.text,
            section=list(s.section),
            heading=s.is_heading,
            topics=list(lab.topics),
            summary=lab.summary,
            risk=lab.risk,
        )
        for s, lab in zip(sentences, labels, strict=True)
    ]
    body = [(s.index, s.text) for s in sentences if not s.is_heading]
    sharing = [t for _, t in body if "共享" in t or "SDK" in t or "第三方" in t]
    recipients = sorted({r for t in sharing for r in recipients_in(t)})
    return PolicyAnalysis(
        source=document.source,
        sha256=document.sha256,
        format=document.format,
        chars=len(document.text),
        sentences=rows,
        facts=extract_facts(body),
        recipients=recipients,
        covered_items=covered_items([t for _, t in body]),
        emphasis=list(document.emphasis[:500]),
        summary=find_summary(structure, is_summary),
        model=str(model.meta.get("model", "")) or None,
        problems=problems,
    )


def analysis_evidence(analysis: PolicyAnalysis, subject: Subject, document: PolicyDocument) -> Evidence:
    """Wrap an analysis as evidence, referencing the raw bytes by hash (store them with the blob store)."""
    ref = ArtefactRef(
        sha256=document.sha256,
        name=document.source.rsplit("/", 1)[-1][:200] or "policy",
        media_type=_media_type(document.format),
        size=document.size,
    )
    return Evidence.of(analysis, subject, source=document.source, collected_at=dt.datetime.now(dt.UTC), artefacts=[ref])


def _media_type(fmt: str) -> str:
    return {
        "html": "text/html",
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }.get(fmt, "text/plain")
