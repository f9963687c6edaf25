"""Published hall lists and registries as operators publish them: no operator column, no adcode, company names."""

from __future__ import annotations

import csv
from pathlib import Path

from ganzhi.collect.halls.evidence import collect_halls
from ganzhi.collect.halls.importers import import_halls, import_public_list
from ganzhi.evidence.halls import UNKNOWN_OPERATOR, HallPublicList, same_hall_name
from ganzhi.rules.regions.address import county_from_address
from ganzhi.rules.regions.divisions import default_divisions


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_address_gives_the_county_only_when_unambiguous() -> None:
    assert county_from_address("江苏省南京市玄武区中山路88号") == "320102"
    assert county_from_address("鼓楼区湖南路16号") is None  # 鼓楼区 exists in several cities
    assert county_from_address("中山路88号") is None  # a road, not 中山市


def test_registry_without_adcode_and_with_company_operator(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "r.csv",
        [
            ["营业厅编号", "运营商", "营业厅名称", "营业厅地址", "可办理携出"],
            ["A1", "中国移动通信集团江苏有限公司", "新街口营业厅", "江苏省南京市玄武区中山路88号", "可办理"],
            ["A2", "中国移动", "湖南路营业厅", "鼓楼区湖南路16号", "是"],
        ],
    )
    imported = import_halls(path, default_divisions())
    assert [(h.id, h.operator, h.adcode, h.port_out) for h in imported.halls] == [
        ("A1", "china_mobile", "320102", True)
    ]
    assert [(e.row, e.field) for e in imported.errors] == [(3, "adcode")]


def test_list_without_operator_column(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "l.csv",
        [
            ["序号", "厅店名称", "详细地址"],
            ["1", "中国联通南京鼓楼营业厅", "南京市鼓楼区"],
            ["2", "新街口营业厅", "南京市"],
        ],
    )
    public, errors = import_public_list(path)
    assert [(e.operator, e.name) for e in public.entries] == [
        ("china_unicom", "中国联通南京鼓楼营业厅"),
        (UNKNOWN_OPERATOR, "新街口营业厅"),
    ]
    assert [(e.row, e.field, e.level) for e in errors] == [(3, "operator", "warning")]


def test_unknown_operator_resolved_by_registry_name(tmp_path: Path) -> None:
    registry = _csv(
        tmp_path / "r.csv",
        [
            ["营业厅编号", "运营商", "营业厅名称", "行政区划代码", "可办理携出"],
            ["A1", "中国移动", "中国移动南京新街口营业厅", "320102", "是"],
        ],
    )
    listed = _csv(tmp_path / "l.csv", [["厅店名称"], ["新街口营业厅"]])
    collected = collect_halls(default_divisions(), registry, published=listed)
    public = next(e.payload(HallPublicList) for e in collected.evidence if e.kind == "hall_public_list")
    assert [e.operator for e in public.entries] == ["china_mobile"]
    assert same_hall_name("中国移动（南京）新街口营业厅", "中国移动南京新街口营业厅")
    assert not same_hall_name("新街口营业厅", "仙林营业厅")


def test_title_rows_above_the_header(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (
        ["某市联通可办理携号转网营业厅名单（2024年4月）"],
        [],
        ["序号", "营业厅", "地址"],
        [1, "中国联通观前街营业厅", "姑苏区"],
    ):
        sheet.append(row)
    path = tmp_path / "l.xlsx"
    book.save(path)
    public, errors = import_public_list(path)
    assert errors == []
    assert [(e.operator, e.name) for e in public.entries] == [("china_unicom", "中国联通观前街营业厅")]


def test_values_longer_than_the_evidence_allows_are_rejected_rows(tmp_path: Path) -> None:
    """A name over 256 characters (the fuzz finding) is a reported bad row, never a ValidationError."""
    from ganzhi.collect.halls.importers import import_halls, import_public_list
    from ganzhi.rules.regions.divisions import default_divisions

    long_name = "长" * 300 + "营业厅"
    published = _csv(tmp_path / "p.csv", [["operator", "name"], ["中国移动", long_name], ["中国移动", "朝阳营业厅"]])
    public, problems = import_public_list(published)
    assert [e.name for e in public.entries] == ["朝阳营业厅"] and public.rejected_rows == 1
    assert [(p.row, p.field, p.level) for p in problems] == [(2, "name", "error")]
    registry = _csv(
        tmp_path / "r.csv",
        [["id", "operator", "name", "adcode", "port_out"], ["m1", "中国移动", long_name, "110105", "是"]],
    )
    imported = import_halls(registry, default_divisions())
    assert (imported.accepted, imported.rejected) == (0, 1) and imported.errors[0].field == "name"
