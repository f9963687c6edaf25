"""`ganzhi broadband check` through Typer's CliRunner: table and JSON, bad rows, campaign overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from ganzhi.cli.broadband import app

runner = CliRunner()

_DISCLOSURE = "实际网速受电脑网卡、路由器性能、网线规格、光猫LAN口、WiFi信号及晚高峰网络负载影响"


def _inputs(tmp_path: Path) -> tuple[Path, Path]:
    contracts = tmp_path / "contracts.csv"
    contracts.write_text(
        "line_id,合同编号,下行速率,上行速率,合同条款,告知内容\n"
        f"L1,C1,,,下行理论速率1000Mbps，上行理论速率50Mbps,{_DISCLOSURE}\n"
        "L2,C2,300M,,,\n"
        "L3,C3,100M,很快,,\n",
        encoding="utf-8",
    )
    tests = tmp_path / "tests.csv"
    rows = ["line_id,started_at,download_mbps,upload_mbps,connection,errors"]
    rows += [f"L1,2021-12-20T2{i}:00:00+08:00,{d},51,wired," for i, d in enumerate([941, 930, 655, 948])]
    rows += [f"L2,2021-12-20T1{i}:00:00+08:00,{d},20,wired," for i, d in enumerate([150, 160, 170])]
    rows += ["L9,2021-12-20T10:00:00+08:00,90,20,wired,", "L1,yesterday,900,50,wired,"]
    tests.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return contracts, tests


def _by(results: list[dict[str, Any]], check_id: str, line: str) -> list[dict[str, Any]]:
    return [r for r in results if r["check_id"] == check_id and r["subject"]["id"] == line]


def test_json_report_judges_each_line(tmp_path: Path) -> None:
    contracts, tests = _inputs(tmp_path)
    args = ["check", "--contracts", str(contracts), "--speedtests", str(tests), "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    results = document["results"]
    assert {r["status"] for r in _by(results, "t2_contract_rates_stated", "L1")} == {"PASS"}
    assert {r["status"] for r in _by(results, "t2_contract_rates_stated", "L2")} == {"FAIL"}  # no uplink stated
    assert {r["status"] for r in _by(results, "t2_contract_speed_factors", "L1")} == {"PASS"}
    assert {r["status"] for r in _by(results, "t2_contract_speed_factors", "L2")} == {"FAIL"}
    share = {r["data"]["direction"]: r for r in _by(results, "t2_contract_delivered_share", "L1")}
    assert share["download"]["status"] == "FAIL"  # 3 of 4 wired tests reach 900 Mbit/s, 75 % < default share
    assert share["download"]["data"]["passing_tests"] == 3
    assert {r["status"] for r in _by(results, "t2_contract_delivered_share", "L2")} == {"FAIL"}
    meta = document["meta"]
    assert meta["lines"] == 3 and meta["speed_tests"] == 7
    problems = "\n".join(meta["problems"])
    assert "row 4, field up" in problems and "'很快'" in problems
    assert "field started_at" in problems
    assert "1 speed tests name a line_id with no contract" in problems


def test_campaign_override_and_table(tmp_path: Path) -> None:
    contracts, tests = _inputs(tmp_path)
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text("params:\n  T2.delivered-rate:\n    min_passing_share: 0.7\n", encoding="utf-8")
    relaxed = runner.invoke(app, ["check", "-c", str(contracts), "-s", str(tests), "--campaign", str(campaign),
                                  "--format", "json"])  # fmt: skip
    assert relaxed.exit_code == 0, relaxed.output
    results = json.loads(relaxed.stdout)["results"]
    share = {r["data"]["direction"]: r["status"] for r in _by(results, "t2_contract_delivered_share", "L1")}
    assert share == {"download": "PASS", "upload": "PASS"}

    table = runner.invoke(app, ["check", "-c", str(contracts), "--fail-on-fail"])
    assert table.exit_code == 1  # L2 states no uplink rate
    assert "检查结果" in table.stdout
    assert "PASS" in table.output and "FAIL" in table.output


def test_unusable_inputs_fail_clearly(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["check", "-c", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1
    assert "nope.csv" in missing.output and "not found" in missing.output
    empty = tmp_path / "empty.csv"
    empty.write_text("line_id,下行速率\n,100M\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "-c", str(empty)])
    assert result.exit_code == 1
    assert "no usable contract row" in result.output
    bad_campaign = tmp_path / "c.yaml"
    bad_campaign.write_text("params:\n  T2.delivered-rate:\n    min_passing_share: 2\n", encoding="utf-8")
    contracts, _ = _inputs(tmp_path)
    result = runner.invoke(app, ["check", "-c", str(contracts), "--campaign", str(bad_campaign)])
    assert result.exit_code == 1
    assert "min_passing_share" in result.output
    result = runner.invoke(app, ["check", "-c", str(contracts), "--output", str(tmp_path / "x.json")])
    assert result.exit_code == 2
