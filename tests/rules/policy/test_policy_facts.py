from __future__ import annotations

from ganzhi.rules.policy.facts import extract_facts
from ganzhi.rules.policy.readability import covered_items, measure


def test_negation_kept_as_negative_fact() -> None:
    facts = extract_facts([(0, "我们不会收集您的通讯录。"), (1, "我们会收集位置信息用于导航。")])
    by_cat = {f.category: f for f in facts}
    assert by_cat["contacts"].negated is True
    assert by_cat["location"].negated is False and by_cat["location"].purpose == "导航"


def test_conditional_is_not_a_denial() -> None:
    facts = extract_facts([(0, "未经您同意，我们不会与第三方共享您的位置信息。")])
    assert facts[0].negated is False and facts[0].action == "share"


def test_readability_and_coverage() -> None:
    r = measure(["短句。", "这是一个非常非常长的句子" * 6 + "。"])
    assert r.sentences == 2 and r.long_sentence_share == 0.5
    assert "保存期限" in covered_items(["信息保存期限为30天。"])
