from __future__ import annotations

import json

import pytest
from tests.shared_data import shared_path

import ganzhi.collect.ui.lexicon as lexicon_module
from ganzhi.collect.ui.hierarchy import Node
from ganzhi.collect.ui.lexicon import Lexicon, load_lexicon, normalise_label
from ganzhi.training.ui.lexicon_build import build, target_literals, target_segment


def _node(text: str = "", desc: str = "", rid: str = "") -> Node:
    return Node(
        index=0,
        parent=None,
        depth=0,
        cls="TextView",
        package="p",
        text=text,
        desc=desc,
        resource_id=rid,
        clickable=True,
        enabled=True,
        visible=True,
        naf=False,
        bounds=(0, 0, 10, 10),
    )


@pytest.mark.parametrize(
    ("text", "literal"),
    [("跳过 5s", "跳过"), ("5 | 跳过", "跳过"), ("关闭", "关闭"), ("Skip", "skip"), ("点击跳过", "跳过"), ("×", "×")],
)
def test_shipped_lexicon_matches_close_labels(text: str, literal: str) -> None:
    found = load_lexicon().match(_node(text=text))
    assert found is not None and found.source == "text" and found.literal == literal


def test_ids_and_non_matches() -> None:
    lexicon = load_lexicon()
    found = lexicon.match(_node(rid="com.x:id/tt_splash_skip_btn"))
    assert found is not None and found.source == "id"
    assert lexicon.match(_node(rid="com.x:id/iv_close")).score == 0.95  # type: ignore[union-attr]
    assert lexicon.match(_node(rid="com.x:id/btn_download")) is None
    assert lexicon.match(_node(text="立即下载，享受更多精彩内容吧")) is None
    assert lexicon.match(_node(text="首页")) is None
    assert normalise_label(" 跳过 (3秒) ") == "跳过"


def test_selector_targets() -> None:
    assert target_segment('[text="a"] + [name="b"] > [vid="iv_close"]') == '[vid="iv_close"]'
    assert target_segment('@View[clickable=true] <n FrameLayout < [vid="ad"]') == "@View[clickable=true]"
    assert target_literals('[text*="跳过"][text.length<10]') == [("text", "*=", "跳过")]
    assert ("vid", "$=", "tt_splash_skip_btn") in target_literals('[id$="tt_splash_skip_btn" || vid!*="download"]')


def test_build_counts_groups_and_excludes_feature_rules() -> None:
    table = {
        "rows": [
            {"category": "开屏广告", "rules": [{"matches": ['[text*="跳过"]']}]},
            {"category": "全屏广告", "rules": [{"matches": ['[text="广告"]', '[vid="iv_close"]']}]},
            {"category": "全屏广告", "rules": [{"matches": ['[vid="iv_close"]']}, {"matches": '[text="跳过"]'}]},
            {"category": "功能类", "rules": [{"matches": ['[text="签到"]']}, {"matches": ['[text="签到"]']}]},
            {"category": "评价提示", "rules": [{"matches": ['[text="签到"]']}]},
        ],
        "source": {"commit": "abc"},
    }
    lexicon = build(table, min_support=2)
    assert lexicon["text"] == {"跳过": 2}
    assert lexicon["vid"] == {"iv_close": 2}
    assert "abc" in lexicon["attribution"]
    matcher = Lexicon.from_json(lexicon)
    assert matcher.match(_node(rid="x:id/iv_close")) is not None


@pytest.mark.shared_data
def test_shipped_lexicon_is_what_the_gkd_table_gives() -> None:
    table = json.loads(shared_path("ui", "gkd", "gkdkit_rules_table.json").read_text(encoding="utf-8"))
    built = build(table)
    shipped = json.loads(lexicon_module.LEXICON_PATH.read_text(encoding="utf-8"))
    assert built == shipped, "re-run python -m ganzhi.training.ui.lexicon_build PATH/gkdkit_rules_table.json"
    assert built["text"]["跳过"] >= 40 and "iv_close" in built["vid"]
