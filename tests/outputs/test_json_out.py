"""Native JSON and JSON Lines: stable, complete, readable back, Chinese kept as written."""

from __future__ import annotations

import io
import json
import random

import pytest

from findings.finding_factory import HALL, make_issue, make_result
from ganzhi.errors import InputError
from ganzhi.evidence.status import Status
from ganzhi.findings.lifecycle import transition
from ganzhi.findings.models import IssueState
from ganzhi.outputs.json_out import (
    TOP_LEVEL_KEYS,
    load_results_json,
    read_jsonl,
    results_to_json,
    write_jsonl,
)


def _results():
    return [
        make_result(data={"sdk": "com.umeng"}),
        make_result(status=Status.PASS, data={"sdk": "com.baidu"}),
        make_result(check_id="t9_port_hall_list", subject=HALL, status=Status.WARN, data={}),
        make_result(check_id="t4_close_control", status=Status.ERROR, data={}),
    ]


def test_document_keys_and_summary() -> None:
    doc = json.loads(results_to_json(_results(), meta={"run_id": "run-1", "campaign": "2025年第一批"}))
    assert tuple(doc) == TOP_LEVEL_KEYS  # sorted keys, all of them
    assert (doc["format"], doc["version"], doc["issues"]) == ("ganzhi.results", 1, None)
    assert doc["meta"] == {"campaign": "2025年第一批", "run_id": "run-1"}
    summary = {row["task"]: row["counts"] for row in doc["summary"]}
    assert list(summary) == ["T4", "T9", "T11"]  # notice order, not string order
    assert summary["T11"] == {"FAIL": 1, "ERROR": 0, "WARN": 0, "MANUAL": 0, "PASS": 1, "NOT_APPLICABLE": 0}
    assert summary["T4"]["ERROR"] == 1
    assert [r["check_id"] for r in doc["results"]] == [
        "t4_close_control",
        "t9_port_hall_list",
        "t11_sdk_inventory",
        "t11_sdk_inventory",
    ]
    assert doc["results"][2]["status"] == "FAIL"  # worst first within one check and subject


def test_output_is_stable_whatever_the_input_order() -> None:
    results = _results()
    issues = [make_issue(r) for r in results if r.status is Status.FAIL]
    reference = results_to_json(results, issues)
    for seed in range(5):
        shuffled = results[:]
        random.Random(seed).shuffle(shuffled)
        assert results_to_json(shuffled, list(reversed(issues))) == reference


def test_chinese_text_is_kept_and_round_trips() -> None:
    results = _results()
    issues = [make_issue(results[0], IssueState.RECTIFYING)]
    text = results_to_json(results, issues, meta={"note": "回头看"})
    assert "示例商城" in text
    assert "未在共享清单中列出" in text
    assert "\\u" not in text
    loaded = load_results_json(text)
    assert sorted(loaded.results, key=lambda r: r.fingerprint + r.status) == sorted(
        results, key=lambda r: r.fingerprint + r.status
    )
    assert loaded.issues == issues
    assert loaded.meta == {"note": "回头看"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "not JSON: line 1"),
        ('{"format": "other"}', "expected format 'ganzhi.results', got 'other'"),
        ('{"format": "ganzhi.results", "version": 9}', "expected version 1, got 9"),
        ('{"format": "ganzhi.results", "version": 1, "results": [{"run_id": "x"}]}', "results[0]: check_id"),
    ],
)
def test_bad_documents_name_the_problem(text: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        load_results_json(text, source="run-1.json")
    assert str(caught.value).startswith("run-1.json")
    assert problem in str(caught.value)


def test_jsonl_round_trip_with_a_bad_line_in_the_middle() -> None:
    results = _results()
    issue = make_issue(results[0])
    fixed, record = transition(issue, IssueState.FIXED, actor="system", reason="复查通过", at=issue.opened_at)
    buffer = io.StringIO()
    assert write_jsonl(buffer, results, [fixed], [record]) == 6
    lines = buffer.getvalue().splitlines()
    assert all(json.loads(line)["record"] in {"result", "issue", "transition"} for line in lines)
    assert "复查通过" in lines[-1]
    lines.insert(2, '{"record": "result", "run_id": 1}')
    lines.insert(3, "not json")
    lines.insert(4, '{"record": "alien"}')
    read = read_jsonl(lines, source="dump.jsonl")
    assert read.results == results
    assert read.issues == [fixed]
    assert read.transitions == [record]
    assert [e.source for e in read.errors] == ["dump.jsonl:3", "dump.jsonl:4", "dump.jsonl:5"]
    assert "check_id" in read.errors[0].problem
    assert "alien" in read.errors[2].problem


def test_write_jsonl_to_a_path(tmp_path) -> None:
    path = tmp_path / "run.jsonl"
    assert write_jsonl(path, _results()) == 4
    assert len(read_jsonl(path.read_text(encoding="utf-8").splitlines()).results) == 4
