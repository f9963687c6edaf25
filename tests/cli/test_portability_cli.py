"""`ganzhi portability check` end to end: the real runner, registry and catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from checks.t9.t9_support import BASE_CASE
from ganzhi.cli import app

BASE: dict[str, Any] = BASE_CASE


def _write(path: Path, *rows: dict[str, Any] | str) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, ["portability", "check", *args])


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_answers_every_line_in_order_with_exit_2_for_malformed_lines(tmp_path: Path) -> None:
    rows: list[dict[str, Any] | str] = [{**BASE, "id": f"c{i}"} for i in range(1, 7)]
    rows[1] = {**BASE, "id": "c2", "real_name_registered": False, "contract_lock_until": "2024-06-01"}
    rows.append({**BASE, "id": "c7", "joined_on": "2024/13/01"})
    rows.append({**BASE, "id": "c8", "number": "1064812345678", "joined_on": "2024-02-03"})
    source = _write(tmp_path / "cases.jsonl", *rows)
    output = tmp_path / "verdicts.jsonl"
    result = _run("--input", str(source), "--output", str(output))
    assert result.exit_code == 2, result.output
    lines = _read(output)
    assert lines[0] == {"id": "c1", "eligible": True, "reasons": []}
    assert lines[1] == {"id": "c2", "eligible": False, "reasons": ["NOT_REAL_NAME", "CONTRACT_LOCK"]}
    assert lines[6] == {"line": 7, "id": "c7", "error": "joined_on: expected YYYY-MM-DD (got '2024/13/01')"}
    assert lines[7] == {"id": "c8", "eligible": False, "reasons": ["TOO_SOON", "NON_PORTABLE_RANGE"]}
    assert len(lines) == 8
    assert "answered 7, malformed 1" in result.stderr
    assert "已答复 7 行" in result.stderr
    assert not (tmp_path / "verdicts.jsonl.part").exists()


def test_exit_0_when_every_line_is_answered(tmp_path: Path) -> None:
    told = {"eligible": False, "reasons": ["TOO_SOON"]}
    source = _write(tmp_path / "in.jsonl", {**BASE, "id": "a"}, "", {**BASE, "id": "b", "operator_decision": told})
    output = tmp_path / "out.jsonl"
    result = _run("-i", str(source), "-o", str(output))
    assert result.exit_code == 0, result.stderr
    assert _read(output) == [
        {"id": "a", "eligible": True, "reasons": []},
        {
            "id": "b",
            "eligible": True,
            "reasons": [],
            "operator_review": {"status": "FAIL", "violations": ["refused_eligible", "unfounded_reason"]},
        },
    ]
    assert "blank lines skipped 1" in result.stderr


def test_campaign_override_applies_to_verdicts_and_operator_review(tmp_path: Path) -> None:
    told = {"eligible": False, "reasons": ["TOO_SOON"]}
    source = _write(tmp_path / "in.jsonl", {**BASE, "joined_on": "2024-03-01", "operator_decision": told})
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text("params:\n  T9.eligibility.min-interval:\n    min_days: 200\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    assert _run("-i", str(source), "-o", str(output), "--campaign", str(campaign)).exit_code == 0
    assert _read(output)[0]["operator_review"]["status"] == "PASS"
    assert _read(output)[0]["reasons"] == ["TOO_SOON"]
    campaign.write_text("params:\n  T9.eligibility.min-interval:\n    min_days: 60\n", encoding="utf-8")
    assert _run("-i", str(source), "-o", str(output), "--campaign", str(campaign)).exit_code == 0
    assert _read(output)[0]["eligible"] is True
    assert _read(output)[0]["operator_review"]["violations"] == ["refused_eligible", "unfounded_reason"]


def test_bad_campaign_and_missing_input_exit_1(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", BASE)
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text("params:\n  T9.eligibility.min-interval:\n    min_days: '90'\n", encoding="utf-8")
    result = _run("-i", str(source), "-o", str(tmp_path / "o.jsonl"), "--campaign", str(campaign))
    assert result.exit_code == 1
    assert "T9.eligibility.min-interval.min_days" in result.stderr
    result = _run("-i", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 1
    assert "nope.jsonl: input file not found" in result.stderr
    result = _run("-i", str(source), "-o", str(tmp_path / "missing-dir" / "o.jsonl"))
    assert result.exit_code == 1
    assert "missing-dir" in result.stderr


def test_max_lines_and_progress_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ganzhi.cli.portability as module

    monkeypatch.setattr(module, "PROGRESS_MIN_LINES", 3)
    source = _write(tmp_path / "in.jsonl", *({**BASE, "id": f"c{i}"} for i in range(6)))
    output = tmp_path / "out.jsonl"
    result = _run("-i", str(source), "-o", str(output), "--max-lines", "4", "--chunk-size", "2")
    assert result.exit_code == 2
    lines = _read(output)
    assert len(lines) == 5
    assert lines[-1] == {"line": 5, "id": None, "error": "input has more than 4 lines; stopped reading here"}
    assert "携号转网资格 / portability" in result.stderr


def test_count_lines(tmp_path: Path) -> None:
    from ganzhi.cli.portability import count_lines

    assert count_lines(_write(tmp_path / "a", "x", "y")) == 2
    (tmp_path / "b").write_bytes(b"x\ny")
    assert count_lines(tmp_path / "b") == 2
    (tmp_path / "c").write_bytes(b"")
    assert count_lines(tmp_path / "c") == 0
