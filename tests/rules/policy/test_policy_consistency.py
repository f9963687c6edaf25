"""Summary faithfulness and policy/list/APK consistency, from text through the checks."""

from __future__ import annotations

import json
from pathlib import Path

from forge.apk.forge_fixtures import sample_apk
from ganzhi.collect.apk.reader import apk_evidence, read_apk
from ganzhi.collect.policy.analyze import analyze_document
from ganzhi.collect.policy.ingest import read_policy_bytes
from ganzhi.forge.apk.builder import write_apk
from ganzhi.rules.policy.consistency import policy_claims, summary_and_policy, summary_faithfulness
from ganzhi.usecases.policy_report import run_analysis

POLICY = """隐私政策
一、隐私政策摘要
我们会收集您的手机号码和通讯录，用于好友推荐。
我们不会收集您的位置信息。
我们会将设备信息共享给极光推送SDK。
二、我们如何收集信息
我们会收集您的手机号码，用于注册登录。
为推荐附近门店，我们会收集您的位置信息。
我们会收集您的人脸信息用于实名认证。
"""


def _analysis(text: str, name: str = "p.txt"):  # type: ignore[no-untyped-def]
    return analyze_document(read_policy_bytes(text.encode(), name))


def test_summary_claims_checked_against_the_body() -> None:
    pair = summary_and_policy([_analysis(POLICY)])
    assert pair is not None
    summary, policy = pair
    assert summary.stated >= {"phone_number", "contacts"} and "location" in summary.denied
    found = {(f.problem, f.item) for f in summary_faithfulness(summary, policy)}
    assert ("UNSUPPORTED", "contacts") in found
    assert ("CONTRADICTED", "location") in found
    assert ("OMITS_SENSITIVE", "biometric") in found
    assert ("UNSUPPORTED_RECIPIENT", "极光推送SDK") in found or ("UNSUPPORTED", "device_id") in found
    assert ("UNSUPPORTED", "phone_number") not in found


def test_separate_summary_document_against_full_policy() -> None:
    full = _analysis("隐私政策\n我们会收集您的手机号码，用于注册登录。\n")
    summary = analyze_document(read_policy_bytes("我们会收集您的手机号码用于注册。".encode(), "s.txt"), is_summary=True)
    pair = summary_and_policy([summary, full])
    assert pair is not None
    assert summary_faithfulness(*pair) == []


def test_policy_denial_contradicted_by_the_apk(tmp_path: Path) -> None:
    apk = read_apk(write_apk(sample_apk(), tmp_path / "app.apk"))
    report = tmp_path / "apk_static.json"
    report.write_text(apk_evidence(apk).model_dump_json(), encoding="utf-8")
    policy = tmp_path / "policy.txt"
    policy.write_text("隐私政策\n我们不会收集您的位置信息。\n我们会收集您的设备信息用于安全风控。\n", encoding="utf-8")
    result = run_analysis(str(policy), apk_report=report)
    by_check = {}
    for item in result["findings"]:
        by_check.setdefault(item["check"], []).append(item)
    contradictions = [f for f in by_check["t6_policy_apk_consistency"] if f["status"] == "FAIL"]
    assert [f["data"]["category"] for f in contradictions] == ["location"]
    assert "ACCESS_FINE_LOCATION" in contradictions[0]["data"]["via"] or "getLastKnownLocation" in str(
        contradictions[0]["data"]["via"]
    )
    assert contradictions[0]["quotes"] == ["我们不会收集您的位置信息。"]
    json.dumps(result, ensure_ascii=False)


def test_policy_claims_keep_quotes() -> None:
    claims = policy_claims(_analysis(POLICY))
    assert claims.quotes["+biometric"] == "我们会收集您的人脸信息用于实名认证。"
