"""`ganzhi catalog validate|show|export|check-overrides` through Typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import typer
import yaml
from catalog_copies import break_file, copy_catalog
from openpyxl import load_workbook
from typer.testing import CliRunner

from ganzhi.catalog.loader import default_catalog
from ganzhi.catalog.schema import Automation


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    from ganzhi.cli.catalog import app as catalog_app

    return catalog_app


def _run(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.stdout, result.stderr


def test_validate_ok(app: typer.Typer) -> None:
    code, out, _ = _run(app, "validate")
    catalog = default_catalog()
    assert code == 0
    automated = sum(1 for r in catalog.requirements() if r.automation is Automation.AUTOMATED)
    assert out.startswith(f"catalog OK: 11 tasks, {len(catalog.requirements())} requirements ({automated} automated")
    assert "official" in out
    assert "configurable default" in out
    assert len(out.strip().splitlines()) == 1


def test_validate_broken_catalog_exits_1(app: typer.Typer, tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    path = break_file(root, "tasks/T9.yaml", "checks: [t9_port_fees_settled]", "checks: []")
    code, out, err = _run(app, "validate", "--data-dir", str(root))
    assert code == 1
    assert out == ""
    assert str(path) in err
    assert "T9.eligibility.fees-settled" in err


def test_show_all_tasks_zh(app: typer.Typer) -> None:
    code, out, _ = _run(app, "show")
    assert code == 0
    for number in range(1, 12):
        assert f"T{number} " in out
    assert "官方" in out
    assert "可配置默认值" in out


def test_show_one_task_en(app: typer.Typer) -> None:
    code, out, _ = _run(app, "show", "t9", "--lang", "en")
    assert code == 0
    assert "T9.eligibility.min-interval" in out
    assert "T1." not in out
    assert "official" in out


def test_show_unknown_task(app: typer.Typer) -> None:
    code, _, err = _run(app, "show", "T12")
    assert code == 1
    assert "T12" in err
    assert "T11" in err


def test_export_json_to_stdout(app: typer.Typer) -> None:
    code, out, _ = _run(app, "export", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [task["id"] for task in data["tasks"]] == [f"T{n}" for n in range(1, 12)]


def test_export_csv_file_parses_back(app: typer.Typer, tmp_path: Path) -> None:
    out_file = tmp_path / "catalog.csv"
    code, _, err = _run(app, "export", "--format", "csv", "--output", str(out_file), "--lang", "en")
    assert code == 0
    assert str(out_file) in err
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(default_catalog().requirements())
    assert rows[0]["requirement"] == "T1.channel-entry.business-hall"


def test_export_xlsx(app: typer.Typer, tmp_path: Path) -> None:
    out_file = tmp_path / "catalog.xlsx"
    code, _, _ = _run(app, "export", "--format", "xlsx", "--output", str(out_file))
    assert code == 0
    workbook = load_workbook(out_file, read_only=True)
    rows = list(workbook["requirements"].iter_rows(values_only=True))
    workbook.close()
    assert len(rows) == len(default_catalog().requirements()) + 1
    code, _, err = _run(app, "export", "--format", "xlsx")
    assert code == 2
    assert "--out" in err


def test_check_overrides(app: typer.Typer, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump({"params": {"T10.time-to-human": {"max_seconds": 20}}}), encoding="utf-8")
    code, out, _ = _run(app, "check-overrides", str(good))
    assert code == 0
    assert "overrides OK: 1 params in 1 requirements" in out
    assert "30 → 20" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"params": {"T10.time-to-human": {"max_seconds": -1}}}), encoding="utf-8")
    code, _, err = _run(app, "check-overrides", str(bad))
    assert code == 1
    assert "T10.time-to-human.max_seconds" in err
    assert "must be >= 0" in err
