"""Exports read back to the same catalog (JSON) or one row per requirement (CSV, Excel)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from rich.console import Console

from ganzhi.catalog.export import (
    PARAM_COLUMNS,
    REQUIREMENT_COLUMNS,
    basis_label,
    param_rows,
    requirement_rows,
    to_json,
)
from ganzhi.catalog.loader import default_catalog
from ganzhi.catalog.schema import Basis, Catalog
from ganzhi.catalog.tree import catalog_tree
from ganzhi.outputs.catalog_tables import to_csv, write_xlsx


def test_json_round_trip() -> None:
    catalog = default_catalog()
    text = to_json(catalog)
    assert "携号转网" in text  # Chinese stays readable
    assert Catalog.model_validate_json(text) == catalog


def test_csv_one_row_per_requirement() -> None:
    catalog = default_catalog()
    rows = list(csv.DictReader(io.StringIO(to_csv(catalog))))
    assert [row["requirement"] for row in rows] == [req.id for req in catalog.requirements()]
    assert tuple(rows[0]) == REQUIREMENT_COLUMNS
    by_id = {row["requirement"]: row for row in rows}
    interval = by_id["T9.eligibility.min-interval"]
    assert interval["automation"] == "automated"
    assert interval["checks"] == "t9_port_min_interval"
    assert "min_days=120 natural_day (官方)" in interval["params"]
    assert "[V]" in interval["sources"]
    assert by_id["T6.list.exists"]["deadline_label"] == "I"


def test_english_rows_use_english_labels() -> None:
    rows = {row["requirement"]: row for row in requirement_rows(default_catalog(), "en")}
    assert rows["T4.close-control"]["title"] == "The close control is easy to find"
    assert "(configurable default)" in str(rows["T4.close-control"]["params"])
    assert basis_label(Basis.OFFICIAL, "en") == "official"


def test_xlsx_sheets(tmp_path: Path) -> None:
    catalog = default_catalog()
    path = tmp_path / "catalog.xlsx"
    write_xlsx(catalog, path)
    workbook = load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["requirements", "params"]
    req_rows = list(workbook["requirements"].iter_rows(values_only=True))
    assert req_rows[0] == REQUIREMENT_COLUMNS
    assert len(req_rows) - 1 == len(catalog.requirements())
    param_sheet = list(workbook["params"].iter_rows(values_only=True))
    assert param_sheet[0] == PARAM_COLUMNS
    param_count = sum(len(r.params) for r in catalog.requirements())
    assert len(param_sheet) - 1 == len(param_rows(catalog)) == param_count
    workbook.close()


def _render(catalog: Catalog, task_id: str | None, lang: str) -> str:
    console = Console(width=220, record=True, file=io.StringIO())
    console.print(catalog_tree(catalog, task_id, "en" if lang == "en" else "zh"))
    return console.export_text()


def test_tree_shows_tasks_requirements_and_param_labels() -> None:
    catalog = default_catalog()
    text = _render(catalog, None, "zh")
    for number in range(1, 12):
        assert f"T{number} " in text
    assert "min_days = 120 natural_day 官方" in text
    assert "可配置默认值" in text
    assert "[I] 未确认" in text
    only_t4 = _render(catalog, "T4", "en")
    assert "T4.shake-thresholds" in only_t4
    assert "T9." not in only_t4
    assert "min_acceleration = 15 m/s2 official" in only_t4
