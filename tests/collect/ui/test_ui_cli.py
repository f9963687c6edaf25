from __future__ import annotations

import json
import re
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
            "--no-recognition",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["images"] == 2 and report["ocr"] is False
    assert report["at_threshold"]["recall_by_kind"]["icon"]["recall"] == 1.0
    assert report["held_out"]["folds"] == 2 and len(report["held_out"]["per_fold"]) == 2


def test_detect_close_on_a_folder_in_one_process(tmp_path: Path) -> None:
    from ganzhi.forge.ui.screens import popup_png

    folder = tmp_path / "shots"
    folder.mkdir()
    (folder / "a.png").write_bytes(popup_png().png)
    (folder / "b.png").write_bytes(popup_png(with_popup=False).png)
    (folder / "c.png").write_bytes(b"not an image")
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    out = tmp_path / "d.json"
    result = runner.invoke(
        app, ["ui", "detect-close", str(folder), "--ocr", "off", "--templates", str(tmp_path), "-o", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert "c.png" in result.output
    body = json.loads(out.read_text(encoding="utf-8"))
    assert [Path(s["image"]).name for s in body["screens"]] == ["a.png", "b.png", "c.png"]
    first = body["screens"][0]
    assert set(first["recognition"]) >= {"is_ad", "probability", "present", "missing", "reason"}
    assert "error" in body["screens"][2]
    empty = tmp_path / "empty"
    empty.mkdir()
    none = runner.invoke(app, ["ui", "detect-close", str(empty), "--ocr", "off"])
    assert none.exit_code == 1 and "no screenshots" in none.output


def test_check_html_draws_the_recognised_popup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ganzhi.collect.ui import ocr
    from ganzhi.collect.ui.ocr import TextLine
    from ganzhi.forge.ui.screens import popup_png

    popup = popup_png()
    assert popup.dismiss is not None and popup.accept is not None and popup.card is not None
    lines = [
        TextLine((popup.card[0] + 20, popup.card[1] + 20, popup.card[0] + 80, popup.card[1] + 60), "Ad", 0.95),
        TextLine(popup.dismiss, "NO THANKS", 0.97),
        TextLine(popup.accept, "INSTALL", 0.98),
    ]

    class Reader:
        def read(self, rgb: object) -> list[TextLine]:
            return lines

    monkeypatch.setattr(ocr, "load_reader", lambda **_: Reader())
    monkeypatch.setattr(ocr, "ocr_installed", lambda: True)
    shot = tmp_path / "p.png"
    shot.write_bytes(popup.png)
    bundle = tmp_path / "shots"
    args = ["ui", "import", "screenshots", str(shot), "-o", str(bundle), "--package", "com.x", "--density", "440"]
    assert runner.invoke(app, args).exit_code == 0
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["ui", "check", str(bundle), "--ocr", "on", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "t4_close_control_findable" in page
    rows = re.findall(r"<tr><td>(t4_[a-z_]+)</td><td class='([A-Z_]+)'>", page)
    judged = {(check, status) for check, status in rows if check != "t4_shake_sensitivity"}
    assert ("t4_close_control_effective", "MANUAL") in judged and ("t4_fullscreen_jump", "MANUAL") in judged
    assert ("t4_close_control_findable", "PASS") in judged
    assert not any(status == "NOT_APPLICABLE" for _, status in judged)
