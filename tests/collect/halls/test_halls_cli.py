"""`ganzhi halls check` and `ganzhi halls nearest` end to end on generated files."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from ganzhi.cli import app

HALLS = (
    "id,operator,name,adcode,lat,lon,port_out,port_in,opened_on\n"
    "m1,中国移动,朝阳营业厅,110105,39.92,116.44,是,是,2021-12-01\n"
    "m2,中国移动,海淀营业厅,110108,,,是,是,2021-12-02\n"
    "m3,中国移动,西城营业厅,110102,39.91,116.36,否,是,2019-01-01\n"
    "bad,中国移动,坏行,12345,39.9,116.4,是,否,\n"
)
PUBLISHED = "operator,name\n中国移动,朝阳营业厅\n中国移动,西城营业厅\n"


def _files(tmp_path: Path) -> tuple[Path, Path]:
    registry = tmp_path / "halls.csv"
    registry.write_text(HALLS, encoding="utf-8")
    published = tmp_path / "published.csv"
    published.write_text(PUBLISHED, encoding="utf-8")
    return registry, published


def test_halls_check_json_reports_results_and_bad_rows(tmp_path: Path) -> None:
    registry, published = _files(tmp_path)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        app, ["halls", "check", "-r", str(registry), "-p", str(published), "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 2, result.output  # one rejected row
    doc = json.loads(out.read_text(encoding="utf-8"))
    text = json.dumps(doc, ensure_ascii=False)
    assert "t9_halls_list_consistent" in text and "t9_halls_layout" in text and "t9_halls_new_count" in text
    assert "12345" in text  # the rejected row is reported
    consistent = [r for r in doc["results"] if r["check_id"] == "t9_halls_list_consistent"]
    assert consistent[0]["status"] == "FAIL"
    assert consistent[0]["data"]["missing"] == 1 and consistent[0]["data"]["stale"] == 1


def test_halls_check_xlsx(tmp_path: Path) -> None:
    registry, published = _files(tmp_path)
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(
        app, ["halls", "check", "-r", str(registry), "-p", str(published), "--format", "xlsx", "-o", str(out)]
    )
    assert result.exit_code == 2, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["结果 results", "错误行 rejected rows"]
    assert book["错误行 rejected rows"].max_row == 2


def test_halls_nearest(tmp_path: Path) -> None:
    registry, _ = _files(tmp_path)
    result = CliRunner().invoke(
        app,
        ["halls", "nearest", "-r", str(registry), "--lat", "39.93", "--lon", "116.45", "--k", "3", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [h["id"] for h in doc["halls"]] == ["m1", "m2"]  # m3 does not handle port-out
    assert doc["halls"][1]["location_source"] == "county_centroid"
    bad = CliRunner().invoke(app, ["halls", "nearest", "-r", str(registry), "--lat", "116.4", "--lon", "39.9"])
    assert bad.exit_code == 1 and "outside China" in bad.output
