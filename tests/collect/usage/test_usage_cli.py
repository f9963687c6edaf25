"""`ganzhi usage generate|audit` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ganzhi.cli.usage import app

runner = CliRunner()


def test_generate_then_audit_json_and_table(tmp_path: Path) -> None:
    data = tmp_path / "data"
    gen = runner.invoke(app, ["generate", "--subscribers", "200", "--events", "5000", "--violation-rate", "0.3",
                              "--seed", "2", "--output", str(data)])  # fmt: skip
    assert gen.exit_code == 0, gen.output
    counts = json.loads(gen.stdout)
    assert counts["events"] >= 5000

    args = ["audit", "--plans", str(data / "plans.parquet"), "--events", str(data / "events.parquet"),
            "--reminders", str(data / "reminders.parquet"), "--output", str(tmp_path / "out")]  # fmt: skip
    as_json = runner.invoke(app, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    summary = json.loads(as_json.stdout)
    for status in ("on_time", "late", "missing", "spurious"):
        assert summary["by_status"][status] == counts[status]
    assert (tmp_path / "out" / "results.parquet").exists()
    assert (
        json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["by_status"] == summary["by_status"]
    )

    table = runner.invoke(app, [*args, "--format", "table", "--results-format", "csv"])
    assert table.exit_code == 0, table.output
    assert "提醒超时" in table.stdout
    assert "分省统计" in table.stdout
    assert (tmp_path / "out" / "results.csv").exists()
    english = runner.invoke(
        app, [*args, "--lang", "en", "--thresholds", "0.5,0.9", "--latency", "60", "--temp-dir", str(tmp_path)]
    )
    assert english.exit_code == 0, english.output
    assert "reminded late" in english.stdout


def test_bad_input_exits_2_with_message(tmp_path: Path) -> None:
    (tmp_path / "plans.csv").write_text("plan_id,cycle\nP1,month\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", "--plans", str(tmp_path / "plans.csv"), "--events", str(tmp_path / "e.csv"),
                                 "--reminders", str(tmp_path / "r.csv"), "--output", str(tmp_path / "o")])  # fmt: skip
    assert result.exit_code == 2
    assert "missing column(s) ['quota_bytes']" in result.output


def test_bad_thresholds_are_rejected(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "--plans", "p", "--events", "e", "--reminders", "r", "--output",
                                 str(tmp_path), "--thresholds", "0.8,abc"])  # fmt: skip
    assert result.exit_code == 2
    assert "comma-separated fractions" in result.output
