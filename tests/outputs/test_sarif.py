"""SARIF 2.1.0: schema-valid, one run per subject, kinds and levels, fingerprints, baseline states."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft4Validator

from findings.finding_factory import APP, HALL, T1, make_issue, make_result
from ganzhi.checks.metadata import CheckMetadata
from ganzhi.evidence.status import Severity, Status
from ganzhi.findings.models import IssueState
from ganzhi.findings.recheck import apply
from ganzhi.i18n import Text
from ganzhi.outputs.sarif import sarif_json, to_sarif, write_sarif
from shared_data import shared_path

CHECKS = {
    "t11_sdk_inventory": CheckMetadata(
        id="t11_sdk_inventory",
        task="T11",
        requirements=["T11.sdk-inventory", "T7.sdk-listed"],
        severity=Severity.HIGH,
        subject_types=["app"],
        evidence_kinds=["apk_sdks"],
        fingerprint_fields=["sdk"],
        title=Text(zh="第三方SDK清单完整", en="Third-party SDK list is complete"),
        description=Text(zh="APK中嵌入的每个SDK都应列入共享清单。", en="Every embedded SDK is listed."),
        remediation=Text(zh="在第三方共享清单中补充该SDK。", en="Add the SDK to the sharing list."),
    ),
    "t9_port_hall_list": CheckMetadata(
        id="t9_port_hall_list",
        task="T9",
        requirements=["T9.hall-list"],
        severity=Severity.MEDIUM,
        subject_types=["port_hall"],
        evidence_kinds=["hall_registry"],
        title=Text(zh="携号转网营业厅名单已公示"),
        remediation=Text(zh="公示营业厅名单。"),
    ),
}


@cache
def _validator() -> Draft4Validator:
    schema = json.loads(shared_path("schemas", "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return Draft4Validator(schema)


def _valid(log: dict[str, Any]) -> dict[str, Any]:
    errors = sorted(_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return log


def _results():
    return [
        make_result(data={"sdk": "com.umeng"}, location="lib/arm64/libumeng.so"),
        make_result(status=Status.PASS, data={"sdk": "com.baidu"}),
        make_result(status=Status.WARN, data={"sdk": "com.x"}),
        make_result(status=Status.MANUAL, data={"sdk": "com.y"}),
        make_result(status=Status.NOT_APPLICABLE, data={"sdk": "com.z"}),
        make_result(
            check_id="t4_close_control",
            status=Status.ERROR,
            data={},
            message=Text(zh="截图无法解析：第3帧损坏", en="capture unreadable"),
        ),
        make_result(check_id="t9_port_hall_list", subject=HALL, data={}, severity=Severity.MEDIUM),
    ]


def _by_fp(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["partialFingerprints"]["ganzhi/v1"]: r for r in run["results"]}


def test_one_schema_valid_run_per_subject() -> None:
    log = _valid(to_sarif(_results(), CHECKS))
    assert log["version"] == "2.1.0"
    runs = log["runs"]
    assert [run["automationDetails"]["id"] for run in runs] == [f"{APP.key}/run-1", f"{HALL.key}/run-1"]
    app_run, hall_run = runs
    assert [rule["id"] for rule in app_run["tool"]["driver"]["rules"]] == [
        "t4_close_control",
        "t11_sdk_inventory",
    ]
    assert [rule["id"] for rule in hall_run["tool"]["driver"]["rules"]] == ["t9_port_hall_list"]
    for run in runs:
        rules = run["tool"]["driver"]["rules"]
        for result in run["results"]:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_rules_carry_texts_tags_and_severity() -> None:
    rules = {r["id"]: r for run in to_sarif(_results(), CHECKS)["runs"] for r in run["tool"]["driver"]["rules"]}
    sdk = rules["t11_sdk_inventory"]
    assert sdk["shortDescription"]["text"] == "第三方SDK清单完整"
    assert sdk["fullDescription"]["text"].startswith("APK中嵌入的每个SDK都应列入共享清单。")
    assert "Every embedded SDK is listed." in sdk["fullDescription"]["text"]
    assert "在第三方共享清单中补充该SDK。" in sdk["help"]["text"]
    assert "**Remediation**: Add the SDK" in sdk["help"]["markdown"]
    assert sdk["defaultConfiguration"]["level"] == "error"
    assert sdk["properties"]["tags"] == ["T11", "T11.sdk-inventory", "T7.sdk-listed"]
    assert sdk["properties"]["security-severity"] == "8.0"
    assert sdk["name"] == "T11SdkInventory"
    assert rules["t9_port_hall_list"]["defaultConfiguration"]["level"] == "warning"
    fallback = rules["t4_close_control"]  # not in CHECKS: built from its result
    assert fallback["shortDescription"]["text"] == "第三方SDK清单完整"
    assert fallback["properties"]["tags"] == ["T4", "T4.close-control"]
    assert "help" not in fallback


def test_kinds_levels_and_error_notifications() -> None:
    results = _results()
    app_run = to_sarif(results, CHECKS)["runs"][0]
    by_fp = _by_fp(app_run)
    expected = {
        Status.FAIL: "fail",
        Status.PASS: "pass",
        Status.WARN: "review",
        Status.MANUAL: "review",
        Status.NOT_APPLICABLE: "notApplicable",
    }
    for result in results[:5]:
        out = by_fp[result.fingerprint]
        assert out["kind"] == expected[result.status]
        assert ("level" in out) == (result.status is Status.FAIL)
        assert out["properties"]["status"] == result.status.value
    fail = by_fp[results[0].fingerprint]
    assert fail["level"] == "error"
    assert fail["message"]["text"] == "状态FAIL：SDK com.umeng 未在共享清单中列出"
    logical = fail["locations"][0]["logicalLocations"]
    assert logical[0]["fullyQualifiedName"] == APP.key
    assert logical[1]["name"] == "lib/arm64/libumeng.so"
    assert len(app_run["results"]) == 5  # the ERROR is not a result
    invocation = app_run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    note = invocation["toolExecutionNotifications"][0]
    assert note["message"]["text"] == "截图无法解析：第3帧损坏"
    assert note["associatedRule"] == {"id": "t4_close_control", "index": 0}
    hall_run = to_sarif(results, CHECKS)["runs"][1]
    assert hall_run["invocations"][0] == {"executionSuccessful": True, "toolExecutionNotifications": []}
    assert _by_fp(hall_run)[results[6].fingerprint]["level"] == "warning"


def test_english_messages_on_request() -> None:
    log = _valid(to_sarif(_results(), CHECKS, lang="en"))
    app_run = log["runs"][0]
    assert app_run["language"] == "en-US"
    assert app_run["tool"]["driver"]["rules"][1]["shortDescription"]["text"] == "Third-party SDK list is complete"


def test_baseline_states_and_suppressions_from_a_recheck() -> None:
    old_fail = make_result(data={"sdk": "com.old"}, run_id="run-1")
    now_fixed = make_result(data={"sdk": "com.gone"}, run_id="run-1")
    waived_fail = make_result(data={"sdk": "com.waived"}, run_id="run-1")
    previous = {
        i.fingerprint: i
        for i in (make_issue(old_fail), make_issue(now_fixed), make_issue(waived_fail, IssueState.WAIVED))
    }
    results = [
        make_result(data={"sdk": "com.old"}, run_id="run-2"),
        make_result(data={"sdk": "com.new"}, run_id="run-2"),
        make_result(data={"sdk": "com.waived"}, run_id="run-2"),
        make_result(status=Status.PASS, data={}, run_id="run-2"),
    ]
    outcome = apply(previous, results, run_id="run-2", at=T1, deadline_for=lambda _: None)
    log = _valid(to_sarif(results, CHECKS, diff=outcome.diff))
    (run,) = log["runs"]
    assert run["automationDetails"]["id"] == f"{APP.key}/run-2"
    by_fp = _by_fp(run)
    assert by_fp[results[0].fingerprint]["baselineState"] == "unchanged"
    assert by_fp[results[1].fingerprint]["baselineState"] == "new"
    waived = by_fp[results[2].fingerprint]
    assert waived["baselineState"] == "unchanged"
    assert waived["suppressions"][0]["kind"] == "external"
    assert waived["suppressions"][0]["status"] == "accepted"
    assert "已豁免" in waived["suppressions"][0]["justification"]
    absent = by_fp[now_fixed.fingerprint]
    assert (absent["baselineState"], absent["kind"]) == ("absent", "pass")
    assert absent["message"]["text"].startswith("已整改")
    assert "baselineState" not in by_fp[results[3].fingerprint]


def test_reopened_counts_as_new() -> None:
    result = make_result(run_id="run-3")
    previous = {result.fingerprint: make_issue(result, IssueState.FIXED)}
    outcome = apply(previous, [result], run_id="run-3", at=T1, deadline_for=lambda _: None)
    run = to_sarif([result], CHECKS, diff=outcome.diff)["runs"][0]
    assert run["results"][0]["baselineState"] == "new"


def test_chinese_survives_and_artifact_uri(tmp_path) -> None:
    path = tmp_path / "scan.sarif"
    write_sarif(path, _results(), CHECKS, artifact_uris={APP.key: "dist/shop-3.2.1.apk"})
    text = path.read_text(encoding="utf-8")
    assert "第三方SDK清单完整" in text
    assert "北京西单营业厅" in text
    log = _valid(json.loads(text))
    location = log["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "dist/shop-3.2.1.apk"
    assert "physicalLocation" not in log["runs"][1]["results"][0]["locations"][0]


def test_mixed_run_ids_need_an_explicit_run_id() -> None:
    results = [make_result(run_id="run-1"), make_result(status=Status.PASS, data={}, run_id="run-2")]
    with pytest.raises(ValueError, match=r"\['run-1', 'run-2'\]"):
        to_sarif(results, CHECKS)
    log = json.loads(sarif_json(results, CHECKS, run_id="campaign-7"))
    assert log["runs"][0]["automationDetails"]["id"] == f"{APP.key}/campaign-7"


def test_empty_input_is_a_valid_log() -> None:
    assert _valid(to_sarif([], CHECKS))["runs"] == []
