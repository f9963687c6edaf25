"""Broadband rates in every common spelling, contract and speed-test columns as platforms label them, and
connection vocabulary that is warned about instead of dropping the row."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganzhi.collect.broadband.contracts import load_contracts, load_speedtests, rate_mbps, rates_in_text
from ganzhi.evidence.broadband_contract import BroadbandContract
from ganzhi.evidence.speedtest import SpeedtestResult


@pytest.mark.parametrize(
    ("cell", "mbps"),
    [("1000M", 1000.0), ("千兆", 1000.0), ("1G", 1000.0), ("300兆", 300.0), ("1000M光宽带", 1000.0),
     ("百兆", 100.0), ("200Mbps（下行）", 200.0), ("1 Gbps", 1000.0), ("上行50M", 50.0), ("300", 300.0)],
)  # fmt: skip
def test_rate_spellings(cell: str, mbps: float) -> None:
    assert rate_mbps(cell) == mbps


def test_rates_in_clauses_and_cells_naming_both_directions() -> None:
    assert rates_in_text("甲方为乙方提供500M宽带接入服务（上行40M）。") == {"up": 40.0, "down": 500.0}
    assert rates_in_text("下行理论速率最高1000Mbps，上行理论速率最高50Mbps") == {"down": 1000.0, "up": 50.0}
    assert rate_mbps("下行1000M/上行100M", "up") == 100.0
    with pytest.raises(ValueError, match="很快"):
        rate_mbps("很快")


def test_platform_headers_and_vocabulary(tmp_path: Path) -> None:
    contracts = tmp_path / "c.csv"
    contracts.write_text("宽带账号,签约下行(Mbps),签约上行(Mbps),装机人员\nL1,500,50,张三\n", encoding="utf-8")
    loaded = load_contracts(contracts)
    assert [e.payload(BroadbandContract).down_mbps for e in loaded.evidence] == [500.0]
    assert any("装机人员" in str(p) and p.level == "warning" for p in loaded.problems)
    tests = tmp_path / "t.csv"
    tests.write_text(
        "宽带账号,测速时间,下载速率(Mbps),上传速率(Mbps),连接方式\n"
        "L1,2025/04/01 20:10,480,49,有线\nL1,2025年4月2日 20:10,470,48,Wi-Fi\nL1,2025-04-03T20:10,460,47,蓝牙\n",
        encoding="utf-8",
    )
    runs = load_speedtests(tests)
    assert len(runs.evidence) == 3
    results = [e.payload(SpeedtestResult) for e in runs.evidence]
    assert [r.environment.connection if r.environment else None for r in results] == ["wired", "wifi", None]
    assert any("蓝牙" in str(p) and "row 4" in str(p) and p.level == "warning" for p in runs.problems)
    assert (runs.accepted, runs.rejected, runs.warnings) == (3, 0, 1)


def test_contracts_in_gb18030_and_utf16_are_read(tmp_path: Path) -> None:
    """Exports from Chinese Windows tools are GB18030 or UTF-16; they are decoded like every other text input."""
    text = "宽带账号,签约下行(Mbps),签约上行(Mbps)\nL1,500,50\nL2,千兆,很快\n"
    for encoding in ("gb18030", "utf-16"):
        contracts = tmp_path / f"c-{encoding}.csv"
        contracts.write_bytes(text.encode(encoding))
        loaded = load_contracts(contracts)
        assert [e.subject.id for e in loaded.evidence] == ["L1", "L2"], encoding
        assert [(p.row, p.field) for p in loaded.problems] == [(3, "up")]
        assert "很快" in str(loaded.problems[0])


def test_a_damaged_contract_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    from ganzhi.errors import InputError

    contracts = tmp_path / "c.csv"
    contracts.write_text("line_id,down\n" + "L1," + '"' + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"c\.csv"):
        load_contracts(contracts)
