"""Reading product/price pages (table and running text) into netdisk_disclosure evidence."""

from __future__ import annotations

from ganzhi.collect.netdisk.disclosure import read_disclosure

TABLE_PAGE = """<html><head><style>.x{}</style><script>var 极速 = 1;</script></head><body>
<h2>会员权益对比</h2><table>
<tr><th>项目</th><th>免费用户</th><th>超级会员</th></tr>
<tr><td>存储空间</td><td>10GB</td><td>5TB</td></tr>
<tr><td>下载速率</td><td>不低于100KB/s</td><td>极速下载</td></tr>
<tr><td>功能权益</td><td>在线预览</td><td>视频倍速、在线解压</td></tr>
<tr><td>资费</td><td>免费</td><td>¥30/月</td></tr></table>
<p>超级会员尊享极速下载！</p><p>免费用户不限速，实际速率取决于网络环境。</p></body></html>"""

TEXT_PAGE = """免费用户
存储空间 5GB
下载速度 最低200KB/s
超级会员
存储空间 2TB
25元/月
"""


def test_table_page_tiers_and_claims() -> None:
    page = read_disclosure(TABLE_PAGE.encode(), "vip.html")
    assert [(t.name, t.free) for t in page.tiers] == [("免费用户", True), ("超级会员", False)]
    free, paid = page.tiers
    assert free.storage and "10GB" in free.storage and free.rate and free.rights and free.price
    assert paid.price and "¥30/月" in paid.price
    claims = {(c.term, c.mechanism_stated) for c in page.claims}
    assert ("极速", False) in claims and ("不限速", True) in claims
    assert all("var" not in c.sentence for c in page.claims)  # scripts are skipped


def test_text_page_missing_items_stay_none() -> None:
    page = read_disclosure(TEXT_PAGE.encode(), "page.txt")
    free, paid = page.tiers
    assert free.free and free.rate and free.storage and free.price is None
    assert not paid.free and paid.price and paid.rate is None


def test_binary_garbage_does_not_crash() -> None:
    page = read_disclosure(bytes(range(256)) * 100, "junk.bin")
    assert page.tiers == []
