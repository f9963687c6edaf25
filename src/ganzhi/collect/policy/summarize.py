"""Draft a 隐私政策摘要 from the summary-worthy sentences, grouped by topic, clearly marked as a draft."""

from __future__ import annotations

from ganzhi.collect.policy.labels import TOPICS
from ganzhi.evidence.policy import PolicyAnalysis

DRAFT_BANNER = (
    "【草稿，须人工审核 / DRAFT for human review】由ganzhi根据隐私政策中被判定为摘要要点的句子自动抽取，未经改写。"
)


def draft_summary(analysis: PolicyAnalysis, max_sentences: int = 25) -> str:
    """Markdown: a banner, then up to `max_sentences` summary-worthy sentences under their topic headings."""
    picked = [s for s in analysis.sentences if s.summary and not s.heading][: max_sentences * 4]
    by_topic: dict[str, list[str]] = {}
    used = 0
    for sentence in picked:
        if used >= max_sentences:
            break
        topic = sentence.topics[0] if sentence.topics else "其他"
        bucket = by_topic.setdefault(topic, [])
        if sentence.text not in bucket:
            bucket.append(sentence.text)
            used += 1
    lines = ["# 隐私政策摘要（草稿）", "", DRAFT_BANNER, "", f"来源：{analysis.source}", ""]
    for topic in [*TOPICS, "其他"]:
        if topic in by_topic:
            lines.append(f"## {topic}")
            lines.extend(f"- {text}" for text in by_topic[topic])
            lines.append("")
    if used == 0:
        lines.append("（未找到可作为摘要要点的句子）")
    return "\n".join(lines) + "\n"
