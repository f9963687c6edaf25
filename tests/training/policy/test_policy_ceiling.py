from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ganzhi.cli import app
from ganzhi.training.policy.ceiling import annotation_ceiling
from ganzhi.training.policy.corpus import LabelledSentence

CAPP = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "policy" / "capp130"


def _sentence(group: str, text: str, *labels: str) -> LabelledSentence:
    return LabelledSentence(f"{group}.jsonl", group, text, labels, None)


def test_pairs_of_the_same_text_in_two_policies_score_each_other() -> None:
    sentences = [
        _sentence("a", "我们会收集您的手机号码。", "数据收集", "摘要"),
        _sentence("b", "我们会收集您的 手机号码。", "数据收集"),  # same text once whitespace is folded
        _sentence("a", "如有疑问请联系我们。", "联系方式", "摘要"),
        _sentence("b", "如有疑问请联系我们。", "联系方式", "摘要"),
        _sentence("a", "一、总则"),
    ]
    ceiling = annotation_ceiling(sentences)
    assert ceiling.pairs == 2 and ceiling.repeated_texts == 4
    assert ceiling.topic_pair_micro_f1 == 1.0
    # summary: one pair agrees on 摘要, the other has it on one side only → 2·2 / (2·2 + 1 + 1)
    assert ceiling.summary_pair_f1 == pytest.approx(4 / 6, abs=1e-4)
    assert ceiling.risk_pair_f1 == 0.0
    # 摘要 ⇔ has a topic: 3 true positives, 1 topic-bearing sentence without 摘要, no 摘要 without a topic
    assert ceiling.summary_oracle_f1 == pytest.approx(6 / 7, abs=1e-4)


def test_repeats_within_one_policy_are_not_pairs() -> None:
    sentences = [_sentence("a", "同一句。", "摘要", "使用"), _sentence("a", "同一句。", "使用")]
    assert annotation_ceiling(sentences).pairs == 0


def test_ceiling_cli_on_capp130() -> None:
    if not CAPP.is_dir():
        pytest.skip(f"CAPP-130 not found at {CAPP} (../shared/data/policy/capp130)")
    result = CliRunner().invoke(app, ["policy", "ceiling", "--data", str(CAPP)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["pairs"] > 10_000
    assert 0.5 < figures["summary_pair_f1"] < 0.95 and 0.5 < figures["summary_oracle_f1"] < 0.95


def test_ceiling_cli_names_a_missing_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["policy", "ceiling", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path}/policy_level_split.csv: split file not found" in result.output
