"""`ganzhi scan trace`: a dynamic trace alone, and together with its APK, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.collect.apk.apk_forge_cases import PKG, write_demo
from typer.testing import CliRunner

from ganzhi.cli import app

runner = CliRunner()
UMENG_BEFORE: dict[str, object] = {
    "timestamp": "2024-06-01T08:00:01Z",
    "api": "android.telephony.TelephonyManager.getDeviceId",
    "stack": ["android.telephony.TelephonyManager.getDeviceId", "com.umeng.analytics.MobclickAgent.init(Unknown)"],
}
CONSENT: dict[str, object] = {"event": "consent", "timestamp": "2024-06-01T08:00:05Z"}
AFTER: dict[str, object] = {
    "timestamp": "2024-06-01T08:00:09Z",
    "api": "android.location.LocationManager.getLastKnownLocation",
    "stack": ["com.forge.demo.Map.show"],
}


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_trace_alone_fails_the_sdk_call_before_consent(tmp_path: Path) -> None:
    trace = _write(tmp_path / "run.jsonl", [UMENG_BEFORE, CONSENT, AFTER])
    result = runner.invoke(app, ["scan", "trace", str(trace), "--package", PKG, "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["trace"]["consent_at"] == "2024-06-01T08:00:05+00:00"
    assert [row["sdk_id"] for row in report["before_consent"]] == ["umeng_analytics"]
    assert report["before_consent"][0]["caller"] == "com.umeng.analytics.MobclickAgent"
    assert report["evidence"][0]["kind"] == "apk_trace"
    statuses = {(r["check_id"], r["status"]) for r in report["results"]}
    assert statuses == {("t11_pi_before_consent_trace", "FAIL")}


def test_trace_after_consent_passes_and_table_output(tmp_path: Path) -> None:
    trace = _write(tmp_path / "ok.jsonl", [CONSENT, AFTER])
    result = runner.invoke(app, ["scan", "trace", str(trace), "-p", PKG], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "t11_pi_before_consent_trace" in result.stdout and "PASS" in result.stdout


def test_trace_with_apk_is_judged_with_the_static_analysis(tmp_path: Path) -> None:
    apk = write_demo(tmp_path)
    trace = _write(tmp_path / "run.jsonl", [UMENG_BEFORE, CONSENT])
    out = tmp_path / "report.json"
    args = ["scan", "trace", str(trace), "-p", PKG, "--apk", str(apk), "--format", "json", "--output", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    results = json.loads(out.read_text(encoding="utf-8"))["results"]
    combined = [r for r in results if r["check_id"] == "t11_pi_before_consent"]
    assert {r["data"]["basis"] for r in combined if r["status"] == "FAIL"} == {"dynamic"}
    assert any(r["status"] == "WARN" and r["data"]["basis"] == "static" for r in combined)
    trace_only = [r["status"] for r in results if r["check_id"] == "t11_pi_before_consent_trace"]
    assert trace_only == ["NOT_APPLICABLE"]


def test_bad_rows_are_reported_and_exit_2_wrong_apk_exit_1(tmp_path: Path) -> None:
    trace = tmp_path / "bad.jsonl"
    trace.write_text(json.dumps(CONSENT) + "\n{not json\n" + json.dumps({"timestamp": "x", "api": "a.B.c"}) + "\n")
    result = runner.invoke(app, ["scan", "trace", str(trace), "-p", PKG, "--format", "json"])
    assert result.exit_code == 2
    assert "bad.jsonl:2" in result.stderr and "bad.jsonl:3" in result.stderr
    apk = write_demo(tmp_path)
    wrong = runner.invoke(app, ["scan", "trace", str(trace), "-p", "com.other", "--apk", str(apk)])
    assert wrong.exit_code == 1 and "com.other" in wrong.stderr
    missing = runner.invoke(app, ["scan", "trace", str(tmp_path / "none.jsonl"), "-p", PKG])
    assert missing.exit_code == 1 and "none.jsonl" in missing.stderr
