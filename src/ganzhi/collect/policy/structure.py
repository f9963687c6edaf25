"""A policy's heading tree and its sentences, each with the path of headings it sits under.

Headings are recognised by Chinese numbering (第一章 / 一、 / （一） / 1. / 1.1 / ①), markdown-like `#`
marks (from HTML/DOCX headings) and 【…】 titles. Levels come from the numbering style, in the order a
style first appears, so a policy that starts with （一） still nests 1. under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_STYLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("md", re.compile(r"^(#{1,6})\s*(.+)$")),
    ("chapter", re.compile(r"^第[一二三四五六七八九十百零〇\d]+[章部分节条]\s*(.*)$")),
    ("cn", re.compile(r"^[一二三四五六七八九十]+[、.．]\s*(.+)$")),
    ("cn_paren", re.compile(r"^[（(][一二三四五六七八九十]+[)）]\s*(.+)$")),
    ("dotted", re.compile(r"^\d+\.\d+(?:\.\d+)*[、.．]?\s+(.+)$")),
    ("arabic", re.compile(r"^\d+[、.．]\s*(.+)$")),
    ("arabic_paren", re.compile(r"^[（(]\d+[)）]\s*(.+)$")),
    ("circled", re.compile(r"^[①-⑳]\s*(.+)$")),
    ("bracket", re.compile(r"^【(.+)】$")),
)
MAX_HEADING_CHARS = 40
#: the first character of every pattern above; most sentences fail this one test
_HEADING_START = re.compile(r"[#第一二三四五六七八九十（(\d①-⑳【]")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_NO_HEADING_END = re.compile(r"[。；;，,：:！？!?]$")


@dataclass(frozen=True, slots=True)
class Heading:
    """One heading: its text, level (1 = top) and line number."""

    text: str
    level: int
    line: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence (or heading line) with its position and section path."""

    index: int
    text: str
    line: int
    section: tuple[str, ...]
    is_heading: bool = False


@dataclass(frozen=True, slots=True)
class PolicyStructure:
    """Headings in document order and every sentence under its headings."""

    headings: tuple[Heading, ...]
    sentences: tuple[Sentence, ...]

    def under(self, keyword: str) -> list[Sentence]:
        """Sentences whose section path mentions `keyword` (e.g. 摘要)."""
        return [s for s in self.sentences if any(keyword in h for h in s.section)]


@lru_cache(maxsize=1 << 16)
def heading_style(line: str) -> tuple[str, str] | None:
    """(style, title) when `line` looks like a heading, else None."""
    text = line.strip()
    if not text or len(text) > MAX_HEADING_CHARS + 8 or not _HEADING_START.match(text):
        return None
    for style, pattern in _STYLES:
        match = pattern.match(text)
        if not match:
            continue
        if style == "md":
            return f"md{len(match.group(1))}", match.group(2).strip()
        if len(text) > MAX_HEADING_CHARS or _NO_HEADING_END.search(text):
            return None
        return style, text
    return None


def split_sentences(paragraph: str) -> list[str]:
    """Split on 。！？； keeping the mark; drops empty pieces."""
    return [p.strip() for p in _SENTENCE_END.split(paragraph) if p.strip()]


def parse_structure(text: str) -> PolicyStructure:
    """Heading tree and sentences of normalised policy text."""
    style_level: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    headings: list[Heading] = []
    sentences: list[Sentence] = []
    for line_no, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        found = heading_style(stripped)
        if found is not None:
            style, title = found
            if style not in style_level:
                style_level[style] = len(style_level) + 1
            level = style_level[style]
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            headings.append(Heading(title, level, line_no))
            section = tuple(t for _, t in stack)
            sentences.append(Sentence(len(sentences), title, line_no, section, is_heading=True))
            continue
        section = tuple(t for _, t in stack)
        for piece in split_sentences(stripped):
            sentences.append(Sentence(len(sentences), piece, line_no, section))
    return PolicyStructure(tuple(headings), tuple(sentences))
