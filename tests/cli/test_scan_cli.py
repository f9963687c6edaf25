from __future__ import annotations

import json
from pathlib import Path

from tests.collect.apk.apk_forge_cases import write_demo
from typer.testing import CliRunner

from ganzhi.cli import app

runner = CliRunner()
REQUIRED = (
    "app",
    "permissions",
    "components",
    "sdks",
    "api_calls",
    "self_start",
    "associated_start",
    "pre_consent",
    "packers",
    "results",
)


def test_scan_directory_writes_json_and_sarif_and_resumes(tmp_path: Path) -> None:
    apks = tmp_path / "apks"
    apks.mkdir()
    write_demo(apks, name="good.apk")
    (apks / "broken.apk").write_bytes(b"PK\x03\x04 not really a zip")
    out = tmp_path / "out"
    result = runner.invoke(app, ["scan", "apk", str(apks), "--output", str(out), "--format", "json"])
    assert result.exit_code == 2, result.output  # one bad APK: error record, batch goes on
    report = json.loads((out / "good.json").read_text(encoding="utf-8"))
    assert all(key in report for key in REQUIRED)
    assert report["app"]["package"] == "com.forge.demo" and len(report["app"]["sha256"]) == 64
    assert {"name", "sensitive"} <= set(report["permissions"][0])
    receivers = report["components"]["receivers"]
    assert any(r["actions"] == ["android.intent.action.BOOT_COMPLETED"] for r in receivers)
    call = report["api_calls"][0]
    assert "->" in call["api"] and call["caller_class"].startswith("L") and call["caller_class"].endswith(";")
    statuses = {(r["check_id"], r["status"]) for r in report["results"]}
    assert ("t11_self_start", "FAIL") in statuses and ("t11_pi_before_consent", "WARN") in statuses
    sarif = json.loads((out / "good.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert "broken.apk" in json.loads((out / "broken.error.json").read_text(encoding="utf-8"))["file"]
    again = runner.invoke(app, ["scan", "apk", str(apks), "--output", str(out), "--resume", "--format", "json"])
    assert "skipped 1" in again.output  # the good APK is done; only the broken one is retried


def test_scan_single_apk_to_stdout_json(tmp_path: Path) -> None:
    apk = write_demo(tmp_path)
    result = runner.invoke(app, ["scan", "apk", str(apk), "--format", "json"])
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    assert reports[0]["app"]["package"] == "com.forge.demo"
    missing = runner.invoke(app, ["scan", "apk", str(tmp_path / "nope.apk")])
    assert missing.exit_code == 1


def test_scan_writes_apk_static_evidence_that_policy_readers_accept(tmp_path: Path) -> None:
    from ganzhi.evidence.apk import ApkStatic

    apk = write_demo(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["scan", "apk", str(apk), "--output", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    raw = json.loads((out / "demo.evidence.json").read_text(encoding="utf-8"))
    assert raw["kind"] == "apk_static"
    static = ApkStatic.model_validate(raw["data"])  # what `policy analyze --apk-report` reads
    assert static.package == "com.forge.demo" and "pre_consent" in static.analyses
