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


def test_import_sms_evidence_is_judged_by_the_overage_check(tmp_path: Path) -> None:
    from ganzhi.engine.runner import evaluate
    from ganzhi.evidence.base import Evidence

    log = tmp_path / "sms.csv"
    log.write_bytes("\n".join([
        "接收号码,发送时间,短信内容",
        "13800000001,20240105120000,您的套餐内流量已用完，超出后按3元/GB计费。",
        "13800000002,20240105130000,您的套餐流量已全部用完，请及时充值。",
    ]).encode("gbk"))  # fmt: skip
    result = runner.invoke(app, ["import-sms", str(log), "-o", str(tmp_path / "r.parquet"), "--evidence",
                                 str(tmp_path / "ov.jsonl"), "--subject", "cmcc-js-2024-01"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["overage_notices_with_unit_price"] == 1
    item = Evidence.model_validate_json((tmp_path / "ov.jsonl").read_text(encoding="utf-8"))
    run = evaluate([item], check_ids=["t1_usage_overage_notice"])
    (judged,) = run.results
    assert judged.status.value == "FAIL"
    assert judged.data["without_unit_price"] == 1 and "sms.csv:3" in judged.data["examples"][0]


def test_import_cdr_missing_column_fails_with_the_file(tmp_path: Path) -> None:
    cdr = tmp_path / "cdr.csv"
    cdr.write_bytes("用户号码,开始时间\n1,20240101000000\n".encode("gbk"))
    result = runner.invoke(app, ["import-cdr", str(cdr), "-o", str(tmp_path / "e.parquet")])
    assert result.exit_code == 1
    assert "cdr.csv" in result.output and "missing column(s)" in result.output


def test_partition_then_audit_cluster_matches_one_run(tmp_path: Path) -> None:
    data = tmp_path / "data"
    gen = runner.invoke(app, ["generate", "--subscribers", "300", "--events", "15000", "--seed", "4", "-o", str(data)])
    assert gen.exit_code == 0, gen.output
    counts = json.loads(gen.stdout)
    files = ["--plans", str(data / "plans.parquet"), "--events", str(data / "events.parquet"),
             "--reminders", str(data / "reminders.parquet")]  # fmt: skip
    part = runner.invoke(app, ["partition", *files, "-o", str(tmp_path / "ds"), "--partitions", "3"])
    assert part.exit_code == 0, part.output
    assert json.loads(part.stdout)["rows"]["events"] == counts["events"]
    run = runner.invoke(app, ["audit-cluster", "--dataset", str(tmp_path / "ds"), "-o", str(tmp_path / "out"),
                              "--workers", "1", "-f", "json"])  # fmt: skip
    assert run.exit_code == 0, run.output
    summary = json.loads(run.stdout)
    assert summary["partitions"] == 3
    for status in ("on_time", "late", "missing", "spurious"):
        assert summary["by_status"][status] == counts[status]
    missing = runner.invoke(app, ["audit-cluster", "--dataset", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o")])
    assert missing.exit_code == 1 and "dataset.json not found" in missing.output
