"""12300-style complaint exports: Chinese headers (省份, 企业, 投诉内容, 日期) in CSV and XLSX, the province kept
(or taken from the enterprise), bad rows reported with their row number and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ganzhi.catalog.schema import EnterpriseType
from ganzhi.errors import RowProblem
from ganzhi.outputs.sheets import Sheet, to_xlsx
from ganzhi.store.complaint_repo import complaint_rows
from ganzhi.supervision.complaints.classifier import Prediction
from ganzhi.supervision.complaints.intake import ComplaintIn, read_complaints
from ganzhi.supervision.models import Enterprise
from supervision.sv_factory import uscc

HEADER = ["省份", "企业", "投诉内容", "日期"]
ROWS = [
    ["广东", "示例通信", "携号转网被营业厅拒绝", dt.datetime(2022, 1, 5, 9, 30)],
    ["", "示例通信", "套餐资费说明不清楚", "2022-01-06"],
    ["北京", "", "", "2022-01-07"],
    ["北京", "无名公司", "客服热线打不通", "2022-13-01"],
]


def test_xlsx_and_csv_with_12300_headers_read_the_same(tmp_path: Path) -> None:
    xlsx = tmp_path / "12300.xlsx"
    xlsx.write_bytes(to_xlsx([Sheet(title="投诉", header=HEADER, rows=ROWS)]))
    csv = tmp_path / "12300.csv"
    lines = [",".join(HEADER)] + [",".join(str(v.date() if isinstance(v, dt.datetime) else v) for v in r) for r in ROWS]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    for path in (xlsx, csv):
        found = list(read_complaints(path))
        good = [c for c in found if isinstance(c, ComplaintIn)]
        bad = [p for p in found if isinstance(p, RowProblem)]
        assert [c.province for c in good] == ["广东", None], path
        assert good[0].received_on == dt.date(2022, 1, 5) and good[0].enterprise == "示例通信"
        assert [(p.row, p.field) for p in bad] == [(4, "text"), (5, "date")], path


def test_province_comes_from_the_file_else_from_the_enterprise() -> None:
    enterprise = Enterprise(
        id="op-1", name="示例通信", uscc=uscc(1), type=EnterpriseType.BASIC_TELECOM_OPERATOR, province="江苏"
    )
    items = [
        ComplaintIn("a", "携号转网被拒", dt.date(2022, 1, 5), "示例通信", "12300", "f:2", "广东"),
        ComplaintIn("b", "资费不清", dt.date(2022, 1, 6), "示例通信", "12300", "f:3", None),
        ComplaintIn("c", "热线打不通", dt.date(2022, 1, 7), "无名公司", "12300", "f:4", None),
    ]
    predictions = [Prediction("T9", 0.9), Prediction("T1", 0.8), Prediction("T10", 0.7)]
    rows = complaint_rows(items, predictions, [enterprise], model="m", at=dt.datetime(2022, 2, 1, tzinfo=dt.UTC))
    assert [(r.province, r.enterprise_id, r.task) for r in rows] == [
        ("广东", "op-1", "T9"),
        ("江苏", "op-1", "T1"),
        (None, None, "T10"),
    ]
