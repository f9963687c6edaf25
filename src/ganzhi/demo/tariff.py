"""A demo tariff catalogue (T1), built by code from the real plan records in telecom.md §2.2.

The plans: China Telecom 天翼不限量99元 (20GB达量降速至1Mbps), the 109元 plan (41GB后3.1Mbps, 101GB后128Kbps),
the legacy per-KB standard price (0.0003元/KB, 封顶600元), a 5元/GB plan with a selectable cap, Mobile's
day-tiered overage (每天前1GB收费10元), an elderly discount plan, a bundle with broadband and two
single-service packs. Writers produce real XLSX (merged title and header cells), CSV and JSON files.
The tariff tests use it as their fixture and `ganzhi serve --demo` as the platform's T1 data.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook

COMMON = {
    "资费结构": "月基本费+套内包含业务+套外按量计费",
    "收费项目": "月基本费、套外语音、套外流量、短信",
    "计费原则": "按月收取月基本费；套外流量按KB计费向上取整，按分向上取整",
    "办理条件": "实名登记的个人用户",
    "有效期限": "2年，到期自动续约2年",
    "适用地区": "上海",
    "销售渠道": "自有营业厅、掌厅、网厅、代理渠道",
    "上线日期": "2021-01-01",
    "下线日期": "长期",
    "在网要求": "无",
    "退订方式": "营业厅、10000号、掌厅办理退订，次月生效",
    "违约责任": "无合约，不涉及违约金",
    "销售状态": "在售",
    "适用范围": "公众用户",
}

#: (方案编号, 资费名称, 资费类型, 资费标准, 国内通话, 通用流量, 定向流量, 短信, 宽带, 超出资费说明, 达量降速, extra)
PLANS: list[dict[str, Any]] = [
    {"方案编号": "21SH0001", "资费名称": "天翼不限量99元套餐", "资费类型": "套餐", "资费标准": "99元/月",
     "国内通话": 500, "通用流量": "不限量（20GB达量降速）", "定向流量": 0, "短信": 0, "宽带": "",
     "超出资费说明": "国内语音0.15元/分钟，国内短信0.1元/条", "达量降速": "20GB后降速至1Mbps，次月恢复"},
    {"方案编号": "21SH0002", "资费名称": "畅享109元套餐", "资费类型": "套餐", "资费标准": "109元/月",
     "国内通话": 500, "通用流量": "41GB", "定向流量": 0, "短信": 0, "宽带": "",
     "超出资费说明": "国内语音0.15元/分钟；达量限速不封顶",
     "达量降速": "41GB后降速至3.1Mbps，累计101GB后降速至128Kbps，次月恢复"},
    {"方案编号": "21SH0003", "资费名称": "畅聊19元套餐", "资费类型": "套餐", "资费标准": "19元/月",
     "国内通话": 100, "通用流量": "500MB", "定向流量": 0, "短信": 50, "宽带": "",
     "超出资费说明": "套外国内流量0.0003元/KB，当月套外流量费封顶600元", "达量降速": ""},
    {"方案编号": "21SH0004", "资费名称": "畅享30GB套餐", "资费类型": "套餐", "资费标准": "59元/月",
     "国内通话": 300, "通用流量": "30GB", "定向流量": "10GB", "短信": 100, "宽带": "",
     "超出资费说明": "套外流量5元/GB；可自主选择超套封顶档位（50元/100元/200元）", "达量降速": ""},
    {"方案编号": "21SH0005", "资费名称": "畅享30GB套餐（新）", "资费类型": "套餐", "资费标准": "69元/月",
     "国内通话": 500, "通用流量": "30GB", "定向流量": "20GB", "短信": 100, "宽带": "",
     "超出资费说明": "套外流量5元/GB", "达量降速": ""},
    {"方案编号": "21SH0006", "资费名称": "动感地带29元套餐", "资费类型": "套餐", "资费标准": "29元/月",
     "国内通话": 100, "通用流量": "10GB", "定向流量": 0, "短信": 0, "宽带": "",
     "超出资费说明": "套外流量每天前1GB收费10元，后续每500MB收费6元", "达量降速": ""},
    {"方案编号": "21SH0007", "资费名称": "爱心敬老18元套餐", "资费类型": "套餐", "资费标准": "18元/月",
     "国内通话": 200, "通用流量": "5GB", "定向流量": 0, "短信": 0, "宽带": "",
     "超出资费说明": "套外流量3元/GB", "达量降速": "", "适用范围": "60周岁及以上老年用户"},
    {"方案编号": "21SH0008", "资费名称": "融合宽带199元套餐", "资费类型": "套餐", "资费标准": "199元/月",
     "国内通话": 1000, "通用流量": "40GB", "定向流量": 0, "短信": 100, "宽带": 300,
     "超出资费说明": "套外流量5元/GB", "达量降速": "", "固话": "含固话一部"},
    {"方案编号": "21SH0009", "资费名称": "流量包10元1GB", "资费类型": "加装包", "资费标准": "10元/月",
     "国内通话": "", "通用流量": "1GB", "定向流量": "", "短信": "", "宽带": "",
     "超出资费说明": "套外流量5元/GB", "达量降速": ""},
    {"方案编号": "21SH0010", "资费名称": "单宽带300M", "资费类型": "套餐", "资费标准": "100元/月",
     "国内通话": "", "通用流量": "", "定向流量": "", "短信": "", "宽带": 300,
     "超出资费说明": "无", "达量降速": ""},
]  # fmt: skip

SERVICE_COLUMNS = ["国内通话（分钟）", "通用流量", "定向流量（GB）", "短信（条）", "宽带（Mbps）"]
SERVICE_KEYS = ["国内通话", "通用流量", "定向流量", "短信", "宽带"]
BEFORE = ["方案编号", "资费名称", "资费类型", "资费标准（元/月）"]
AFTER = ["资费结构", "收费项目", "计费原则", "办理条件", "有效期限", "适用范围", "适用地区", "销售渠道", "上线日期",
         "下线日期", "在网要求", "退订方式", "违约责任", "超出资费说明", "达量降速", "销售状态", "固话"]  # fmt: skip
CHANNELS: list[tuple[str, str, list[str], str]] = [
    ("自有营业厅", "上海电信自有营业厅", [p["方案编号"] for p in PLANS], "是"),
    ("掌厅", "中国电信APP", [p["方案编号"] for p in PLANS], "是"),
    ("网厅", "上海电信网上营业厅", [p["方案编号"] for p in PLANS], "是"),
    ("资费专区", "资费公示专区", [p["方案编号"] for p in PLANS], "是"),
    ("代理渠道", "社会代理网点", [p["方案编号"] for p in PLANS[:6]], "否"),
]


def plan_records() -> list[dict[str, Any]]:
    """Every plan with the common fields filled in (per-plan values win)."""
    return [{**COMMON, "固话": "", **plan} for plan in PLANS]


def _value(record: dict[str, Any], key: str) -> Any:
    return record.get(key.split("（", maxsplit=1)[0], "")


def write_xlsx(path: Path, records: list[dict[str, Any]] | None = None, *, channels: bool = True) -> Path:
    """A workbook with a merged title row, a two-row header ('对应服务' merged over the service columns,
    the other headers merged vertically) and a channel sheet."""
    records = plan_records() if records is None else records
    wb = Workbook()
    ws = wb.active
    if ws is None:
        raise ValueError("openpyxl returned a workbook without an active sheet")
    ws.title = "资费公示"
    columns = [*BEFORE, *SERVICE_COLUMNS, *AFTER]
    width = len(columns)
    ws.cell(row=1, column=1, value="中国电信上海公司资费公示清单（2021年12月）")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for col, name in enumerate(columns, start=1):
        if name in SERVICE_COLUMNS:
            ws.cell(row=3, column=col, value=name)
        else:
            ws.cell(row=2, column=col, value=name)
            ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    first = len(BEFORE) + 1
    ws.cell(row=2, column=first, value="对应服务")
    ws.merge_cells(start_row=2, start_column=first, end_row=2, end_column=first + len(SERVICE_COLUMNS) - 1)
    for r, record in enumerate(records, start=4):
        for col, name in enumerate(columns, start=1):
            ws.cell(row=r, column=col, value=_value(record, name))
    if channels:
        cs = wb.create_sheet("渠道展示")
        cs.append(["渠道类型", "渠道名称", "可查询方案编号", "老年人残疾人入口"])
        for ctype, name, ids, elderly in CHANNELS:
            cs.append([ctype, name, "、".join(ids), elderly])
    wb.save(path)
    return path


def write_csv(path: Path, records: list[dict[str, Any]] | None = None, encoding: str = "utf-8-sig") -> Path:
    """A one-row-header CSV with units inside the header cells."""
    records = plan_records() if records is None else records
    columns = [*BEFORE, *SERVICE_COLUMNS, *AFTER]
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for record in records:
            writer.writerow([_value(record, c) for c in columns])
    return path


def write_channels_csv(path: Path) -> Path:
    """The channel listing as a CSV, one row per channel."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["渠道类型", "渠道名称", "可查询方案编号", "老年人残疾人入口"])
        for ctype, name, ids, elderly in CHANNELS:
            writer.writerow([ctype, name, "、".join(ids), elderly])
    return path


def write_json(path: Path, records: list[dict[str, Any]] | None = None) -> Path:
    """The unified-schema JSON document: operator, region, plans and channels."""
    records = plan_records() if records is None else records
    channels = [
        {"渠道类型": c, "渠道名称": n, "可查询方案编号": ids, "老年人残疾人入口": e} for c, n, ids, e in CHANNELS
    ]
    document = {"operator": "china_telecom", "region": "上海", "plans": records, "channels": channels}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
