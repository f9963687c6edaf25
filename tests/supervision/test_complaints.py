"""Complaints: the labelled set is reproducible, the classifier generalises to held-out templates, intake is strict."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganzhi.errors import RowProblem
from ganzhi.supervision.complaints.dataset import LABELLED, LABELS, generate, read, split
from ganzhi.supervision.complaints.intake import ComplaintIn, read_complaints
from ganzhi.supervision.complaints.trends import StoredComplaint, monthly

pytest.importorskip("sklearn", reason="scikit-learn is needed for the complaint classifier")


def test_stored_set_is_what_the_generator_makes() -> None:
    stored = list(read(LABELLED))
    assert [(e.text, e.label) for e in stored] == [(e.text, e.label) for e in generate()]
    assert {e.label for e in stored} == set(LABELS) and len(LABELS) == 12
    assert all(sum(1 for e in stored if e.label == label) >= 250 for label in LABELS)
    train, test = split(stored)
    assert not {e.template for e in train} & {e.template for e in test}


def test_heldout_macro_f1_and_obvious_cases() -> None:
    from ganzhi.supervision.complaints.classifier import default_classifier, evaluate_heldout

    figures = evaluate_heldout()
    assert figures["macro_f1"] >= 0.75, figures
    texts = ["携号转网被营业厅拒绝，说有合约", "开屏广告关不掉，一点就跳转", "网盘免费用户下载限速太严重", ""]
    assert [p.label for p in default_classifier().predict(texts)] == ["T9", "T4", "T5", "other"]


def test_intake_reports_bad_rows_and_keeps_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"text": "客服热线打不通", "date": "2022-02-01", "enterprise": "demo-telecom", "channel": "12300"}\n'
        '{"text": "", "date": "2022-02-01"}\nnot json\n{"text": "x", "date": "2022/02/01"}\n',
        encoding="utf-8",
    )
    items = list(read_complaints(path))
    good = [i for i in items if isinstance(i, ComplaintIn)]
    bad = [i for i in items if isinstance(i, RowProblem)]
    assert len(good) == 1 and good[0].enterprise == "demo-telecom"
    assert [b.row for b in bad] == [2, 3, 4] and "YYYY-MM-DD" in str(bad[-1])


def test_monthly_trends_count_per_enterprise_task_month() -> None:
    def c(eid: str | None, task: str, day: str) -> StoredComplaint:
        return StoredComplaint("x", "t", day, eid, "某公司", "12300", task, 0.9)

    rows = monthly([c("a", "T4", "2022-02-01"), c("a", "T4", "2022-02-20"), c(None, "other", "2022-03-01")])
    assert rows == [("a", "T4", "2022-02", 2), ("某公司", "other", "2022-03", 1)]
