"""Hotline registries as published: Chinese types and results, numbers with hours, firms without a number."""

from __future__ import annotations

import csv
from pathlib import Path

from ganzhi.collect.hotline.importers import add_dial_tests, import_registry
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.hotline import DialTests, HotlineListing
from ganzhi.evidence.status import Status


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_registry_rows_read_as_written(tmp_path: Path) -> None:
    registry = _csv(
        tmp_path / "r.csv",
        [
            ["企业名称", "企业类型", "客服电话", "APP入口路径", "官网公示页面"],
            ["甲公司", "互联网企业", "4008-123-123（9:00-21:00）", "我的›设置›帮助与客服›联系客服", "https://a.cn"],
            ["乙公司", "互联网企业", "未公布", "", ""],
            ["丙公司", "基础电信企业", "10086", "我的 - 客服", "https://b.cn"],
            ["丁公司", "外资企业", "95000", "", "https://d.cn"],
        ],
    )
    imported = import_registry(registry)
    listings = {k: v[0].payload(HotlineListing) for k, v in imported.evidence.items()}
    assert listings["4008-123-123"].shown_on[0].taps == 4
    assert listings["乙公司"].number is None
    assert listings["10086"].enterprise_type == "basic_telecom_operator"
    assert listings["10086"].shown_on[0].path == ["我的", "客服"]
    assert [(e.row, e.field, e.level) for e in imported.errors] == [
        (2, "number", "warning"),
        (5, "enterprise_type", "warning"),
    ]
    results = evaluate([i for items in imported.evidence.values() for i in items], tasks=("T10",)).results
    published = {r.subject.id: r.status for r in results if r.check_id == "t10_hotline_published"}
    assert published["乙公司"] is Status.FAIL
    assert published["4008-123-123"] is Status.FAIL  # 4 taps
    assert published["10086"] is Status.PASS


def test_dial_results_in_words(tmp_path: Path) -> None:
    registry = _csv(tmp_path / "r.csv", [["企业名称", "客服电话"], ["甲公司", "400-810-6688"]])
    dial = _csv(
        tmp_path / "d.csv",
        [
            ["号码", "拨测时间", "转人工秒数", "拨测结果"],
            ["4008106688", "2024-05-01T10:00:00", "20", "接通人工"],
            ["400-810-6688", "2024-05-01T11:00:00", "", "排队超时"],
            ["400-810-6688", "2024-05-01T12:00:00", "", "对方说稍后回电"],
        ],
    )
    imported = import_registry(registry)
    add_dial_tests(dial, imported)
    tests = imported.evidence["400-810-6688"][1].payload(DialTests)
    assert [a.outcome for a in tests.attempts] == ["human", "human_unreachable"]
    assert [(e.row, e.field) for e in imported.errors] == [(4, "outcome")]
    assert "对方说稍后回电" in imported.errors[0].problem


def test_an_app_path_deeper_than_the_evidence_allows_is_a_rejected_row(tmp_path: Path) -> None:
    """51 steps (the fuzz finding) or a tap count over 100 reject the row; the others are still read."""
    deep = ">".join(f"第{i}层" for i in range(51))
    registry = _csv(
        tmp_path / "r.csv",
        [
            ["企业名称", "客服电话", "APP入口路径", "点击次数"],
            ["甲", "95017", deep, ""],
            ["乙", "95188", "我的>客服", "101"],
            ["丙", "10086", "我的>客服", ""],
        ],
    )
    imported = import_registry(registry)
    assert list(imported.evidence) == ["10086"]
    assert [(e.row, e.field, e.level) for e in imported.errors] == [(2, "path", "error"), (3, "taps", "error")]
    [counts] = imported.files
    assert (counts.source, counts.accepted, counts.rejected, counts.warnings) == (str(registry), 1, 2, 0)
