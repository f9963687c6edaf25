"""`app audit`: one APK through scan → lists → every T3/T6/T7/T11 check, one report in every format."""

from __future__ import annotations

import json
from pathlib import Path

from tests.collect.apk.apk_forge_cases import write_demo

from ganzhi.collect.apk.sdkpresence import counted
from ganzhi.collect.lists.apk_facts import as_match, counted_matches
from ganzhi.usecases.apk_scan import ScanJob, scan_one
from ganzhi.usecases.app_audit import audit_app, write_audit
from ganzhi.usecases.policy_report import run_analysis


def _shared_list(tmp: Path, names: list[str]) -> Path:
    path = tmp / "shared.csv"
    rows = "\n".join(f"{n},统计分析,设备标识" for n in names)
    path.write_text("第三方名称,使用目的,个人信息字段\n" + rows + "\n", encoding="utf-8")
    return path


def test_audit_runs_t11_and_the_list_checks_and_writes_every_format(tmp_path: Path) -> None:
    apk = write_demo(tmp_path)
    report = audit_app(apk, lists=[_shared_list(tmp_path, ["某无关SDK"])])
    checks = {r.check_id for r in report.results}
    assert {"t11_self_start", "t11_pi_before_consent", "t3_apk_sensitive_permissions"} <= checks
    assert any(c.startswith("t7_") for c in checks) and any(c.startswith("t6_") for c in checks)
    inventory = [r for r in report.results if r.check_id == "t11_sdk_inventory"]
    assert any(r.data.get("reason") == "DECLARED_OR_STUB" for r in inventory)  # the forge's SDKs are 1-class stubs
    assert all(r.status.value != "FAIL" for r in inventory)
    assert any(e.kind == "pi_list" for e in report.evidence)
    paths = write_audit(report, tmp_path / "out")
    doc = json.loads(paths[0].read_text(encoding="utf-8"))
    assert doc["app"]["package"] == "com.forge.demo" and doc["audit"]["counts"]
    sarif = json.loads(paths[1].read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    html = paths[2].read_text(encoding="utf-8")
    assert "com.forge.demo" in html and "t11_self_start" in html and "<script" not in html


def test_html_escapes_text_from_the_apk(tmp_path: Path) -> None:
    report = audit_app(write_demo(tmp_path))
    hostile = report.static.model_copy(update={"version_name": "<script>alert(1)</script>"})
    report.static = hostile
    page = report.to_html()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_only_sdks_with_code_reach_the_list_cross_check(tmp_path: Path) -> None:
    static = audit_app(write_demo(tmp_path)).static
    kept = counted(static.sdks)
    assert all(s.presence == "code" for s in kept)
    assert [m.id for m in map(as_match, kept)] == [s.id for s in kept]
    assert [m.id for m in counted_matches(static)] == [s.id for s in kept]


def test_scan_apk_evidence_file_is_accepted_by_policy_analyze(tmp_path: Path) -> None:
    apk = write_demo(tmp_path)
    record = scan_one(ScanJob(str(apk), out_dir=str(tmp_path / "scan"), name="demo"))
    assert record.ok, record.error
    evidence_file = tmp_path / "scan" / "demo.evidence.json"
    assert str(evidence_file) in record.files
    policy = tmp_path / "policy.txt"
    policy.write_text("隐私政策\n我们收集您的设备标识用于统计分析。\n", encoding="utf-8")
    result = run_analysis(str(policy), apk_report=evidence_file)
    assert result["findings"], result["problems"]
