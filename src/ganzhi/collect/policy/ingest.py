"""Reading a policy document (HTML, PDF, DOCX, text or a URL) into normalised text with its raw bytes.

HTML is parsed, never rendered: scripts, styles and event handlers are dropped, headings become lines
prefixed with `#` marks so the structure survives, and `<b>/<strong>` runs are recorded as emphasis.
Every failure becomes an `InputError` naming the document and the problem. DOCX parts are checked for their
uncompressed size (declared and inflated) and XML depth/element count before python-docx loads them; PDF
streams decode under pypdf limits set from `ganzhi.collect.bounded.Limits`.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

from ganzhi.collect.bounded import DEFAULT_LIMITS, Deadline, Limits, check_docx, guard, pdf_limits
from ganzhi.collect.policy.normalize import normalize_text
from ganzhi.errors import InputError

Format = Literal["html", "pdf", "docx", "text"]
MAX_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 300
URL_TIMEOUT_S = 20.0

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "table",
    "section",
    "article",
    "ul",
    "ol",
    "dd",
    "dt",
    "blockquote",
    "pre",
    "header",
    "footer",
    "nav",
    "main",
    "td",
    "th",
    "hr",
}
_DROP_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "head", "title"}
_HEADING = re.compile(r"^h([1-6])$")


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """A policy's normalised text, where it came from and the hash of its raw bytes."""

    source: str
    format: Format
    text: str
    sha256: str
    size: int
    emphasis: tuple[str, ...] = field(default=())
    raw: bytes = field(default=b"", repr=False)


class _TextExtractor(HTMLParser):
    """Collects visible text; drops script/style content entirely (nothing is executed or kept)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.emphasis: list[str] = []
        self._drop_depth = 0
        self._bold_depth = 0
        self._bold_buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_TAGS:
            self._drop_depth += 1
            return
        heading = _HEADING.match(tag)
        if heading:
            self.parts.append("\n" + "#" * int(heading.group(1)) + " ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag in {"b", "strong"}:
            self._bold_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_TAGS:
            self._drop_depth = max(0, self._drop_depth - 1)
            return
        if tag in {"b", "strong"} and self._bold_depth:
            self._bold_depth -= 1
            if not self._bold_depth:
                run = "".join(self._bold_buf).strip()
                if run:
                    self.emphasis.append(run)
                self._bold_buf = []
        if _HEADING.match(tag) or tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in {"td", "th"}:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._drop_depth:
            return
        self.parts.append(data)
        if self._bold_depth:
            self._bold_buf.append(data)


def decode_bytes(data: bytes, source: str) -> str:
    """Text of `data`: BOM, then UTF-8, then GB18030, then charset-normalizer's best guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise InputError(source, "cannot detect the text encoding (tried UTF-8, GB18030 and charset detection)")
    return data.decode(best.encoding, errors="replace")


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.1


def sniff_format(data: bytes, name: str) -> Format:
    """The document format from magic bytes, then the file name."""
    lower = name.lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") and (lower.endswith(".docx") or b"word/" in data[:4096]):
        return "docx"
    head = data[:2048].lstrip().lower()
    if lower.endswith((".html", ".htm")) or head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    return "text"


