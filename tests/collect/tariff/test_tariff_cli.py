"""`ganzhi tariff check` end to end on a real XLSX catalogue: table, JSON and XLSX reports."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from tariff_fixtures import plan_records, write_xlsx
from typer.testing import CliRunner

from ganzhi.cli.tariff import app


def test_json_report_names_findings_and_problems(tmp_path: Path) -> None:
    records = plan_records()
    records[2] = {**records[2], "上线日期": "2021-13-45"}
    catalogue = write_xlsx(tmp_path / "资费.xlsx", records)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["check", str(catalogue), "--format", "json", "--output", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    fails = {(r["check_id"], r["data"].get("plan_id") or r["data"].get("channel") or r["data"].get("pair"))
             for r in document["results"] if r["status"] == "FAIL"}  # fmt: skip
    assert ("t1_tariff_misleading_name", "21SH0001") in fails
    assert ("t1_tariff_overage_price", "21SH0003") in fails
    assert ("t1_tariff_channel_entry", "agent") in fails
    assert ("t1_tariff_name_duplicates", "21SH0004|21SH0005") in fails
    assert document["meta"]["plans"] == 10
    assert document["problems"] == [
        {"level": "error", "where": f"{catalogue}, sheet 资费公示, row 6", "field": "上线日期",
         "message": "expected a date such as 2021-12-31 for 上线日期, got '2021-13-45'"}
    ]  # fmt: skip
    params = next(r for r in document["results"] if r["check_id"] == "t1_tariff_overage_price")["params"]
    assert params["max_unit_price"]["label"] == "configurable default"


def test_xlsx_report_and_table(tmp_path: Path) -> None:
    catalogue = write_xlsx(tmp_path / "c.xlsx")
    out = tmp_path / "r.xlsx"
    runner = CliRunner()
    result = runner.invoke(app, ["check", str(catalogue), "--format", "xlsx", "--output", str(out), "--fail-on-fail"])
    assert result.exit_code == 1  # the fixture has real findings
    wb = load_workbook(out)
    assert wb.sheetnames == ["检查结果", "汇总", "导入问题", "说明"]
    rows = list(wb["检查结果"].iter_rows(values_only=True))
    assert rows[0][2] == "检查项"
    assert any(row[2] == "t1_tariff_overage_price" and row[9] == "FAIL" for row in rows[1:])
    table = runner.invoke(app, ["check", str(catalogue), "--lang", "en"])
    assert table.exit_code == 0
    assert "Results" in table.output
    assert "FAIL 9" in table.output


def test_unreadable_catalogue_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "c.json"
    bad.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(bad), "--format", "json"])
    assert result.exit_code == 1
    assert "not valid JSON: line 1" in result.output
    missing_out = CliRunner().invoke(app, ["check", str(bad), "--format", "xlsx"])
    assert missing_out.exit_code == 2
