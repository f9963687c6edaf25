"""Real PDF, DOCX and URL ingest: fixtures are generated here (a hand-written PDF with a ToUnicode map,
a python-docx document) and URLs are served by `http.server` on loopback."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import docx
import pytest

from ganzhi.collect.policy.analyze import analyze_document
from ganzhi.collect.policy.ingest import fetch_policy_url, read_policy, read_policy_bytes
from ganzhi.errors import InputError

LINES = [
    "隐私政策",
    "一、我们如何收集信息",
    "我们会收集您的手机号码用于注册。",
    "二、联系我们",
    "客服电话：400-000-0000。",
]


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose CID font maps glyph id = Unicode code point, with a ToUnicode CMap for extraction."""
    chars = sorted({c for line in lines for c in line})
    cmap_entries = "\n".join(f"<{ord(c):04X}> <{ord(c):04X}>" for c in chars)
    to_unicode = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{cmap_entries}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    ops = ["BT", "/F1 12 Tf"]
    for i, line in enumerate(lines):
        ops.append(f"1 0 0 1 50 {780 - 20 * i} Tm")
        ops.append("<" + "".join(f"{ord(c):04X}" for c in line) + "> Tj")
    ops.append("ET")
    content = "\n".join(ops)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        "/Contents 4 0 R >>",
        f"<< /Length {len(content.encode())} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        "/DescendantFonts [6 0 R] /ToUnicode 8 0 R >>",
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light /CIDToGIDMap /Identity "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 "
        "/Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
        f"<< /Length {len(to_unicode.encode())} >>\nstream\n{to_unicode}\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _docx(lines: list[str]) -> bytes:
    document = docx.Document()
    document.add_heading(lines[0], level=1)
    for line in lines[1:]:
        if line.startswith(("一、", "二、")):
            document.add_heading(line, level=2)
        else:
            document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "信息种类", "使用目的"
    table.cell(1, 0).text, table.cell(1, 1).text = "位置信息", "推荐附近门店"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_pdf_text_and_structure() -> None:
    doc = read_policy_bytes(_pdf(LINES), "policy.pdf")
    assert doc.format == "pdf"
    for line in LINES:
        assert line in doc.text
    analysis = analyze_document(doc)
    contact = next(s for s in analysis.sentences if "客服电话" in s.text)
    assert contact.section == ["二、联系我们"]
    assert {f.category for f in analysis.facts} >= {"phone_number"}


def test_docx_headings_and_tables() -> None:
    doc = read_policy_bytes(_docx(LINES), "policy.docx")
    assert doc.format == "docx"
    assert "# 隐私政策" in doc.text and "## 一、我们如何收集信息" in doc.text
    assert "位置信息 推荐附近门店" in doc.text
    analysis = analyze_document(doc)
    body = next(s for s in analysis.sentences if s.text.startswith("我们会收集"))
    assert body.section == ["隐私政策", "一、我们如何收集信息"]


def test_corrupt_pdf_and_docx_name_the_document() -> None:
    with pytest.raises(InputError, match=r"broken\.pdf"):
        read_policy_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage", "broken.pdf")
    with pytest.raises(InputError, match=r"broken\.docx"):
        read_policy_bytes(b"PK\x03\x04" + b"\x00" * 64 + b"word/", "broken.docx")


class _Handler(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, tuple[int, str, bytes]]] = {}

    def do_GET(self) -> None:
        status, ctype, body = self.pages.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    html = "<html><body><h1>隐私政策</h1><script>steal()</script><p>我们会收集您的位置信息。</p></body></html>"
    _Handler.pages = {
        "/policy.html": (200, "text/html; charset=utf-8", html.encode()),
        "/policy.pdf": (200, "application/pdf", _pdf(LINES)),
        "/gbk.txt": (200, "text/plain", "我们会收集您的通讯录。".encode("gbk")),
        "/big.txt": (200, "text/plain", "我们".encode() * 40_000),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_url_ingest_html_pdf_and_gbk(server: str) -> None:
    page = read_policy(f"{server}/policy.html")
    assert page.format == "html" and "steal" not in page.text and "我们会收集您的位置信息。" in page.text
    assert page.raw.startswith(b"<html>")
    assert read_policy(f"{server}/policy.pdf").format == "pdf"
    assert read_policy(f"{server}/gbk.txt").text == "我们会收集您的通讯录。"


def test_url_errors_name_the_url(server: str) -> None:
    with pytest.raises(InputError, match="HTTP status 404"):
        read_policy(f"{server}/missing.html")
    with pytest.raises(InputError, match="exceeds 1000 bytes"):
        fetch_policy_url(f"{server}/big.txt", max_bytes=1000)
    with pytest.raises(InputError, match="expected an http"):
        fetch_policy_url("ftp://127.0.0.1/x")
