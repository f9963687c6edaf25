"""`ganzhi app audit`: formats, the output directory, and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.collect.apk.apk_forge_cases import write_demo
from typer.testing import CliRunner

from ganzhi.cli.apps import app

runner = CliRunner()


def test_audit_to_a_directory_writes_json_sarif_and_html(tmp_path: Path) -> None:
    apk = write_demo(tmp_path)
    out = tmp_path / "report"
    result = runner.invoke(app, ["audit", str(apk), "-o", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["demo.audit.json", "demo.html", "demo.sarif"]
    assert json.loads((out / "demo.audit.json").read_text(encoding="utf-8"))["app"]["package"] == "com.forge.demo"


def test_audit_json_to_stdout_and_missing_apk(tmp_path: Path) -> None:
    apk = write_demo(tmp_path)
    result = runner.invoke(app, ["audit", str(apk), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["audit"]["tasks"] == ["T3", "T6", "T7", "T11"]
    missing = runner.invoke(app, ["audit", str(tmp_path / "nope.apk")])
    assert missing.exit_code == 1 and "nope.apk" in missing.output


def test_audit_pdf_needs_an_output_and_writes_a_pdf(tmp_path: Path) -> None:
    apk = write_demo(tmp_path)
    no_file = runner.invoke(app, ["audit", str(apk), "-f", "pdf"])
    assert no_file.exit_code == 2
    pytest.importorskip("weasyprint", reason="the pdf extra (WeasyPrint) is not installed")
    from ganzhi.supervision.render.pdf import font_installed

    if not font_installed():
        pytest.skip("fonts-noto-cjk is not installed")
    result = runner.invoke(app, ["audit", str(apk), "-f", "pdf", "-o", str(tmp_path / "a.pdf")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
