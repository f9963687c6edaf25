"""Meaning-level matching of the 5G rules: reminders in other word orders, negation scope before a cue, and
activation without consent."""

from __future__ import annotations

import pytest

from ganzhi.collect.marketing.matcher import analyze


def _live(text: str) -> set[str]:
    """Rule ids matched and not negated."""
    return {m.rule_id for m in analyze(text, material="transcript").matches if m.negated_by is None}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("有没有5G信号，您打10086或者到营业厅都可以查询覆盖情况。", "reminder.coverage"),
        ("所在地区5G信号覆盖情况可以在营业厅或者APP里查到。", "reminder.coverage"),
        ("手机需要支持5G才能使用5G网络。", "reminder.terminal"),
        ("如果您的手机不是5G手机，是用不了5G网络的。", "reminder.terminal"),
        ("5G网络要搭配5G终端使用。", "reminder.terminal"),
        ("坐席：没关系的，这个很划算，我直接给您开通了啊，下个月生效。", "redline.forced-upgrade"),
    ],
)
def test_said_in_other_words(text: str, rule: str) -> None:
    assert rule in _live(text)


@pytest.mark.parametrize(
    "text",
    [
        "坐席：我不是说您必须升级5G套餐，只是给您介绍一下。",
        "坐席：跟您说实话，5G并不是全市都覆盖的。",
        "客服：5G网速要看信号，不能保证任何地方都满速。",
        "客服：您看需要的话，我这边先给您开通5G体验包，您回复短信“是”确认后才生效。",
        "客服：这个体验包不会自动续费，也不会给您自动升级5G套餐。",
    ],
)
def test_negated_or_consented_is_not_a_red_line(text: str) -> None:
    assert not {r for r in _live(text) if r.startswith("redline.")}


def test_a_negator_in_another_clause_does_not_cancel() -> None:
    assert "redline.exaggeration" in _live("客服：不是我吹，现在5G全市覆盖，信号满格。")
