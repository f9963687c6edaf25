"""Decode a fetched page: declared charset (HTTP header, BOM, `<meta>`), else UTF-8, GB18030, then detection.

Chinese sites still serve GBK/GB2312 pages, often with the charset only in a `<meta>` tag or nowhere at all;
w3lib (Scrapy's own) reads the declarations and maps GBK and GB2312 to their superset GB18030, and an
undeclared page that is not UTF-8 is tried as GB18030 before charset-normalizer guesses.
"""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

#: Bytes given to charset detection (enough to decide, bounded in time).
DETECT_BYTES = 200_000


def _undeclared(data: bytes) -> str | None:
    for name in ("utf-8", "gb18030"):
        try:
            data.decode(name)
        except UnicodeDecodeError:
            continue
        return name
    from charset_normalizer import from_bytes

    best = from_bytes(data[:DETECT_BYTES]).best()
    return best.encoding if best is not None and best.encoding else None


def decode_page(body: bytes, content_type: str | None) -> tuple[str, str]:
    """(text, encoding) of a page; undecodable bytes become U+FFFD, never an exception."""
    name, bom = read_bom(body)
    if name is not None and bom is not None:
        return body[len(bom) :].decode(name, errors="replace"), name
    declared = http_content_type_encoding(content_type) or html_body_declared_encoding(body[:DETECT_BYTES])
    encoding = (resolve_encoding(declared) if declared else None) or _undeclared(body) or "utf-8"
    try:
        return body.decode(encoding, errors="replace"), encoding
    except LookupError:
        return body.decode("utf-8", errors="replace"), "utf-8"
