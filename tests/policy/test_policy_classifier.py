from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ganzhi.cli import app
from ganzhi.policy.analyze import analyze_document
from ganzhi.policy.classifier import default_classifier
from ganzhi.policy.ingest import read_policy_bytes
from ganzhi.policy.labels import TOPICS
from ganzhi.policy.train import evaluate_split

CAPP = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "policy" / "capp130"


def test_packaged_model_labels_obvious_sentences() -> None:
    labels = default_classifier().predict(
        ["我们会收集您的手机号码用于注册。", "如您对本政策有任何疑问，请拨打客服电话联系我们。"]
    )
    assert "数据收集" in labels[0].topics and labels[0].summary
    assert "联系方式" in labels[1].topics
    assert all(t in TOPICS for lab in labels for t in lab.topics)


def test_classify_cli_contract(tmp_path: Path) -> None:
    src = tmp_path / "s.jsonl"
    src.write_text('{"id": "a", "text": "我们会收集您的位置信息。"}\n{"id": 2}\n', encoding="utf-8")
    out = tmp_path / "labels.jsonl"
    result = CliRunner().invoke(app, ["policy", "classify", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and set(rows[0]) == {"id", "topics", "summary", "risk"} and rows[0]["id"] == "a"


def test_summary_section_found_in_policy() -> None:
    text = "隐私政策\n一、隐私政策摘要\n我们收集手机号码用于登录。\n二、我们如何收集信息\n我们收集位置信息。".encode()
    analysis = analyze_document(read_policy_bytes(text, "p.txt"))
    assert analysis.summary is not None and analysis.summary.how == "section"
    assert analysis.summary.pi_categories == ["phone_number"]


def test_dev_split_scores_meet_the_measured_floor() -> None:
    if not (CAPP / "policy_level_split.csv").is_file():
        pytest.skip(f"CAPP-130 absent at {CAPP}")
    scores = evaluate_split(CAPP, "dev", default_classifier())
    assert scores.topic_micro_f1 >= 0.78 and scores.summary_f1 >= 0.85 and scores.risk_f1 >= 0.5
