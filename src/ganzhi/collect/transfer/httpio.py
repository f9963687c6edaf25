"""Just enough HTTP/1.1 for the probe servers: bounded, timed request parsing and response heads.

The probe servers (speed test, throttling cloud-drive stand-in) only need GET/POST with
Content-Length bodies. Writing the few lines here keeps them dependency-free and lets every limit
that protects them (header size, header time for slow-loris clients, body size) sit in one place.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    411: "Length Required",
    413: "Content Too Large",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    501: "Not Implemented",
    503: "Service Unavailable",
}

MAX_HEADER_COUNT = 64


class HttpError(Exception):
    """A request the server refuses; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Request:
    """A parsed request head."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)
    version: str = "HTTP/1.1"

    @property
    def keep_alive(self) -> bool:
        """Whether the client asked to keep the connection open (HTTP/1.1 default)."""
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"

    def content_length(self, maximum: int) -> int:
        """The declared body size; 411 when absent, 400 when bogus, 413 above `maximum`."""
        if "transfer-encoding" in self.headers:
            raise HttpError(501, f"transfer-encoding {self.headers['transfer-encoding']!r} is not supported")
        raw = self.headers.get("content-length")
        if raw is None:
            raise HttpError(411, "content-length header required")
        if not raw.isdigit() or len(raw) > 19:
            raise HttpError(400, f"content-length must be a non-negative integer (got {raw[:40]!r})")
        size = int(raw)
        if size > maximum:
            raise HttpError(413, f"content-length {size} exceeds the limit of {maximum} bytes")
        return size

    def int_param(self, name: str, default: int, *, minimum: int, maximum: int) -> int:
        """Query parameter `name` as an int in [minimum, maximum]; 400 names the value otherwise."""
        raw = self.query.get(name)
        if raw is None:
            return default
        if not raw.isdigit() or len(raw) > 19:
            raise HttpError(400, f"query parameter {name} must be an integer (got {raw[:40]!r})")
        value = int(raw)
        if not minimum <= value <= maximum:
            raise HttpError(413 if value > maximum else 400, f"{name}={value} outside [{minimum}, {maximum}]")
        return value


def parse_head(raw: bytes) -> Request:
    """Parse a request head (request line and headers, CRLF-separated, without the final blank line)."""
    try:
        text = raw.decode("latin-1")
    except UnicodeDecodeError as exc:  # latin-1 decodes every byte; kept for clarity of intent
        raise HttpError(400, f"request head is not text: {exc}") from None
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] not in {"HTTP/1.1", "HTTP/1.0"}:
        raise HttpError(400, f"malformed request line {lines[0][:80]!r}; expected 'METHOD /path HTTP/1.1'")
    method, target, version = parts
    if not method.isalpha() or not method.isupper():
        raise HttpError(400, f"malformed method {method[:20]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HttpError(400, f"malformed header line {line[:80]!r}; expected 'Name: value'")
        key = name.lower()
        if key in headers and key in {"content-length", "transfer-encoding", "host"}:
            raise HttpError(400, f"duplicate {name} header")
        headers[key] = value.strip()
        if len(headers) > MAX_HEADER_COUNT:
            raise HttpError(431, f"more than {MAX_HEADER_COUNT} headers")
    split = urlsplit(target)
    if not split.path.startswith("/"):
        raise HttpError(400, f"request target must be an absolute path (got {target[:80]!r})")
    query = dict(parse_qsl(split.query, keep_blank_values=True, max_num_fields=32))
    return Request(method=method, path=split.path, query=query, headers=headers, version=version)


async def read_request(reader: asyncio.StreamReader, *, max_header_bytes: int, timeout: float) -> Request | None:
    """Read one request head within `timeout` seconds (slow-loris guard); None on a clean close.

    Raises HttpError 408 on timeout, 431 when the head exceeds `max_header_bytes`, 400 when malformed.
    """
    try:
        raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    except TimeoutError:
        raise HttpError(408, f"request head not received within {timeout:g} s") from None
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise HttpError(400, f"connection closed inside the request head after {len(exc.partial)} bytes") from None
    except asyncio.LimitOverrunError:
        raise HttpError(431, f"request head longer than {max_header_bytes} bytes") from None
    if len(raw) > max_header_bytes:
        raise HttpError(431, f"request head of {len(raw)} bytes exceeds {max_header_bytes}")
    return parse_head(raw[:-4])


def response_head(status: int, headers: dict[str, str] | None = None, *, content_length: int | None = None) -> bytes:
    """Serialise a response status line and headers (with the final blank line)."""
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    merged = {"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"}
    merged.update(headers or {})
    if content_length is not None:
        merged["Content-Length"] = str(content_length)
    lines.extend(f"{name}: {value}" for name, value in merged.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def json_response(status: int, body: object, *, close: bool = False) -> bytes:
    """A complete JSON response (head and body)."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if close:
        headers["Connection"] = "close"
    return response_head(status, headers, content_length=len(data)) + data


def error_response(error: HttpError) -> bytes:
    """The JSON error answer for `error`; the connection is closed afterwards."""
    return json_response(error.status, {"error": error.detail, "status": error.status}, close=True)
