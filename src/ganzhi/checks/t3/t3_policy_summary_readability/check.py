"""T3.summary.concise: the summary's sentences are short; little vague wording, jargon and rare words."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.policy import PolicyAnalysis
from ganzhi.rules.policy.readability import sentence_figures


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL when sentences are too long on average or too often; WARN on vague wording or rare words."""
    max_avg = params.number("max_avg_sentence_chars")
    max_len = int(params.number("max_sentence_chars"))
    max_long_share = params.number("max_long_sentence_share")
    max_vague = params.number("max_vague_per_100_chars")
    max_rare = params.number("max_rare_word_share")
    out: list[Outcome] = []
    for analysis in evidence.all(PolicyAnalysis):
        summary = analysis.summary
        if summary is None:
            continue
        by_index = {s.index: s.text for s in analysis.sentences}
        texts = [by_index[i] for i in summary.sentences if i in by_index]
        if not texts:
            continue
        avg, share, long_ones = sentence_figures(texts, max_len)
        vague = summary.readability.vague_per_100_chars
        rare = summary.readability.rare_word_share
        facts = {
            "avg_sentence_chars": round(avg, 1),
            "long_sentence_share": round(share, 3),
            "vague_per_100_chars": vague,
            "rare_word_share": rare,
            "long_examples": [t[:80] for t in long_ones[:3]],
        }
        if avg > max_avg or share > max_long_share:
            out.append(
                Outcome.failed(
                    f"摘要句子过长：平均{avg:.1f}字（上限{max_avg:g}），超过{max_len}字的句子占{share:.0%}（上限{max_long_share:.0%}）",
                    f"Summary sentences too long: average {avg:.1f} chars (max {max_avg:g}); "
                    f"{share:.0%} over {max_len} chars (max {max_long_share:.0%})",
                    reason="LONG_SENTENCES",
                    **facts,
                )
            )
        elif vague > max_vague:
            out.append(
                Outcome.warned(
                    f"摘要模糊表述较多：每百字{vague:.2f}处（上限{max_vague:g}）",
                    f"Summary uses much vague wording: {vague:.2f} per 100 chars (max {max_vague:g})",
                    reason="VAGUE",
                    **facts,
                )
            )
        elif rare > max_rare:
            out.append(
                Outcome.warned(
                    f"摘要生僻词较多：占{rare:.1%}（上限{max_rare:.1%}）",
                    f"Summary uses many rare words: {rare:.1%} (max {max_rare:.1%})",
                    reason="RARE_WORDS",
                    **facts,
                )
            )
        else:
            out.append(
                Outcome.passed(
                    f"摘要句子简洁：平均{avg:.1f}字", f"Summary sentences concise: average {avg:.1f}", **facts
                )
            )
    if not out:
        out.append(Outcome.not_applicable("无摘要可评估", "No summary to assess"))
    return out
