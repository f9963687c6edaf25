from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from ganzhi.collect.lists.parse import parse_list_bytes
from ganzhi.collect.lists.schema import match_role
from ganzhi.errors import InputError

SCHEMAS = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "policy" / "vocab" / "double_list_schemas.json"
)


def test_html_table_with_merged_cells_and_script() -> None:
    html = """<h2>第三方信息共享清单</h2><script>alert(1)</script><table>
    <tr><th>SDK名称</th><th>第三方主体</th><th>共享场景</th><th>共享目的</th><th>共享个人信息类型</th><th>共享方式</th></tr>
    <tr><td rowspan="2">高德定位SDK</td><td>高德</td><td>导航</td><td>定位</td><td>位置信息</td>
    <td>SDK本机采集</td></tr>
    <tr><td>高德</td><td>打车</td><td>定位</td><td>位置信息、设备信息</td><td>SDK本机采集</td></tr></table>"""
    (parsed,) = parse_list_bytes(html.encode(), "shared.html")
    assert parsed.kind == "shared"
    assert [r.cells["third_party"] for r in parsed.rows] == ["高德定位SDK", "高德定位SDK"]
    assert parsed.rows[1].pi_categories == ["location", "device_id"]
    assert any("merged" in p for p in parsed.problems)


def test_xlsx_csv_json() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["功能场景", "个人信息种类", "处理目的"])
    sheet.append(["注册", "手机号码", "创建账号"])
    buf = io.BytesIO()
    book.save(buf)
    (x,) = parse_list_bytes(buf.getvalue(), "c.xlsx")
    assert x.kind == "collected" and x.rows[0].cells == {
        "scenario": "注册",
        "pi_types": "手机号码",
        "purpose": "创建账号",
    }
    (c,) = parse_list_bytes("信息名称,使用目的,使用场景\n位置,导航,地图\n".encode(), "c.csv")
    assert c.rows[0].pi_categories == ["location"]
    (j,) = parse_list_bytes(json.dumps([{"信息种类": "通讯录", "目的": "找好友", "场景": "社交"}]).encode(), "c.json")
    assert j.rows[0].cells["pi_types"] == "通讯录"


def test_missing_header_is_a_problem_not_a_crash() -> None:
    (parsed,) = parse_list_bytes(b"a,b\n1,2\n", "x.csv")
    assert parsed.rows == [] and "no header row" in parsed.problems[0]
    with pytest.raises(InputError, match=r"x\.json"):
        parse_list_bytes(b"{bad", "x.json")


def test_every_shared_schema_synonym_is_recognised() -> None:
    if not SCHEMAS.is_file():
        pytest.skip(f"shared data absent: {SCHEMAS}")
    schema = json.loads(SCHEMAS.read_text(encoding="utf-8"))
    for part in ("collected_pi_list", "third_party_sharing_list"):
        for column in schema[part]["recommended_columns"]:
            for name in [column["name"], *column["synonyms"]]:
                assert match_role(name) is not None, name
