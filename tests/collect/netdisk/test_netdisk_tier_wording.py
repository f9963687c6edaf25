"""Tier parsing of cloud-drive pages as vendors write them: one line per tier, captions, tiers as rows, footnotes."""

from __future__ import annotations

from ganzhi.collect.netdisk.disclosure import read_disclosure, tier_name


def test_tier_names_are_short_phrases_ending_in_a_tier_noun() -> None:
    assert tier_name("超级会员 SVIP") == ("超级会员 SVIP", False)
    assert tier_name("基础版（免费）") == ("基础版（免费）", True)
    assert tier_name("会员专享极速通道") is None
    assert tier_name("立即开通会员") is None


def test_one_line_carries_name_price_storage_rate_and_rights() -> None:
    page = (
        "<ul><li>免费用户 2TB 0元 下载速度100KB/s起 基础功能</li>"
        "<li>SVIP会员 5TB ￥25/月 下载速度最高20MB/s 离线下载特权</li></ul>"
    )
    tiers = read_disclosure(page.encode(), "p.html").tiers
    assert [(t.name, t.free) for t in tiers] == [("免费用户", True), ("SVIP会员", False)]
    assert all(t.storage and t.rate and t.rights and t.price for t in tiers)


def test_a_missing_item_stays_missing() -> None:
    text = "免费用户：存储空间5GB，文件分享，免费\n超级会员：空间5TB，下载速度最高20MB/s，离线下载，25元/月\n"
    free, paid = read_disclosure(text.encode(), "p.txt").tiers
    assert free.rate is None and free.storage and free.price
    assert paid.rate and paid.price


def test_caption_row_and_tiers_as_rows() -> None:
    caption = (
        "<table><tr><th colspan=3>会员权益对比</th></tr><tr><th>项目</th><th>免费用户</th><th>VIP会员</th></tr>"
        "<tr><td>空间</td><td>10GB</td><td>1TB</td></tr></table>"
    )
    assert [t.name for t in read_disclosure(caption.encode(), "a.html").tiers] == ["免费用户", "VIP会员"]
    rows = (
        "<table><tr><th>档位</th><th>资费</th><th>存储容量</th></tr>"
        "<tr><td>基础版（免费）</td><td>0元</td><td>20G</td></tr><tr><td>专业版</td><td>9.9元/月</td><td>500G</td></tr></table>"
    )
    tiers = read_disclosure(rows.encode(), "b.html").tiers
    assert [(t.name, t.free, t.price is not None, t.storage is not None) for t in tiers] == [
        ("基础版（免费）", True, True, True),
        ("专业版", False, True, True),
    ]


def test_footnote_explains_a_term_but_the_next_unrelated_sentence_does_not() -> None:
    noted = "超级会员：不限速※\n※ 不限速：指不做人为限制，实际速率取决于网络环境。\n"
    assert all(c.mechanism_stated for c in read_disclosure(noted.encode(), "n.txt").claims)
    slogan = "享受极速下载体验！免费用户下载速度最低128KB/s。\n"
    claims = read_disclosure(slogan.encode(), "s.txt").claims
    assert [(c.term, c.mechanism_stated) for c in claims] == [("极速", False)]
