"""CSV: fixed columns, parses back, Chinese survives, formulas are neutralised."""

from __future__ import annotations

import csv
import io
import json

from findings.finding_factory import HALL, make_result
from ganzhi.evidence.status import Status
from ganzhi.i18n import Text
from ganzhi.outputs.csv_out import COLUMN_IDS, COLUMNS, results_to_csv, write_csv
from ganzhi.outputs.sheets import inert

PARAMS = {
    "max_close_seconds": {"value": 5, "unit": "s", "label": "official"},
    "min_button_px": {"value": 24, "unit": "px", "label": "configurable default"},
}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_result_with_fixed_columns() -> None:
    results = [
        make_result(location="com.example.shop/.SplashActivity", params=PARAMS),
        make_result(check_id="t9_port_hall_list", subject=HALL, status=Status.PASS, data={"hall": "bj-0001"}),
    ]
    rows = _rows(results_to_csv(results))
    assert len(rows) == 2
    assert tuple(rows[0]) == COLUMN_IDS
    hall, app = rows  # T9 sorts before T11
    assert hall["subject_name"] == "北京西单营业厅"
    assert hall["status_zh"] == "通过"
    assert hall["subject_version"] == ""
    assert app["status"] == "FAIL"
    assert app["status_zh"] == "不通过"
    assert app["severity_zh"] == "高"
    assert app["message_zh"] == "状态FAIL：SDK com.umeng 未在共享清单中列出"
    assert app["enterprise"] == "示例科技有限公司"
    assert app["requirement_ids"] == "T11.sdk-inventory"
    assert app["location"] == "com.example.shop/.SplashActivity"
    assert app["params"] == "max_close_seconds=5 s（官方规定）; min_button_px=24 px（可配置默认值）"
    assert app["params_en"] == "max_close_seconds=5 s (official); min_button_px=24 px (configurable default)"
    assert json.loads(app["data"]) == {"sdk": "com.umeng"}
    assert app["fingerprint"] == results[0].fingerprint
    assert (app["creates_issues"], app["duration_ms"]) == ("true", "1.500")


def test_every_cell_parses_back_to_the_model_value() -> None:
    result = make_result(message=Text(zh='含逗号,引号"和\n换行的说明', en='comma, quote " newline'))
    row = _rows(results_to_csv([result]))[0]
    for column in COLUMNS:
        assert row[column.id] == column.value(result), column.id


def test_chinese_headers() -> None:
    header = next(csv.reader(io.StringIO(results_to_csv([], header_lang="zh"))))
    assert header[:3] == ["运行编号", "任务", "检查项"]
    assert "结论说明" in header
    assert len(header) == len(COLUMN_IDS)


def test_formula_like_text_is_neutralised() -> None:
    for raw in ('=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx"):
        assert inert(raw) == "'" + raw
    assert inert("普通文本") == "普通文本"
    result = make_result(subject=HALL.model_copy(update={"name": "=cmd|' /C calc'!A0"}))
    assert _rows(results_to_csv([result]))[0]["subject_name"] == "'=cmd|' /C calc'!A0"


def test_write_csv_uses_a_bom_for_excel(tmp_path) -> None:
    path = tmp_path / "results.csv"
    assert write_csv(path, [make_result()], header_lang="zh") == 1
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["结论说明"] == "状态FAIL：SDK com.umeng 未在共享清单中列出"
