from __future__ import annotations

import io
import json
from pathlib import Path

from typer.testing import CliRunner

from ganzhi.cli import app
from ganzhi.collect.portability.cases import CaseLine, PortabilityCollector
from ganzhi.demo.portability_cases import generate

runner = CliRunner()


def _evidence_file(tmp_path: Path, count: int = 40) -> Path:
    cases = generate(count, seed=7)
    for case in cases[:10]:
        case["operator_decision"] = {"eligible": False, "reasons": ["UNPAID_FEES"]}
    stream = io.BytesIO("\n".join(json.dumps(c) for c in cases).encode())
    lines = [
        item.evidence.model_dump_json()
        for item in PortabilityCollector(source="t").read(stream)
        if isinstance(item, CaseLine)
    ]
    path = tmp_path / "evidence.jsonl"
    path.write_text("\n".join([*lines, "{not json", '{"kind": "nope"}']) + "\n", encoding="utf-8")
    return path


def test_check_run_json_sarif_and_fail_on(tmp_path: Path) -> None:
    evidence = _evidence_file(tmp_path)
    result = runner.invoke(app, ["check", "run", str(evidence), "--format", "json", "-o", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert {r["task"] for r in document["results"]} == {"T9"}
    assert document["meta"]["skipped_lines"] == 2
    assert "evidence.jsonl:41" in result.output  # the bad line is named
    sarif = runner.invoke(app, ["check", "run", str(evidence), "-f", "sarif", "--output", str(tmp_path / "r.sarif")])
    assert sarif.exit_code == 0, sarif.output
    log = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0" and len(log["runs"]) == 40
    failing = runner.invoke(
        app, ["check", "run", str(evidence), "--fail-on", "fail", "-f", "csv", "--output", str(tmp_path / "r.csv")]
    )
    assert failing.exit_code == 1


def test_runs_results_and_issue_lifecycle(tmp_path: Path) -> None:
    evidence = _evidence_file(tmp_path)
    assert (
        runner.invoke(app, ["check", "run", str(evidence), "-f", "json", "-o", str(tmp_path / "a.json")]).exit_code == 0
    )
    run_id = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["meta"]["run_id"]
    listed = runner.invoke(app, ["check", "runs"])
    assert listed.exit_code == 0 and run_id[:12] in listed.output
    results = runner.invoke(app, ["check", "results", run_id, "-f", "json"])
    assert results.exit_code == 0 and json.loads(results.output)["meta"]["run_id"] == run_id
    missing = runner.invoke(app, ["check", "results", "no-such-run"])
    assert missing.exit_code == 1
    issues = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["issues"]
    assert issues, "operator refusals with unfounded reasons must open issues"
    fingerprint = issues[0]["fingerprint"]
    bad = runner.invoke(app, ["issues", "move", fingerprint[:16], "VERIFIED", "--actor", "li", "--reason", "x"])
    assert bad.exit_code == 1 and "VERIFIED" in bad.output
    ok = runner.invoke(app, ["issues", "move", fingerprint[:16], "RECTIFYING", "--actor", "li", "--reason", "整改中"])
    assert ok.exit_code == 0, ok.output
    history = runner.invoke(app, ["issues", "history", fingerprint[:16]])
    assert "RECTIFYING" in history.output and "整改中" in history.output


def test_demo_runs_two_rounds(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--cases", "60", "--executor", "serial"])
    assert result.exit_code == 0, result.output
    assert "round 1" in result.output and "round 2" in result.output