def html_to_text(markup: str) -> tuple[str, list[str]]:
    """Visible text of an HTML page (headings as `#` lines) and its bold runs."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts), parser.emphasis


def _pdf_text(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """Text of every page; streams decode under pypdf limits set from ours, pages and characters are bounded."""
    from pypdf import PdfReader, apply_configuration

    clock = Deadline(source, limits.max_seconds)
    parts: list[str] = []
    chars = 0
    with apply_configuration(**pdf_limits(limits)), guard(source, "PDF", what="not a readable PDF"):
        reader = PdfReader(io.BytesIO(data))
        pages = len(reader.pages)
        if pages > min(MAX_PDF_PAGES, limits.max_pdf_pages):
            raise InputError(source, f"PDF has {pages} pages; at most {MAX_PDF_PAGES} are read")
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text() or ""
            chars += len(text)
            if chars > limits.max_chars:
                raise InputError(source, f"PDF page {number}: more than {limits.max_chars} characters of text")
            parts.append(text)
            clock.check(f"PDF page {number}")
    return "\n".join(parts)


def _docx_text(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """Paragraphs (headings as `#` lines) and table rows; every part's size and XML checked before python-docx."""
    import docx

    check_docx(data, source, limits=limits)
    clock = Deadline(source, limits.max_seconds)
    lines: list[str] = []
    with guard(source, "word/document.xml", what="not a readable DOCX"):
        document = docx.Document(io.BytesIO(data))
        for number, para in enumerate(document.paragraphs):
            style = (para.style.name or "") if para.style is not None else ""
            level = re.search(r"Heading (\d)", style)
            lines.append(("#" * int(level.group(1)) + " " if level else "") + para.text)
            if not number % 1000:
                clock.check("word/document.xml")
        for table in document.tables:
            for row in table.rows:
                lines.append(" ".join(cell.text for cell in row.cells))
                clock.check("word/document.xml, table")
    return "\n".join(lines)


def read_policy_bytes(data: bytes, source: str, name: str | None = None) -> PolicyDocument:
    """Decode, extract and normalise one document; `InputError` when it is empty, huge, binary or unreadable."""
    if len(data) > MAX_BYTES:
        raise InputError(source, f"document is {len(data)} bytes; the limit is {MAX_BYTES} bytes (10 MB)")
    if not data.strip():
        raise InputError(source, "document is empty")
    fmt = sniff_format(data, name or source)
    emphasis: list[str] = []
    with guard(source, fmt.upper(), what="cannot read the document"):  # the boundary: no library error escapes
        if fmt == "pdf":
            text = _pdf_text(data, source)
        elif fmt == "docx":
            text = _docx_text(data, source)
        else:
            if _looks_binary(data):
                raise InputError(
                    source, "document looks binary (NUL or control bytes), expected HTML, PDF, DOCX or text"
                )
            decoded = decode_bytes(data, source)
            if fmt == "html":
                decoded, emphasis = html_to_text(decoded)
            text = decoded
        text = normalize_text(text)
    if not text.strip():
        raise InputError(source, f"no text could be extracted from the {fmt} document")
    replacement_share = text.count("\ufffd") / max(1, len(text))
    if replacement_share > 0.05:
        raise InputError(source, f"text is mis-encoded ({replacement_share:.0%} undecodable characters)")
    return PolicyDocument(
        source=source,
        format=fmt,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        emphasis=tuple(normalize_text(e) for e in emphasis),
        raw=data,
    )


def read_policy_file(path: Path) -> PolicyDocument:
    """Read a policy file with the size limit enforced before loading it."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(str(path), f"document is {size} bytes; the limit is {MAX_BYTES} bytes (10 MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    return read_policy_bytes(data, str(path), path.name)


def fetch_policy_url(url: str, *, timeout_s: float = URL_TIMEOUT_S, max_bytes: int = MAX_BYTES) -> PolicyDocument:
    """Download a policy with httpx, streaming and stopping at `max_bytes`; no scripts are run."""
    import httpx

    if not re.match(r"^https?://", url):
        raise InputError(url, "expected an http:// or https:// URL")
    chunks: list[bytes] = []
    total = 0
    try:
        with httpx.stream("GET", url, timeout=timeout_s, follow_redirects=True) as response:
            if response.status_code >= 400:
                raise InputError(url, f"HTTP status {response.status_code}, expected 2xx")
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise InputError(url, f"response exceeds {max_bytes} bytes (10 MB)")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise InputError(url, f"download failed ({type(exc).__name__}: {exc})") from None
    return read_policy_bytes(b"".join(chunks), url, url.split("?", maxsplit=1)[0])


def read_policy(location: str) -> PolicyDocument:
    """A URL or a file path."""
    if re.match(r"^https?://", location):
        return fetch_policy_url(location)
    return read_policy_file(Path(location))
