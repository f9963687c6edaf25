"""Broadband contract and speed-test CSV import, and the contract checks over them through the runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganzhi.collect.broadband.contracts import load_contracts, load_speedtests, rate_mbps, rates_in_text
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.status import Status


def test_rates_from_cells_and_contract_text() -> None:
    assert rate_mbps("1000M") == 1000.0
    assert rate_mbps("1G") == 1000.0
    assert rate_mbps("千兆") == 1000.0
    with pytest.raises(ValueError, match="'很快'"):
        rate_mbps("很快")
    assert rates_in_text("下行理论速率1000Mbps，上行理论速率50Mbps") == {"down": 1000.0, "up": 50.0}
    assert rates_in_text("千兆宽带，下行1000M") == {"down": 1000.0}


def test_contracts_and_speedtests_meet_in_the_checks(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts.csv"
    contracts.write_text(
        "line_id,合同编号,下行速率,上行速率,合同条款,告知内容\n"
        "L1,C1,,,下行理论速率1000Mbps，上行理论速率50Mbps,网速受电脑网卡、路由器、网线、光猫、WiFi信号及晚高峰影响\n"
        "L2,C2,300M,很快,,\n"
        ",C3,100M,20M,,\n",
        encoding="utf-8",
    )
    tests = tmp_path / "tests.csv"
    rows = ["line_id,started_at,download_mbps,upload_mbps,connection,errors"]
    rows += [f"L1,2021-12-20T2{i}:00:00+08:00,{d},51,wired," for i, d in enumerate([941, 612, 655, 948])]
    rows += ["L1,2021-12-20T23:00:00+08:00,300,40,wifi,", "L1,yesterday,900,50,wired,"]
    rows += ["L1,2021-12-21T00:00:00,abc,50,wired,"]
    tests.write_text("\n".join(rows) + "\n", encoding="utf-8")
    loaded_contracts, loaded_tests = load_contracts(contracts), load_speedtests(tests)
    assert [str(p) for p in loaded_contracts.problems] == [
        f"{contracts}, row 3, field up: expected a rate such as '1000Mbps', got '很快'",
        f"{contracts}, row 4, field line_id: empty; row skipped",
    ]
    assert [(p.row, p.field, p.level) for p in loaded_contracts.problems] == [
        (3, "up", "error"),
        (4, "line_id", "error"),
    ]
    assert (loaded_contracts.accepted, loaded_contracts.rejected) == (2, 1)  # L2 is kept without its uplink rate
    assert [str(p) for p in loaded_tests.problems] == [
        f"{tests}, row 7, field started_at: expected ISO 8601, got 'yesterday'",
        f"{tests}, row 8, field download_mbps: expected a number, got 'abc'",
    ]
    assert (loaded_tests.accepted, loaded_tests.rejected) == (6, 1)
    run = evaluate(
        [*loaded_contracts.evidence, *loaded_tests.evidence],
        check_ids=["t2_contract_rates_stated", "t2_contract_delivered_share", "t2_contract_speed_factors"],
    )
    got = {(r.check_id, r.subject.id, r.data.get("direction", r.data.get("contract_id"))): r for r in run.results}
    assert got[("t2_contract_rates_stated", "L1", "C1")].status is Status.PASS
    assert got[("t2_contract_rates_stated", "L2", "C2")].data["missing"] == ["上行"]
    down = got[("t2_contract_delivered_share", "L1", "download")]
    assert down.status is Status.FAIL
    assert (down.data["passing_tests"], down.data["valid_wired_tests"], down.data["excluded_tests"]) == (2, 4, 1)
    assert got[("t2_contract_delivered_share", "L1", "upload")].status is Status.PASS
    assert got[("t2_contract_speed_factors", "L1", "C1")].status is Status.PASS
    assert got[("t2_contract_speed_factors", "L2", "C2")].status is Status.FAIL
