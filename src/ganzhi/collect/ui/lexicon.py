"""Match view nodes against the close/skip lexicon derived from the GKD rule tables.

Texts are compared after removing countdown parts and punctuation ("跳过 5s", "5 | 跳过" → "跳过"), so a
skip button whose label changes every second still matches. Ids match exactly (`tt_splash_skip_btn`) or by
a token (`btn_close` → close), never `download`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ganzhi.collect.ui.hierarchy import Node

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "close_lexicon.json"
#: Literals strong enough to match inside a short label ("点击跳过", "关闭广告按钮").
STRONG_LITERALS = ("跳过", "跳過", "关闭", "skip", "close", "不感兴趣")
MAX_LABEL_CHARS = 16
_COUNTDOWN = re.compile(r"\d+\s*(?:s|秒|sec)?(?![a-z])", re.IGNORECASE)
_PUNCT = re.compile(r"[\s|｜丨/\\()（）\[\]【】:：,，.。!！?？·•'\"-]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def has_countdown(label: str) -> bool:
    """True when a label read off the screen carries a countdown ("5 跳过", "Skip 5s")."""
    return _COUNTDOWN.search(label) is not None


def normalise_label(value: str) -> str:
    """Lower-case label without countdown digits, spaces and punctuation."""
    return _PUNCT.sub("", _COUNTDOWN.sub("", value.strip())).lower()


def id_tokens(vid: str) -> list[str]:
    """`ivAdClose` / `iv_ad_close` → ['iv', 'ad', 'close']."""
    return [token.lower() for token in re.split(r"[_\-.]+", _CAMEL.sub("_", vid)) if token]


@dataclass(frozen=True, slots=True)
class LexiconMatch:
    """Which field matched, how strongly (0..1), and the literal."""

    source: str
    score: float
    literal: str


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The close/skip vocabulary: normalised texts and descs, exact ids and id tokens."""

    texts: frozenset[str]
    descs: frozenset[str]
    ids: frozenset[str]
    id_token_set: frozenset[str]

    @classmethod
    def from_json(cls, doc: dict[str, object]) -> Lexicon:
        """Build from the derived lexicon file's content."""

        def names(key: str) -> list[str]:
            value = doc.get(key, [])
            return [str(v) for v in (value.keys() if isinstance(value, dict) else value)]  # type: ignore[attr-defined]

        seeds = [normalise_label(v) for v in names("seed_texts")]
        texts = {normalise_label(v) for v in names("text")} | set(seeds)
        descs = {normalise_label(v) for v in names("desc")} | set(seeds)
        ids = {v.lower() for v in names("vid")}
        return cls(
            texts=frozenset(t for t in texts if t),
            descs=frozenset(d for d in descs if d),
            ids=frozenset(ids),
            id_token_set=frozenset(v.lower() for v in names("seed_id_tokens")),
        )

    def _label(self, value: str, vocabulary: frozenset[str], source: str) -> LexiconMatch | None:
        if not value.strip() or len(value.strip()) > MAX_LABEL_CHARS:
            return None
        core = normalise_label(value)
        if not core and value.strip().lower() in {"x", "×", "✕"}:
            core = value.strip().lower()
        if core in vocabulary:
            return LexiconMatch(source, 1.0, core)
        for literal in STRONG_LITERALS:
            if literal in core:
                return LexiconMatch(source, 0.9, literal)
        return None

    def match_text(self, value: str, source: str = "ocr") -> LexiconMatch | None:
        """Match a label read off the screen (OCR) against the text vocabulary, countdowns removed."""
        return self._label(value, self.texts, source)

    def match(self, node: Node) -> LexiconMatch | None:
        """The best lexicon match of `node`'s text, content-desc or id, or None."""
        found = self._label(node.text, self.texts, "text") or self._label(node.desc, self.descs, "desc")
        return found if found is not None else self._id(node.vid)

    def _id(self, vid: str) -> LexiconMatch | None:
        if not vid:
            return None
        if vid.lower() in self.ids:
            return LexiconMatch("id", 0.95, vid)
        tokens = id_tokens(vid)
        joined = "_".join(tokens)
        if "download" in joined:
            return None
        token = next((t for t in tokens if t in self.id_token_set), None)
        if token is None and ("count_down" in joined or "countdown" in joined):
            token = "count_down"
        return LexiconMatch("id", 0.8, token) if token is not None else None


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The lexicon shipped with ganzhi (or another file of the same shape)."""
    return Lexicon.from_json(json.loads(path.read_text(encoding="utf-8")))


def load_lexicon_without_seeds(path: Path = LEXICON_PATH) -> Lexicon:
    """The lexicon from the GKD rule literals only (hand-written seed texts left out), for honest evaluation."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["seed_texts"] = []
    return Lexicon.from_json(doc)
