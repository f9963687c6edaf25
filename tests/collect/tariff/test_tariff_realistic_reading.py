"""Reading tariff cells the way operators write them: throttle clauses, CJK-suffixed units, '每GB 3元',
labelled segments in remarks, channel sub-headers and channel sheets with long headers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from ganzhi.collect.tariff.channels import is_channel_sheet, match_channel_header
from ganzhi.collect.tariff.importer import import_catalogue, labelled_segments
from ganzhi.collect.tariff.units import parse_data_price, parse_speed_kbps, parse_throttle


@pytest.mark.parametrize(
    ("text", "after_gb", "kbps"),
    [
        ("当月国内通用流量使用达到100GB后上网速率降至1Mbps，次月1日恢复", 100.0, 1000.0),
        ("当月使用超过80GB后，网速限制为最高1Mbps", 80.0, 1000.0),
        ("当月流量达到50G时，速率调整为最高3M，次月恢复", 50.0, 3000.0),
        ("超出30GB后降速至128kbps", 30.0, 128.0),
        ("40GB后限速1Mbps", 40.0, 1000.0),
        ("达量后降速，具体以系统为准", None, None),
    ],
)
def test_throttle_clauses_in_operator_wording(text: str, after_gb: float | None, kbps: float | None) -> None:
    throttle = parse_throttle(text)
    assert throttle is not None
    assert (throttle.after_gb, throttle.kbps) == (after_gb, kbps)


def test_negated_or_absent_throttling_is_not_a_throttle() -> None:
    assert parse_throttle("套餐内流量用完后不限速，按3元/GB收取") is None
    assert parse_throttle("超出80GB后不额外收费") is None


def test_units_followed_by_chinese_words_are_read() -> None:
    assert parse_speed_kbps("1000M光宽带") == 1_000_000.0
    assert parse_speed_kbps("300兆") == 300_000.0
    assert parse_speed_kbps("千兆") == 1_000_000.0
    price = parse_data_price("国内通用流量超出后按3元/GB计收")
    assert price is not None and price.yuan_per_gb == 3.0
    each = parse_data_price("超出后按每GB 3元收取")
    assert each is not None and each.yuan_per_gb == 3.0
    assert parse_data_price("国内主叫0.15元/分钟") is None


def test_labelled_segments_in_a_remark_fill_their_fields() -> None:
    found = labelled_segments("资费结构：套餐月费199元；收费项目：月功能费、套外流量费；计费原则：按自然月计费。")
    assert found == {"资费结构": "套餐月费199元", "收费项目": "月功能费、套外流量费", "计费原则": "按自然月计费"}


def test_channel_sheet_headers_and_plan_tables_are_told_apart() -> None:
    assert match_channel_header("可查询资费方案编号") == "plan_ids"
    assert is_channel_sheet(["渠道类型", "渠道名称", "可查询资费方案编号", "老年人残疾人专区"])
    assert not is_channel_sheet(["方案编号", "资费名称", "资费标准", "销售渠道", "渠道名称"])


def test_channel_columns_under_a_merged_parent(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.create_sheet("资费清单", 0)
    sheet.append(["资费编号", "资费名称", "资费标准（元/月）", "通用流量（GB）", "可查询渠道", None, None, None, None])
    sheet.merge_cells(start_row=1, start_column=5, end_row=1, end_column=9)
    sheet.append([None, None, None, None, "自有营业厅", "掌上营业厅", "网上营业厅", "资费专区", "代理渠道"])
    sheet.append(["P1", "5G智享套餐99元", "99", "30", "是", "是", "是", "是", "否"])
    path = tmp_path / "plans.xlsx"
    book.save(path)
    imported = import_catalogue([path])
    assert [p.plan_id for p in imported.catalogue.plans] == ["P1"]
    assert {c.channel.value for c in imported.catalogue.channels} == {"business_hall", "app", "web", "tariff_zone"}


def test_remarks_and_1000m_broadband_import_without_errors(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["方案编号", "套餐名称", "月费", "宽带速率", "国内通用流量", "备注"])
        writer.writerow(["F1", "融合套餐199元（含1000M光宽带）", "199元/月", "1000M光宽带", "60GB",
                         "计费原则：按自然月计费，首月按日折算"])  # fmt: skip
    imported = import_catalogue([path])
    assert not imported.errors
    plan = imported.catalogue.plans[0]
    assert plan.services.broadband_mbps == 1000.0
    assert plan.fields["计费原则"] == "按自然月计费，首月按日折算"
