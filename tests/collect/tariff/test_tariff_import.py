"""Catalogue import from real XLSX (merged header cells), CSV and JSON, and bad input reported by row and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from tariff_fixtures import PLANS, plan_records, write_channels_csv, write_csv, write_json, write_xlsx

from ganzhi.collect.tariff.headers import locate_header, match_header
from ganzhi.collect.tariff.importer import import_catalogue
from ganzhi.evidence.tariff import Audience, ChannelType, PriceUnit, TariffCatalogue


def _by_id(catalogue: TariffCatalogue) -> dict[str, object]:
    return {p.plan_id: p for p in catalogue.plans}


def test_xlsx_with_merged_headers_imports_every_plan(tmp_path: Path) -> None:
    result = import_catalogue([write_xlsx(tmp_path / "c.xlsx")], operator="china_telecom", region="上海")
    assert result.problems == []
    cat = result.catalogue
    assert [p.plan_id for p in cat.plans] == [p["方案编号"] for p in PLANS]
    plans = {p.plan_id: p for p in cat.plans}
    unlimited = plans["21SH0001"]
    assert unlimited.monthly_fee == 99.0
    assert unlimited.services.voice_minutes == 500
    assert unlimited.services.unlimited_data
    assert unlimited.throttle is not None
    assert (unlimited.throttle.after_gb, unlimited.throttle.kbps) == (20.0, 1000.0)
    legacy = plans["21SH0003"].overage_data_price
    assert legacy is not None
    assert legacy.unit is PriceUnit.PER_KB
    assert plans["21SH0003"].spending_cap_yuan == 600.0
    assert plans["21SH0007"].audiences == [Audience.ELDERLY]
    assert plans["21SH0008"].services.basic_services() == ["固定语音", "移动语音", "短信息", "宽带上网", "移动流量"]
    assert plans["21SH0001"].has_field("服务内容")  # composed from the service columns under 对应服务
    assert {c.channel for c in cat.channels} == set(ChannelType)
    agent = next(c for c in cat.channels if c.channel is ChannelType.AGENT)
    assert agent.elderly_entry is False
    assert len(agent.plan_ids) == 6


def test_csv_and_json_give_the_same_plans(tmp_path: Path) -> None:
    from_xlsx = import_catalogue([write_xlsx(tmp_path / "c.xlsx")]).catalogue
    from_csv = import_catalogue([write_csv(tmp_path / "c.csv"), write_channels_csv(tmp_path / "ch.csv")]).catalogue
    from_json = import_catalogue([write_json(tmp_path / "c.json")]).catalogue
    gbk = import_catalogue([write_csv(tmp_path / "gbk.csv", encoding="gb18030")]).catalogue
    for other in (from_csv, from_json, gbk):
        assert [(p.plan_id, p.monthly_fee, p.services, p.throttle) for p in other.plans] == [
            (p.plan_id, p.monthly_fee, p.services, p.throttle) for p in from_xlsx.plans
        ]
    assert from_json.operator == "china_telecom"
    assert len(from_csv.channels) == len(from_json.channels) == 5


def test_bad_cells_are_reported_by_file_row_and_field(tmp_path: Path) -> None:
    records = plan_records()
    records[0] = {**records[0], "资费标准": "-99元/月"}
    records[1] = {**records[1], "通用流量": "41"}  # no unit anywhere
    records[2] = {**records[2], "上线日期": "去年"}
    records[3] = {**records[3], "方案编号": ""}
    records[4] = {**records[4], "方案编号": "21SH0001"}  # duplicate id
    records[5] = {**records[5], "超出资费说明": "套外流量0.0003元/KB，满1GB按5元/GB"}
    path = write_xlsx(tmp_path / "bad.xlsx", records)
    result = import_catalogue([path])
    text = "\n".join(map(str, result.problems))
    assert f"{path}, sheet 资费公示, row 4, field 资费标准: 资费标准 must be >= 0" in text
    assert "row 5, field 通用流量: data volume '41' has no unit" in text
    assert "row 6, field 上线日期: expected a date such as 2021-12-31 for 上线日期, got '去年'" in text
    assert "row 7, field 方案编号: empty; the plan is kept as 'row-7'" in text
    assert "row 8, field 方案编号: duplicate id '21SH0001'" in text
    assert "row 9, field 超出资费说明: mixes data-price units" in text
    ids = [p.plan_id for p in result.catalogue.plans]
    assert len(ids) == len(PLANS) - 1  # only the duplicate is dropped; the rest is still read
    assert "row-7" in ids
    assert result.catalogue.import_errors == len(result.errors) == 5


def test_missing_headers_and_unreadable_files(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["资费名称", "资费标准", "神秘列"])
    ws.append(["天翼不限量99元套餐", "99元/月", "x"])
    ws.append(["畅享109元套餐", "一百零九", "y"])
    wb.save(tmp_path / "noid.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    result = import_catalogue([tmp_path / "noid.xlsx", broken, tmp_path / "absent.csv"])
    text = "\n".join(map(str, result.problems))
    assert "sheet Sheet, row 1, field 方案编号: missing header column" in text
    assert "unrecognised columns ignored: ['神秘列']" in text
    assert "row 3, field 资费标准: expected an amount in 元" in text
    assert f"{broken}: not a readable XLSX workbook" in text
    assert "absent.csv: file not found" in text
    assert [p.name for p in result.catalogue.plans] == ["天翼不限量99元套餐", "畅享109元套餐"]


def test_off_sale_plans_by_status_and_date(tmp_path: Path) -> None:
    records = plan_records()
    records[0] = {**records[0], "销售状态": "已下架"}
    records[1] = {**records[1], "下线日期": "2021-06-30"}
    cat = import_catalogue([write_json(tmp_path / "c.json", records)], as_of=dt.date(2021, 12, 31)).catalogue
    on_sale = {p.plan_id for p in cat.on_sale_public()}
    assert "21SH0001" not in on_sale
    assert "21SH0002" not in on_sale
    assert "21SH0003" in on_sale


@pytest.mark.parametrize(
    ("header", "field", "unit"),
    [
        ("资费标准（元/月）", "资费标准", "元"),
        ("国内通用流量(GB)", "通用流量", "gb"),
        ("定向流量（GB）", "定向流量", "gb"),
        ("套外资费", "超出资费说明", None),
        ("feesStandard", "资费标准", None),
        ("产品 名称", "资费名称", None),
        ("完全无关", None, None),
    ],
)
def test_header_matching(header: str, field: str | None, unit: str | None) -> None:
    match = match_header(header)
    assert (match.field, match.unit) == (field, unit)


@pytest.mark.parametrize(("repeated", "rows"), [(True, 1), (False, 2)])
def test_locate_two_row_header_under_a_title(repeated: bool, rows: int) -> None:
    """Vertically merged headers repeat in the child row (read as one row); unmerged ones need both rows."""
    child: list[object] = ["方案编号", "资费名称"] if repeated else [None, None]
    table: list[list[object]] = [
        ["某公司资费公示", "某公司资费公示", "某公司资费公示", "某公司资费公示", "某公司资费公示"],
        ["方案编号", "资费名称", "对应服务", "对应服务", "对应服务"],
        [*child, "国内通话（分钟）", "通用流量（GB）", "短信（条）"],
        ["A1", "套餐", 100, 10, 50],
    ]
    layout = locate_header(table)
    assert layout is not None
    assert (layout.rows, layout.last_row) == (rows, 2)
    assert [c.field for c in layout.columns] == ["方案编号", "资费名称", "国内通话", "通用流量", "短信"]
    assert [c.unit for c in layout.columns] == [None, None, "min", "gb", "条"]


def test_every_file_counts_its_accepted_and_rejected_rows(tmp_path: Path) -> None:
    records = plan_records()
    records.append({**records[0], "资费名称": "重复编号"})  # same 方案编号 as the first plan: rejected
    plans = write_csv(tmp_path / "plans.csv", records)
    channels = tmp_path / "channels.csv"
    channels.write_text(
        "渠道类型,渠道名称,可查询方案编号\n网厅,官网,21SH0001\n传真,传真渠道,21SH0002\n", encoding="utf-8"
    )
    result = import_catalogue([plans, channels])
    by_file = {f.source: (f.accepted, f.rejected, f.errors) for f in result.files}
    assert by_file == {str(plans): (len(PLANS), 1, 1), str(channels): (1, 1, 1)}
    assert (result.accepted, result.rejected) == (len(PLANS) + 1, 2)
    assert sum(f.warnings + f.errors for f in result.files) == len(result.problems)


def test_a_library_failure_is_an_error_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one boundary per file: whatever a library raises while importing becomes a problem naming the file."""
    from ganzhi.collect.tariff import importer

    def broken(self: object, sheet: object) -> None:
        raise KeyError("a library bug")

    good = write_csv(tmp_path / "good.csv")
    bad = write_json(tmp_path / "bad.json")
    real = importer._Importer.sheet
    monkeypatch.setattr(
        importer._Importer, "sheet", lambda self, s: broken(self, s) if "bad" in s.source else real(self, s)
    )
    result = import_catalogue([good, bad])
    assert len(result.catalogue.plans) == len(PLANS)  # the other file is still read
    [problem] = result.problems
    assert problem.source == str(bad) and "KeyError" in problem.problem and "cannot import" in problem.problem
