"""Readability measures of Chinese policy text and detection of the notice items a summary must cover."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ganzhi.evidence.policy import Readability

LONG_SENTENCE_CHARS = 50
#: a word rarer than this in jieba's general-Chinese dictionary (60 M tokens) counts as rare
RARE_WORD_FREQ = 30
JARGON = (
    "去标识化",
    "匿名化",
    "标识符",
    "SDK",
    "IMEI",
    "IMSI",
    "OAID",
    "MAC",
    "Cookie",
    "API",
    "加密算法",
    "传输层",
    "哈希",
    "SSL",
    "TLS",
    "HTTPS",
    "数据脱敏",
    "个性化推荐",
    "算法",
    "画像",
    "服务器",
    "日志",
)
VAGUE = (
    "包括但不限于",
    "等",
    "可能",
    "相关",
    "部分",
    "必要时",
    "或其他",
    "其他",
    "一定",
    "适当",
    "合理",
    "某些",
    "有关",
)
_JARGON_RE = re.compile("|".join(re.escape(t) for t in sorted(JARGON, key=len, reverse=True)), re.IGNORECASE)
_VAGUE_RE = re.compile("|".join(re.escape(t) for t in sorted(VAGUE, key=len, reverse=True)))
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")

#: notice item → patterns (PIPL Art.17 items plus the two lists and the complaint channel).
ITEM_PATTERNS: dict[str, re.Pattern[str]] = {
    "处理者及联系方式": re.compile(r"联系(我们|方式)|客服|电话|邮箱|@|公司|有限公司"),
    "个人信息种类": re.compile(r"收集.{0,20}(信息|号码|位置|设备)|个人信息(种类|类型)"),
    "处理目的": re.compile(r"用于|目的|以便|为了"),
    "处理方式": re.compile(r"收集|使用|存储|共享|处理方式"),
    "保存期限": re.compile(r"保存期限|存储期限|保存.{0,10}(期限|年|月|天)|留存|删除或匿名化"),
    "用户权利": re.compile(r"查阅|更正|删除|撤回|注销|复制|转移|管理您的"),
    "敏感个人信息": re.compile(r"敏感个人信息|敏感信息"),
    "第三方共享": re.compile(r"第三方|共享|SDK|合作方", re.IGNORECASE),
    "完整隐私政策链接": re.compile(
        r"完整(版)?(的)?《?隐私|隐私政策(全文|完整)|查看.{0,6}隐私政策|《.{0,12}隐私(权)?政策》"
    ),
    "双清单链接": re.compile(r"清单"),
    "投诉渠道": re.compile(r"投诉|举报|申诉|反馈"),
}


def covered_items(texts: Sequence[str]) -> list[str]:
    """Notice items mentioned somewhere in `texts`, in the order of `ITEM_PATTERNS`."""
    joined = "\n".join(texts)
    return [item for item, pattern in ITEM_PATTERNS.items() if pattern.search(joined)]


@lru_cache(maxsize=1)
def _jieba() -> tuple[object, dict[str, int]]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt, jieba.dt.FREQ


#: document titles (《已收集个人信息清单》) name a page, they are not wording the reader must decode
_TITLE = re.compile(r"《[^》]{1,40}》")


def _required_term(word: str) -> bool:
    """Words a summary has to use: the PI categories it names and "个人信息" itself (not rare wording)."""
    from ganzhi.rules.policy.pi_lexicon import find_terms

    return "信息" in word or bool(find_terms(word))


def rare_word_share(text: str) -> float:
    """Share of Chinese words (jieba, no HMM) whose general-corpus frequency is below `RARE_WORD_FREQ`;
    document titles and the PI terms a summary must name are not counted as rare."""
    tokenizer, freq = _jieba()
    text = _TITLE.sub("", text)
    words = [w for w in tokenizer.lcut(text, HMM=False) if _CJK.search(w)]  # type: ignore[attr-defined]
    if not words:
        return 0.0
    return sum(1 for w in words if freq.get(w, 0) < RARE_WORD_FREQ and not _required_term(w)) / len(words)


def warm_up() -> None:
    """Load the word dictionary now (about a second, once per process) rather than inside a timed run."""
    _jieba()


def sentence_figures(texts: Sequence[str], max_sentence_chars: int) -> tuple[float, float, list[str]]:
    """(average length, share over `max_sentence_chars`, the long sentences): what the T3 check and the
    calibration both measure, in plain characters."""
    lengths = [len(t) for t in texts]
    if not lengths:
        return 0.0, 0.0, []
    long_ones = [t for t in texts if len(t) > max_sentence_chars]
    return sum(lengths) / len(lengths), len(long_ones) / len(lengths), long_ones


def _content_len(text: str) -> int:
    return len(_CJK_OR_WORD.findall(text))


def measure(sentences: Sequence[str], long_limit: int = LONG_SENTENCE_CHARS) -> Readability:
    """Sentence length (content characters), long-sentence share, jargon, vague-term and Latin density."""
    lengths = sorted(_content_len(s) for s in sentences if _content_len(s) > 0)
    text = "".join(sentences)
    chars = max(1, _content_len(text))
    if not lengths:
        return Readability(
            chars=0,
            sentences=0,
            avg_sentence_chars=0,
            p90_sentence_chars=0,
            long_sentence_share=0,
            long_sentence_limit=long_limit,
            jargon_per_100_chars=0,
            vague_per_100_chars=0,
            latin_share=0,
            rare_word_share=0,
        )
    p90 = lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]
    return Readability(
        chars=_content_len(text),
        sentences=len(lengths),
        avg_sentence_chars=round(sum(lengths) / len(lengths), 2),
        p90_sentence_chars=float(p90),
        long_sentence_share=round(sum(1 for n in lengths if n > long_limit) / len(lengths), 4),
        long_sentence_limit=long_limit,
        jargon_per_100_chars=round(100 * len(_JARGON_RE.findall(text)) / chars, 3),
        vague_per_100_chars=round(100 * len(_VAGUE_RE.findall(text)) / chars, 3),
        latin_share=round(len(_LATIN.findall(text)) / chars, 4),
        rare_word_share=round(rare_word_share(text), 4),
    )
