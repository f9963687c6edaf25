"""Derive the close/skip lexicon from the gkd-kit subscription rule table (MIT) at build time.

A GKD rule clicks its target node to get rid of something (a splash ad, a pop-up, an update prompt), so
the literals a target selector tests — `text`, `desc`, `vid`/`id` — are weak labels of dismiss controls.
The target of a selector is the segment marked `@`, else the last one; for a rule's `matches` list it is
the last selector. Literals seen in at least `min_support` rule groups are kept, with their counts, so
the derived file stays small and explains itself. The raw table stays in ../shared/data.

Run: `python -m ganzhi.training.ui.lexicon_build ../shared/data/ui/gkd/gkdkit_rules_table.json`
(writes `src/ganzhi/ui/data/close_lexicon.json`).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ganzhi.collect.jsonl import parse_json_strict
from ganzhi.collect.ui.lexicon import LEXICON_PATH

#: GKD categories whose rules click something away; 功能类 (feature automation) is left out.
DISMISS_CATEGORIES = frozenset(
    {
        "开屏广告",
        "全屏广告",
        "局部广告",
        "分段广告",
        "更新提示",
        "评价提示",
        "通知提示",
        "青少年模式",
        "定位提示",
        "权限提示",
    }
)
#: The survey's seed list (reference ui.md §5.1), kept next to the GKD-derived literals.
SEED_TEXTS = (
    "跳过",
    "跳 过",
    "跳過",
    "关闭",
    "关掉",
    "×",
    "✕",
    "X",
    "skip",
    "close",
    "dismiss",
    "取消",
    "不感兴趣",
    "暂不",
    "以后再说",
    "我知道了",
    "no thanks",
    "not now",
    "later",
    "maybe later",
    "cancel",
    "skip ad",
)
SEED_ID_TOKENS = ("skip", "close", "dismiss", "cancel", "countdown", "count_down")
MAX_LITERAL_CHARS = 12
#: Literals GKD clicks as the *first step* of a multi-step dismissal (open the ad menu, feedback, "more"),
#: accept-type buttons of update prompts, generic ids, and halves of `vid*="count" && vid*="down"`:
#: not close controls themselves, so they stay out of the lexicon.
EXCLUDED_LITERALS = frozenset(
    {
        "广告",
        "反馈",
        "更多",
        "立即升级",
        "立即更新",
        "Block",
        "dislike",
        "more",
        "positive",
        "tv_ok",
        "button2",
        "title",
        "label_title",
        "ad_icon",
        "tt_item_tv",
        "unused_res_a",
        "ad_vip",
        "count",
        "down",
    }
)
_COMBINATOR = re.compile(r"^(?:[<>+\-]|<<|>>)\d*n?$|^[<>+\-]{1,2}\d*n?$")
_CONDITION = re.compile(r"\b(text|desc|vid|id)\s*(\*=|\^=|\$=|=)\s*(['\"])(.*?)\3")


def split_segments(selector: str) -> list[str]:
    """Split a GKD selector into property segments, dropping the combinators between them."""
    segments: list[str] = []
    current: list[str] = []
    depth = 0
    quote = ""
    for char in selector:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
            continue
        if char in "\"'":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        if char.isspace() and depth == 0:
            token = "".join(current).strip()
            if token and not _COMBINATOR.match(token):
                segments.append(token)
            current = []
            continue
        current.append(char)
    token = "".join(current).strip()
    if token and not _COMBINATOR.match(token):
        segments.append(token)
    return segments


def target_segment(selector: str) -> str:
    """The segment a GKD selector acts on: the one starting with `@`, else the last."""
    segments = split_segments(selector)
    for segment in segments:
        if segment.startswith("@"):
            return segment
    return segments[-1] if segments else ""


def target_literals(selector: str) -> list[tuple[str, str, str]]:
    """(field, operator, literal) conditions the target segment puts on text, desc, vid or id."""
    found = []
    for raw_field, op, _quote, literal in _CONDITION.findall(target_segment(selector)):
        value = literal.strip()
        field = raw_field
        if raw_field == "id":
            field, value = "vid", value.rsplit("/", 1)[-1]
        if value:
            found.append((field, op, value))
    return found


def _rule_targets(row: dict[str, Any]) -> Iterable[str]:
    for rule in row.get("rules") or []:
        matches = rule.get("matches") if isinstance(rule, dict) else None
        if isinstance(matches, list) and matches:
            yield str(matches[-1])
        elif isinstance(matches, str):
            yield matches


def build(table: dict[str, Any], *, min_support: int = 2) -> dict[str, Any]:
    """The derived lexicon: literals per field with the number of rule groups that use them."""
    support: dict[str, Counter[str]] = {"text": Counter(), "desc": Counter(), "vid": Counter()}
    groups = 0
    rows = [*table.get("rows", []), *table.get("global_groups", [])]
    for row in rows:
        category = row.get("category") or row.get("category_guess") or row.get("group")
        if category not in DISMISS_CATEGORIES:
            continue
        groups += 1
        seen: set[tuple[str, str]] = set()
        for selector in _rule_targets(row):
            for field, _op, value in target_literals(selector):
                if len(value) <= MAX_LITERAL_CHARS and value not in EXCLUDED_LITERALS:
                    seen.add((field, value))
        for field, value in seen:
            support[field][value] += 1
    kept = {
        field: dict(
            sorted(((v, n) for v, n in counts.items() if n >= min_support), key=lambda item: (-item[1], item[0]))
        )
        for field, counts in support.items()
    }
    source = table.get("source", {})
    return {
        "version": 1,
        "attribution": (
            "Derived from gkd-kit/subscription (MIT licence, package.json) "
            f"@ {source.get('commit', '?')}, {source.get('path', 'dist/gkd.json5')}; "
            "literals only, counts are rule groups."
        ),
        "categories": sorted(DISMISS_CATEGORIES),
        "rule_groups": groups,
        "min_support": min_support,
        "text": kept["text"],
        "desc": kept["desc"],
        "vid": kept["vid"],
        "seed_texts": list(SEED_TEXTS),
        "seed_id_tokens": list(SEED_ID_TOKENS),
    }


def main(argv: list[str] | None = None) -> int:
    """Build the lexicon from the table path given on the command line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m ganzhi.training.ui.lexicon_build PATH/gkdkit_rules_table.json", file=sys.stderr)
        return 2
    table = parse_json_strict(Path(args[0]).read_text(encoding="utf-8"))
    lexicon = build(table)
    LEXICON_PATH.parent.mkdir(parents=True, exist_ok=True)
    LEXICON_PATH.write_text(json.dumps(lexicon, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{LEXICON_PATH}: {len(lexicon['text'])} texts, {len(lexicon['desc'])} descs, {len(lexicon['vid'])} ids")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
