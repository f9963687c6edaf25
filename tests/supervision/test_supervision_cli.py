"""The supervision commands end to end on a temporary SQLite store (GANZHI_HOME is isolated)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from openpyxl import load_workbook
from sv_factory import issue, result
from typer.testing import CliRunner

from ganzhi.cli import app
from ganzhi.cli._common import open_store
from ganzhi.evidence.status import Severity
from ganzhi.store import repositories as repo
from ganzhi.store.db import session_scope

runner = CliRunner()


def ok(*args: str) -> str:
    outcome = runner.invoke(app, list(args))
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


def _seed_run() -> None:
    sessions = open_store()
    with session_scope(sessions) as session:
        repo.create_run(session, run_id="run-1")
        repo.save_results(
            session,
            [
                result("fp-video", "com.example.video", severity=Severity.CRITICAL),
                result("fp-shop", "com.example.shop", severity=Severity.LOW),
            ],
        )
        repo.upsert_issues(
            session, [issue("fp-video", "com.example.video", deadline=dt.date(2022, 2, 25), severity=Severity.CRITICAL)]
        )


def test_campaign_round_rank_interview_ladder(tmp_path: Path) -> None:
    ok("enterprise", "import", "--demo")
    ok(
        "campaign",
        "create",
        "c2022",
        "--name",
        "2022行动",
        "--starts",
        "2022-01-01",
        "--ends",
        "2022-03-31",
        "--key-list",
        "first-batch-39",
    )
    ok("campaign", "add-round", "c2022", "--name", "第一轮", "--starts", "2022-02-01")
    _seed_run()
    assert "1 runs attached" in ok("round", "attach", "run-1", "--campaign", "c2022", "--round", "1")

    ranking = json.loads(
        ok("rank", "--campaign", "c2022", "--round", "1", "--format", "json", "--explain", "demo-video")
    )
    internet = [r for r in ranking["ranking"] if r["类型 type"] == "internet_company"]
    assert internet[-1]["企业 enterprise"] == "demo-video"
    explain = ranking["explain_demo-video"]
    t4 = [row for row in explain if row["任务 task"] == "T4"]
    assert abs(100 + sum(r["分值 points"] for r in t4 if r["项 line"] != "base") - t4[0]["任务得分 task_score"]) < 1e-6
    stores = {s["应用商店 store"]: s for s in ranking["app_stores"]}
    assert stores["demo-store-a"]["问题应用 apps_with_problems"] == 2
    assert stores["demo-store-b"]["问题率 problem_rate"] == 0.5

    xlsx = tmp_path / "rank.xlsx"
    ok("rank", "--campaign", "c2022", "--format", "xlsx", "--output", str(xlsx), "--trend")
    assert {"ranking", "app_stores", "trend"} <= set(load_workbook(xlsx).sheetnames)

    proposals = json.loads(
        ok("interview", "propose", "--campaign", "c2022", "--today", "2022-03-01", "--format", "json")
    )["proposals"]
    assert {(p["企业 enterprise"], p["规则 rule"]) for p in proposals} >= {("demo-video", "overdue_severe")}

    ok(
        "interview",
        "record",
        "demo-video",
        "--id",
        "iv-1",
        "--held-on",
        "2022-03-02",
        "--attendee",
        "处长",
        "--attendee",
        "企业代表",
        "--minutes",
        "约谈纪要",
        "--recorded-by",
        "官员",
        "--commitment",
        "整改开屏弹窗|2022-03-09",
        "--issue",
        "fp-video",
        "--rule",
        "overdue_severe",
    )
    listed = json.loads(ok("interview", "list", "--format", "json"))
    assert listed["commitments"][0]["期限 due"] == "2022-03-09"

    ok("ladder", "advance", "demo-video", "--actor", "官员", "--reason", "约谈 iv-1", "--interview", "iv-1")
    skipped = runner.invoke(
        app, ["ladder", "advance", "demo-video", "--to", "bad_list", "--actor", "官员", "--reason", "拒不整改"]
    )
    assert skipped.exit_code == 1
    assert "skip_reason" in skipped.output
    ladder = json.loads(ok("ladder", "show", "demo-video", "--format", "json"))
    assert ladder["ladder"][0]["阶梯 step"] == "interview"
    assert ladder["trail"][0]["原因 reason"] == "约谈 iv-1"

    due = json.loads(ok("enterprise", "reminders", "--today", "2022-02-24", "--format", "json"))
    assert [r["企业 enterprise"] for r in due["reminders"]] == ["demo-video"]
    assert "c2022" in ok("campaign", "list")


def test_bad_uscc_is_refused_with_the_reason() -> None:
    outcome = runner.invoke(
        app,
        ["enterprise", "add", "x", "--name", "某公司", "--uscc", "91350100M000100Y44", "--type", "internet_company"],
    )
    assert outcome.exit_code == 1
    assert "character 18" in outcome.output
