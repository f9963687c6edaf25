"""Readability measures (rare-word share) and their calibration on the real CAPP-130 summaries."""

from __future__ import annotations

from ganzhi.rules.policy.readability import measure, rare_word_share, sentence_figures
from ganzhi.training.policy.calibration import figures, real_summaries
from shared_data import shared_path


def test_rare_word_share_separates_plain_from_obscure_text() -> None:
    plain = rare_word_share("我们会收集您的手机号码，用于帮您注册和登录。")
    obscure = rare_word_share("本应用藉由去标识化哈希散列与差分隐私扰动机制对设备指纹进行脱敏化处置。")
    assert 0 <= plain < obscure <= 1
    assert rare_word_share("ABC 123") == 0.0
    assert measure(["我们收集手机号码。"]).rare_word_share == round(rare_word_share("我们收集手机号码。"), 4)


def test_sentence_figures_match_the_check_definition() -> None:
    avg, share, long_ones = sentence_figures(["短句。", "这是一个相当长的句子" * 6], 50)
    assert avg == (3 + 60) / 2 and share == 0.5 and len(long_ones) == 1
    assert sentence_figures([], 50) == (0.0, 0.0, [])


def test_real_summaries_are_found_and_measured() -> None:
    originals = shared_path("policy", "capp130", "Original_policies")
    found = dict(real_summaries(originals))
    assert len(found) >= 8
    assert "汽水音乐.txt" in found and "小红书.txt" in found
    assert not any("完整版" in s for s in found["汽水音乐.txt"])
    values = figures(found["汽水音乐.txt"])
    assert set(values) == {
        "avg_sentence_chars",
        "long_sentence_share",
        "vague_per_100_chars",
        "jargon_per_100_chars",
        "rare_word_share",
    }
    assert 20 < values["avg_sentence_chars"] < 80
