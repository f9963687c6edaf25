from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.shared_data import shared_path
from typer.testing import CliRunner

from ganzhi.cli import app
from ganzhi.forge.ui import scenarios
from ganzhi.forge.ui.bundles import render_png, uiautomator_xml

runner = CliRunner()


def test_detect_close_json_contract(tmp_path: Path) -> None:
    screen = scenarios.splash_screen(close=scenarios.close_button(48, 4.5))
    png, xml = tmp_path / "s.png", tmp_path / "s.xml"
    png.write_bytes(render_png(screen, 1080, 2400))
    xml.write_bytes(uiautomator_xml(screen, scenarios.PACKAGE))
    result = runner.invoke(
        app,
        [
            "ui",
            "detect-close",
            "--image",
            str(png),
            "--hierarchy",
            str(xml),
            "--density",
            "440",
            "--templates",
            str(tmp_path),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout[result.stdout.index("{") :])
    top = body["candidates"][0]
    assert top["bounds"] == [904, 110, 1036, 242] and top["source"].startswith("text") and top["score"] == 1.0
    assert top["min_side_dp"] == 48


def test_detect_close_bad_inputs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"nope")
    result = runner.invoke(app, ["ui", "detect-close", "--image", str(bad), "--templates", str(tmp_path)])
    assert result.exit_code == 1 and "bad.png" in result.output and "not a readable image" in result.output


def test_check_bundles_json_and_sarif(tmp_path: Path) -> None:
    good = scenarios.cold_start(tmp_path / "good")
    broken = tmp_path / "broken"
    broken.mkdir()
    out = tmp_path / "r.sarif"
    evidence = tmp_path / "e.jsonl"
    result = runner.invoke(
        app,
        [
            "ui",
            "check",
            str(good),
            str(broken),
            "--format",
            "sarif",
            "--output",
            str(out),
            "--evidence-out",
            str(evidence),
            "--templates",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "bundle.json is missing" in result.output
    sarif = json.loads(out.read_text(encoding="utf-8"))
    rules = {r["id"] for run in sarif["runs"] for r in run["tool"]["driver"]["rules"]}
    assert "t4_close_control_findable" in rules
    assert json.loads(evidence.read_text(encoding="utf-8").splitlines()[0])["kind"] == "ui_episode"
    as_json = runner.invoke(app, ["ui", "check", str(good), "--format", "json", "--templates", str(tmp_path)])
    assert as_json.exit_code == 0, as_json.output
    assert '"t4_close_control_effective"' in as_json.stdout


def test_import_command_requires_density(tmp_path: Path) -> None:
    shot = tmp_path / "a.png"
    shot.write_bytes(render_png(scenarios.home_screen(), 540, 1200))
    missing = runner.invoke(
        app, ["ui", "import", "screenshots", str(shot), "--output", str(tmp_path / "b"), "--package", "com.x"]
    )
    assert missing.exit_code == 1 and "--density is required" in missing.output
    ok = runner.invoke(
        app,
        [
            "ui",
            "import",
            "screenshots",
            str(shot),
            "--output",
            str(tmp_path / "b"),
            "--package",
            "com.x",
            "--density",
            "320",
        ],
    )
    assert ok.exit_code == 0, ok.output


@pytest.mark.shared_data
def test_evaluate_aidui_on_two_labelled_screens(tmp_path: Path) -> None:
    images = shared_path("ui", "aidui", "mobile_nagging_png")
    templates = shared_path("ui", "uiguard", "AdClose")
    labels = json.loads((Path(__file__).resolve().parents[3] / "labels" / "aidui_close_controls.json").read_text())
    subset = {"version": 1, "images": {k: labels["images"][k] for k in ("13179.png", "10345.png")}}
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(subset), encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "ui",
            "evaluate-aidui",
            "--labels",
            str(path),
            "--images",
            str(images),
            "--templates",
            str(templates),
            "--ocr",
            "off",
            "--folds",
            "2",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["images"] == 2 and report["ocr"] is False
    assert report["at_threshold"]["recall_by_kind"]["icon"]["recall"] == 1.0
    assert report["held_out"]["folds"] == 2 and len(report["held_out"]["per_fold"]) == 2
