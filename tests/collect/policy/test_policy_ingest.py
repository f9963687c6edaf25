from __future__ import annotations

import pytest

from ganzhi.collect.policy.ingest import read_policy_bytes
from ganzhi.collect.policy.normalize import normalize_text
from ganzhi.collect.policy.structure import parse_structure
from ganzhi.errors import InputError


def test_html_scripts_dropped_and_headings_kept() -> None:
    html = (
        "<html><body><h1>隐私政策</h1><script>alert('x')</script><p onclick=\"evil()\">我們會收集<b>位置信息</b>。</p>"
        "<style>p{}</style></body></html>"
    ).encode()
    doc = read_policy_bytes(html, "p.html")
    assert "alert" not in doc.text and "evil" not in doc.text
    assert "# 隐私政策" in doc.text and "我们会收集位置信息。" in doc.text
    assert doc.emphasis == ("位置信息",)


def test_gbk_text_is_decoded() -> None:
    doc = read_policy_bytes("我们收集手机号码。".encode("gbk"), "p.txt")
    assert doc.text == "我们收集手机号码。"


@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"", "empty"), (b"\x00\x01\x02\x03" * 100, "binary"), (b"a" * (10 * 1024 * 1024 + 1), "limit")],
)
def test_bad_input_names_the_document(data: bytes, problem: str) -> None:
    with pytest.raises(InputError) as info:
        read_policy_bytes(data, "bad.bin")
    assert "bad.bin" in str(info.value) and problem in str(info.value)


def test_normalize_fullwidth_and_traditional() -> None:
    assert normalize_text("個人資訊ＡＢＣ１") == "个人资讯ABC1"


def test_structure_heading_tree() -> None:
    text = "隐私政策\n一、我们如何收集信息\n（一）注册\n我们收集手机号码。用于登录。\n二、联系我们\n电话：123。"
    structure = parse_structure(text)
    levels = [(h.text, h.level) for h in structure.headings]
    assert levels == [("一、我们如何收集信息", 1), ("（一）注册", 2), ("二、联系我们", 1)]
    body = [s for s in structure.sentences if not s.is_heading]
    assert body[2].text == "用于登录。" and body[2].section == ("一、我们如何收集信息", "（一）注册")
