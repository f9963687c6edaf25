"""Renderings of a sealed snapshot: escaped HTML, PDF with the CJK font, XLSX, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from pub_factory import HOSTILE, notice_draft
from sv_factory import T0

from ganzhi.supervision.chain import seal
from ganzhi.supervision.publications import Publication
from ganzhi.supervision.render.columns import ListName
from ganzhi.supervision.render.html import to_html
from ganzhi.supervision.render.pdf import PdfUnavailable, to_pdf
from ganzhi.supervision.render.tabular import to_csv, to_json, to_xlsx


@pytest.fixture
def pub() -> Publication:
    return seal(notice_draft(), [], approver="李四", at=T0)


def test_html_escapes_hostile_names_and_shows_the_seal(pub: Publication) -> None:
    page = to_html(pub)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;视频" in page
    assert "《关于侵害用户权益行为的APP通报（2022年第1批，总第1批）》" in page
    assert "应用开发者" in page and "所涉问题" in page and str(pub.hash) in page
    assert 'font-family: "Noto Sans CJK SC"' in page


def test_draft_title_says_draft() -> None:
    assert "草稿" in notice_draft().title


def test_csv_neutralises_formulas(pub: Publication) -> None:
    body = dict(pub.body)
    body["notice"] = [dict(body["notice"][0], app_name='=HYPERLINK("http://x")')]
    text = to_csv(pub.model_copy(update={"body": body}), ListName.notice)
    assert "'=HYPERLINK" in text and text.startswith("\ufeff序号,应用名称")


def test_xlsx_neutralises_formulas(pub: Publication) -> None:
    hostile = ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\t=1", "\r=1")
    body = dict(pub.body)
    body["notice"] = [dict(body["notice"][0], app_name=raw, developer=raw) for raw in hostile]
    book = load_workbook(io.BytesIO(to_xlsx(pub.model_copy(update={"body": body, "title": hostile[0]}))))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    values = [cell.value for cell in cells]
    assert all("'" + raw in values and raw not in values for raw in hostile)
    text = to_csv(pub.model_copy(update={"body": body}), ListName.notice)
    names = [row[1] for row in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))][1:]
    assert names == ["'" + raw for raw in hostile]


def test_xlsx_has_the_lists_and_the_seal(pub: Publication) -> None:
    book = load_workbook(io.BytesIO(to_xlsx(pub)))
    assert book.sheetnames == ["公示信息", "工业和信息化部通报存在问题的应用软件名单"]
    sheet = book["工业和信息化部通报存在问题的应用软件名单"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("序号", "应用名称", "应用开发者", "应用来源", "应用版本", "所涉问题")
    assert len(values) == 6 and values[1][1] == HOSTILE
    info = dict(book["公示信息"].iter_rows(values_only=True))
    assert info["本份哈希 hash (sha256)"] == pub.hash


def test_json_carries_the_sealed_document(pub: Publication) -> None:
    data = json.loads(to_json(pub))
    assert data["numbering"] == "2022年第1批，总第1批" and data["hash"] == pub.hash
    assert data["sealed"]["approved_by"] == "李四"
    assert data["lists"]["notice"][4]["所涉问题"] == "开屏弹窗信息骚扰用户"


def test_pdf_embeds_the_sc_font_and_the_chinese_text_extracts(pub: Publication) -> None:
    pypdf = pytest.importorskip("pypdf", reason="pypdf (dev extra) is needed to read the PDF back")
    try:
        pdf = to_pdf(pub)
    except PdfUnavailable as exc:
        pytest.skip(f"PDF rendering unavailable here: {exc}")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    compact = "".join(text.split())
    for phrase in ("关于侵害用户权益行为的APP通报", "示例视频科技有限公司", "开屏弹窗信息骚扰用户", "华为应用市场"):
        assert phrase in compact, phrase
    fonts = {
        str(font.get_object()["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()
    }
    assert any("SC" in name for name in fonts), fonts
