"""List layouts seen on real pages: SDK cards, SDK and company columns, method wording, unknown vocabulary."""

from __future__ import annotations

import io

from openpyxl import Workbook

from ganzhi.checks.t7.t7_sdk_listed.check import _keys, _listed
from ganzhi.collect.lists.parse import parse_html, parse_list_bytes, table_to_list
from ganzhi.collect.lists.schema import assign_roles, sharing_method
from ganzhi.evidence.pi_lists import AppSdk

CARDS = """<html><body><h1>第三方SDK目录</h1><p>我们接入了以下SDK。</p>
<div><h3>1. 友盟+ SDK</h3><p>SDK名称：友盟+ SDK</p><p>所属公司：友盟同欣（北京）科技有限公司</p>
<p>收集目的：统计分析</p><p>场景描述：APP启动</p><p>收集方式：SDK采集</p><p>个人信息收集范围：设备信息（OAID）</p></div>
<div><h3>2. 极光推送</h3><p>SDK名称：极光推送</p><p>所属公司：深圳市和讯华谷信息技术有限公司</p>
<p>收集目的：消息推送</p><p>场景描述：推送</p><p>收集方式：SDK采集</p><p>个人信息收集范围：设备标识符</p></div>
</body></html>"""


def test_sdk_cards_without_a_table_are_read_as_rows() -> None:
    (parsed,) = parse_html(CARDS, "sdk.html")
    assert parsed.kind == "shared"
    assert [r.cells["third_party"] for r in parsed.rows] == ["友盟+ SDK", "极光推送"]
    assert parsed.rows[1].cells["developer"] == "深圳市和讯华谷信息技术有限公司"
    assert {"purpose", "scenario", "method", "pi_types"} <= set(parsed.headers)
    assert any("key–value blocks" in p for p in parsed.problems)


def test_sdk_column_and_company_column_are_both_kept() -> None:
    assert assign_roles(["合作方名称", "SDK名称", "共享目的"]) == {0: "developer", 1: "third_party", 2: "purpose"}
    assert assign_roles(["第三方名称", "第三方主体", "使用目的"]) == {0: "third_party", 1: "developer", 2: "purpose"}


def test_sharing_method_wording() -> None:
    assert sharing_method("SDK采集") == "SDK本机采集"
    assert sharing_method("嵌入第三方SDK，由SDK收集") == "SDK本机采集"
    assert sharing_method("接口传输") == "后台接口传输"
    assert sharing_method("通过服务器API传输") == "后台接口传输"
    assert sharing_method("见隐私政策") is None


def test_unknown_vocabulary_is_named_and_empty_rows_are_counted() -> None:
    parsed = table_to_list(
        [
            ["个人信息种类", "使用目的", "使用场景", "备注"],
            ["手机号码", "登录", "注册", ""],
            ["会员等级", "权益", "会员", ""],
            ["", "", "", "仅备注"],
        ],
        "list.csv",
    )
    assert [r.row for r in parsed.rows] == [1, 2]
    assert parsed.rejected_rows == [3]
    assert any("row 2" in p and "会员等级" in p for p in parsed.problems)
    assert any("row 3" in p for p in parsed.problems)


def test_xlsx_with_a_merged_title_row() -> None:
    book = Workbook()
    sheet = book.create_sheet("x", 0)
    book.remove(book.worksheets[1])
    sheet.title = "已收集个人信息清单"
    sheet.append(["已收集个人信息清单", None, None])
    sheet.merge_cells("A1:C1")
    sheet.append(["个人信息种类", "使用目的", "使用场景"])
    sheet.append(["手机号码", "登录", "注册"])
    buffer = io.BytesIO()
    book.save(buffer)
    (parsed,) = parse_list_bytes(buffer.getvalue(), "list.xlsx")
    assert parsed.rows[0].pi_categories == ["phone_number"]
    assert any("merged" in p for p in parsed.problems)


def test_sdk_named_in_other_words_is_listed_but_a_vendor_row_does_not_cover_its_other_sdks() -> None:
    umeng = AppSdk(
        id="umeng_analytics", name="友盟统计", aliases=["Umeng U-App Analytics"], vendor="友盟同欣（北京）科技有限公司"
    )
    gdt = AppSdk(id="tencent_gdt", name="优量汇(腾讯广告 GDT)", vendor="深圳市腾讯计算机系统有限公司")
    assert "友盟" in _keys(umeng) and "优量汇" in _keys(gdt) and "腾讯" not in _keys(gdt)
    rows = [("友盟+sdk", ""), ("bugly", "深圳市腾讯计算机系统有限公司")]
    assert _listed(umeng, rows, vendor_unique=True)
    assert not _listed(gdt, rows, vendor_unique=False)
    assert _listed(umeng, [("统计服务", "友盟同欣（北京）科技有限公司")], vendor_unique=True)
