"""The campaign walk-through of examples/campaign_walkthrough.sh, step by step in-process (isolated GANZHI_HOME)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import update
from typer.testing import CliRunner

from ganzhi.cli import app
from ganzhi.cli._common import open_store
from ganzhi.demo.campaign import write_stage
from ganzhi.store.db import session_scope
from ganzhi.store.publication_tables import PublicationRow

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def ok(*args: str) -> str:
    outcome = runner.invoke(app, list(args))
    assert outcome.exit_code == 0, f"{args}: {outcome.output}"
    return outcome.output


def _inspect(stage: str, tmp: Path, round_number: int) -> str:
    evidence, report = tmp / f"{stage}.jsonl", tmp / f"{stage}.json"
    write_stage(stage, evidence)
    ok("check", "run", str(evidence), "--task", "T6", "--task", "T7", "--format", "json", "--output", str(report))
    run_id = str(json.loads(report.read_text(encoding="utf-8"))["meta"]["run_id"])
    ok("round", "attach", run_id, "--campaign", "c524", "--round", str(round_number))
    return run_id


def test_walkthrough_script_exists_and_runs_the_same_commands() -> None:
    script = (EXAMPLES / "campaign_walkthrough.sh").read_text(encoding="utf-8")
    for command in (
        "enterprise import",
        "check run",
        "rank",
        "interview record",
        "publish approve",
        "publish verify",
        "lookback run",
        "complaints import",
    ):
        assert command in script


def test_full_campaign_from_the_cli(tmp_path: Path) -> None:
    today = dt.date.today()
    ok("enterprise", "import", "--demo")
    ok(
        "campaign",
        "create",
        "c524",
        "--name",
        "演示行动",
        "--starts",
        "2022-01-01",
        "--ends",
        "2022-12-31",
        "--task",
        "T6",
        "--task",
        "T7",
        "--key-list",
        "first-batch-39",
    )
    ok("campaign", "add-round", "c524", "--name", "第一轮检查", "--starts", "2022-02-10")
    _inspect("inspection", tmp_path, 1)

    ranking = json.loads(ok("rank", "--campaign", "c524", "--round", "1", "--format", "json"))["ranking"]
    assert ranking[-1]["企业 enterprise"] == "demo-video"

    later = (today + dt.timedelta(days=30)).isoformat()
    proposals = json.loads(ok("interview", "propose", "--campaign", "c524", "--today", later, "--format", "json"))
    assert isinstance(proposals["proposals"], list)  # medium-severity findings of 2 firms trigger no default rule
    ok(
        "interview",
        "record",
        "demo-video",
        "--id",
        "iv-1",
        "--held-on",
        today.isoformat(),
        "--attendee",
        "处长",
        "--minutes",
        "约谈",
        "--recorded-by",
        "张三",
        "--commitment",
        f"补全清单|{later}",
    )
    ok("ladder", "advance", "demo-video", "--actor", "张三", "--reason", "约谈 iv-1", "--interview", "iv-1")

    ok("publish", "create", "pub-1", "--created-by", "张三", "--campaign", "c524", "--with-ranking")
    refused = runner.invoke(app, ["publish", "approve", "pub-1", "--approver", "张三"])
    assert refused.exit_code == 1 and "different person" in refused.output
    assert "总第21批" in ok("publish", "approve", "pub-1", "--approver", "李四", "--first-total", "21")
    shown = json.loads(ok("publish", "show", "pub-1", "--format", "json"))
    assert {row["应用名称"] for row in shown["notice"]} == {"示例视频", "示例商城"}
    # video (store A only): T6 and T7 problems; shop (stores A and B): T7 problem → 4 rows
    assert sorted((r["应用名称"], r["应用来源"], r["所涉问题"]) for r in shown["notice"]) == [
        ("示例商城", "示例应用商店乙有限公司", "与第三方共享个人信息清单不规范"),
        ("示例商城", "示例应用市场甲有限公司", "与第三方共享个人信息清单不规范"),
        ("示例视频", "示例应用市场甲有限公司", "与第三方共享个人信息清单不规范"),
        ("示例视频", "示例应用市场甲有限公司", "已收集个人信息清单不规范"),
    ]
    ok("publish", "render", "pub-1", "--format", "xlsx", "--output", str(tmp_path / "pub.xlsx"))
    assert "公示信息" in load_workbook(tmp_path / "pub.xlsx").sheetnames
    assert "<table>" in ok("publish", "render", "pub-1", "--format", "html")
    assert "hash chain intact: 1 snapshots" in ok("publish", "verify")

    ok("campaign", "add-round", "c524", "--name", "第二轮复查", "--starts", "2022-03-01")
    _inspect("recheck", tmp_path, 2)
    write_stage("lookback", tmp_path / "lookback.jsonl")
    ok(
        "lookback",
        "run",
        "lb-1",
        "--actor",
        "王五",
        "--evidence",
        str(tmp_path / "lookback.jsonl"),
        "--campaign",
        "c524",
        "--format",
        "json",
        "--output",
        str(tmp_path / "lb.json"),
    )
    report = json.loads((tmp_path / "lb.json").read_text(encoding="utf-8"))
    assert report["meta"]["reopened"] == 1 and report["meta"]["confirmed"] == 2
    assert report["meta"]["round"] == "c524:3"
    assert json.loads(ok("lookback", "show", "lb-1", "--format", "json"))["meta"]["run_id"] == report["meta"]["run_id"]

    ok("publish", "create", "pub-2", "--kind", "lookback", "--created-by", "张三", "--campaign", "c524")
    assert "总第22批" in ok("publish", "approve", "pub-2", "--approver", "李四")
    assert "2 snapshots" in ok("publish", "verify")

    imported = ok("complaints", "import", str(EXAMPLES / "complaints-sample.csv"))
    assert "imported 10 complaints" in imported and "2 bad rows" in imported
    trends = json.loads(ok("complaints", "trends", "--campaign", "c524", "--format", "json"))
    linked = {(r["企业 enterprise"], r["任务 task"]): r for r in trends["score_vs_complaints"]}
    assert linked[("demo-video", "T7")]["得分 score"] < 100 and linked[("demo-video", "T7")]["投诉 complaints"] >= 1

    with session_scope(open_store()) as session:
        session.execute(update(PublicationRow).where(PublicationRow.id == "pub-1").values(created_by="王五"))
    broken = runner.invoke(app, ["publish", "verify"])
    assert broken.exit_code == 1 and "pub-1" in broken.output and "altered" in broken.output
