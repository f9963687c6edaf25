"""Every import command prints, per input file, how many rows it accepted and rejected and how many warnings
it met (issue 15), and warnings alone never make a command fail.

Each command gets one file with a rejected row and a warning; the count line is read from stderr.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ganzhi.cli import app
from ganzhi.evidence.hotline import Placement

runner = CliRunner()

_LINE = re.compile(r"^(?P<source>.+): 接受 (?P<a>\d+) 行，拒绝 (?P<r>\d+) 行，警告 (?P<w>\d+) 条 / "
                   r"accepted (?P=a), rejected (?P=r), warnings (?P=w)$", re.MULTILINE)  # fmt: skip


def counts(result: Result, path: Path) -> tuple[int, int, int]:
    """(accepted, rejected, warnings) of `path` from the command's stderr; fails when the line is missing."""
    found = {m["source"]: (int(m["a"]), int(m["r"]), int(m["w"])) for m in _LINE.finditer(result.stderr)}
    assert str(path) in found, f"no count line for {path} in:\n{result.stderr}"
    return found[str(path)]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_tariff_counts(tmp_path: Path) -> None:
    catalogue = _csv(
        tmp_path / "plans.csv",
        [
            ["方案编号", "资费名称", "资费标准", "通用流量", "装机人员"],
            ["P1", "畅享套餐", "99元/月", "30GB", "张三"],
            ["P2", "长者套餐", "39元/月", "10GB", ""],
            ["P1", "重复套餐", "59元/月", "20GB", ""],
        ],
    )
    result = runner.invoke(app, ["tariff", "check", str(catalogue), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert counts(result, catalogue) == (2, 1, 1)  # the duplicate id is rejected; 装机人员 is ignored with a warning


def test_broadband_counts(tmp_path: Path) -> None:
    contracts = _csv(
        tmp_path / "contracts.csv",
        [["line_id", "下行速率", "上行速率", "装机人员"], ["L1", "300M", "30M", "张三"], ["", "100M", "20M", ""]],
    )
    result = runner.invoke(app, ["broadband", "check", "-c", str(contracts), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert counts(result, contracts) == (1, 1, 1)


HALLS = [
    ["id", "operator", "name", "adcode", "lat", "lon", "port_out"],
    ["m1", "中国移动", "朝阳营业厅", "110105", "39.92", "116.44", "是"],
    ["m2", "中国移动", "西城营业厅", "110102", "39.91", "116.36", "是"],
]


def test_halls_counts_and_warnings_alone_exit_0(tmp_path: Path) -> None:
    registry = _csv(tmp_path / "halls.csv", HALLS)
    published = _csv(
        tmp_path / "published.csv",
        [["name"], ["中国移动朝阳营业厅"], ["西城营业厅"], ["长" * 300 + "营业厅"]],
    )
    result = runner.invoke(app, ["halls", "check", "-r", str(registry), "-p", str(published), "-f", "json"])
    assert result.exit_code == 2, result.output  # a name over 256 characters is a rejected row (an error)
    assert counts(result, registry) == (2, 0, 0)
    assert counts(result, published) == (2, 1, 1)  # 西城营业厅 names no operator: kept with a warning
    assert "row 4, field name" in result.stderr

    warned = _csv(tmp_path / "warned.csv", [["name"], ["中国移动朝阳营业厅"], ["西城营业厅"]])
    result = runner.invoke(app, ["halls", "check", "-r", str(registry), "-p", str(warned), "-f", "json"])
    assert result.exit_code == 0, result.output  # a warning alone never fails the command (it exited 2 before)
    assert counts(result, warned) == (2, 0, 1)
    assert json.loads(result.stdout)["meta"]["rejected_rows"][0]["level"] == "warning"


def test_hotline_counts_and_warnings_alone_exit_0(tmp_path: Path) -> None:
    too_deep = ">".join(f"第{i}层" for i in range(Placement.model_fields["path"].metadata[0].max_length + 1))
    registry = _csv(
        tmp_path / "hotlines.csv",
        [
            ["企业名称", "客服电话", "APP入口路径"],
            ["甲公司", "95017转2", "我的>客服"],
            ["乙公司", "95188", too_deep],
            ["丙公司", "10086", "我的>客服"],
        ],
    )
    result = runner.invoke(app, ["hotline", "check", "-r", str(registry), "-f", "json"])
    assert result.exit_code == 2, result.output  # the 51-step path is a rejected row, not a traceback
    assert counts(result, registry) == (2, 1, 1)  # 95017转2: the number is read, with a warning
    assert "row 3, field path" in result.stderr

    warned = _csv(tmp_path / "warned.csv", [["企业名称", "客服电话"], ["甲公司", "95017转2"]])
    result = runner.invoke(app, ["hotline", "check", "-r", str(warned), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert counts(result, warned) == (1, 0, 1)


def test_crossregion_counts_and_warnings_alone_exit_0(tmp_path: Path) -> None:
    header = ["operator", "province", "service", "operation", "channel", "supported"]
    matrix = _csv(
        tmp_path / "m.csv",
        [
            header,
            ["中国移动", "江苏", "亲情网", "添加外省成员", "online", "是"],
            ["中国移动", "北京", "亲情网", "改名字", "online", "是"],
            ["中国移动", "火星", "亲情网", "添加外省成员", "online", "是"],
        ],
    )
    result = runner.invoke(app, ["crossregion", "check", "-m", str(matrix), "-f", "json"])
    assert result.exit_code == 2, result.output  # 火星 is no province: an error
    assert counts(result, matrix) == (2, 1, 1)  # 改名字 is kept as written, with a warning

    warned = _csv(
        tmp_path / "w.csv",
        [
            header,
            ["中国移动", "北京", "亲情网", "改名字", "online", "是"],
            ["中国移动", "北京", "亲情网", "开通", "fax", "是"],
        ],
    )
    result = runner.invoke(app, ["crossregion", "check", "-m", str(warned), "-f", "json"])
    assert result.exit_code == 0, result.output  # unknown wording is a warning naming the value, not a rejected row
    assert counts(result, warned) == (1, 0, 2)
    assert "'fax'" in result.stderr and "row not used" in result.stderr


LIST_CSV = "功能场景,个人信息种类,处理目的,备注\n注册,手机号码,创建账号,\n,,,仅备注\n登录,设备信息\n"


def test_lists_counts(tmp_path: Path) -> None:
    listing = tmp_path / "collected.csv"
    listing.write_text(LIST_CSV, encoding="utf-8")
    result = runner.invoke(app, ["lists", "parse", str(listing), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert counts(result, listing) == (2, 1, 1)  # a row with nothing under a known column; a short row


def test_policy_counts(tmp_path: Path) -> None:
    sentences = tmp_path / "s.jsonl"
    sentences.write_text('{"id": 1, "text": "我们收集您的手机号码。"}\n{"id": 2}\nnot json\n', encoding="utf-8")
    result = runner.invoke(app, ["policy", "classify", "--input", str(sentences), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 0, result.output
    assert counts(result, sentences) == (1, 2, 0)


def test_policy_analyze_counts_its_lists(tmp_path: Path) -> None:
    pytest.importorskip("jieba", reason="policy analyze needs the policy extra")
    policy = tmp_path / "policy.txt"
    policy.write_text("隐私政策\n我们收集您的手机号码，用于注册账号。\n", encoding="utf-8")
    listing = tmp_path / "collected.csv"
    listing.write_text(LIST_CSV, encoding="utf-8")
    result = runner.invoke(app, ["policy", "analyze", str(policy), "--lists", str(listing), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert counts(result, listing) == (2, 1, 1)
