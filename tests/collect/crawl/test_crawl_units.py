"""Spec validation, charset decoding, host partitions and the diff of extracted facts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ganzhi.collect.crawl.diff import diff_evidence
from ganzhi.collect.crawl.spec import Schedule, load_specs, parse_spec
from ganzhi.collect.crawl.text import decode_page
from ganzhi.errors import InputError
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.usecases.crawl import partitions

EXAMPLES = Path(__file__).parents[3] / "src" / "ganzhi" / "collect" / "crawl" / "specs" / "examples"
BASE = "seeds: ['https://{h}/']\nallowed_hosts: [{h}]\nrules: [{{name: r}}]\n"


def test_examples_are_valid_specs() -> None:
    specs = load_specs([EXAMPLES])
    assert len(specs) >= 4 and all(not s.allow_private for s in specs)


def test_spec_errors_name_source_and_field() -> None:
    with pytest.raises(InputError) as err:
        parse_spec(
            "name: a\nseeds: ['https://evil.example/']\nallowed_hosts: [good.example]\nrules: [{name: r}]", "s.yaml", {}
        )
    assert "s.yaml" in str(err.value) and "seeds.0.url" in str(err.value) and "evil.example" in str(err.value)
    with pytest.raises(InputError, match=r"follow\.0\.to: unknown rule 'zz'"):
        parse_spec(
            "name: a\n" + BASE.format(h="a.cn").replace("{name: r}", "{name: r, follow: [{css: a, to: zz}]}"), "s", {}
        )
    with pytest.raises(InputError, match=r"limits\.max_response_bytes"):
        parse_spec("name: a\nlimits: {max_response_bytes: lots}\n" + BASE.format(h="a.cn"), "s", {})
    assert Schedule(every="12h").due(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, 13, tzinfo=dt.UTC))


def test_gbk_pages_decode_with_and_without_a_declaration() -> None:
    text = "<html><head><meta charset='gb2312'></head><body>客服热线：10086 镕</body></html>"
    assert "客服热线" in decode_page(text.encode("gb18030"), "text/html")[0]
    bare = "<p>隐私政策摘要：我们收集设备信息</p>".encode("gbk")
    decoded, encoding = decode_page(bare, None)
    assert "隐私政策摘要" in decoded and encoding == "gb18030"


def test_specs_sharing_a_host_share_a_partition() -> None:
    specs = [parse_spec(f"name: s{i}\n" + BASE.format(h=h), "s", {}) for i, h in enumerate(["a.cn", "b.cn", "a.cn"])]
    groups = sorted(sorted(s.name for s in g) for g in partitions(specs))
    assert groups == [["s0", "s2"], ["s1"]]


def test_diff_names_plan_price_and_row_changes() -> None:
    from ganzhi.evidence.pi_lists import ListRow, PiList

    subject = Subject(type="app", id="com.a")
    old = PiList(kind="collected", source="u", rows=[ListRow(row=1, cells={"pi_types": "设备信息"})])
    new = PiList(
        kind="collected",
        source="u",
        rows=[ListRow(row=1, cells={"pi_types": "设备信息"}), ListRow(row=2, cells={"pi_types": "位置信息"})],
    )
    changes = diff_evidence("s", [Evidence.of(old, subject, "u")], [Evidence.of(new, subject, "u")])
    assert [(c.change, c.after) for c in changes] == [("added", "位置信息")]
