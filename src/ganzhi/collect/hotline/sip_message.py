"""Minimal SIP (RFC 3261) message parsing and building for the dial tester and the test responder.

Only what a UAC placing one call needs: start line, headers (with compact forms), body. Parsing is
strict and bounded; anything odd raises `SipParseError` naming what was expected and what arrived,
so a malformed peer becomes an error record instead of a crash.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

MAX_MESSAGE_BYTES = 65_535
MAX_HEADERS = 100

_COMPACT = {
    "v": "via",
    "f": "from",
    "t": "to",
    "i": "call-id",
    "m": "contact",
    "l": "content-length",
    "c": "content-type",
}
#: A CSeq number or Content-Length: ASCII digits only (`str.isdigit` accepts "²", which `int` refuses), 2**32 at most.
_DIGITS = re.compile(r"^[0-9]{1,10}$")
_REQUEST_LINE = re.compile(r"^([A-Z]+) (\S+) SIP/2\.0$")
_STATUS_LINE = re.compile(r"^SIP/2\.0 (\d{3}) ?(.*)$")
_URI = re.compile(
    r"^sips?:(?P<user>[^@;\s]+)@(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+)(?::(?P<port>\d{1,5}))?(?:;.*)?$"
)


class SipParseError(ValueError):
    """A datagram is not a SIP message we can use."""


@dataclass(frozen=True, slots=True)
class SipUri:
    """sip:USER@HOST[:PORT]."""

    user: str
    host: str
    port: int = 5060

    def __str__(self) -> str:
        return f"sip:{self.user}@{self.host}:{self.port}"


def parse_uri(text: str) -> SipUri:
    """Parse `sip:NUMBER@HOST[:PORT]`; ValueError names the expected form."""
    match = _URI.match(text.strip())
    if not match:
        raise ValueError(f"expected sip:NUMBER@HOST[:PORT] (got {text!r})")
    port = int(match["port"]) if match["port"] else 5060
    if not 0 < port < 65536:
        raise ValueError(f"port must be 1-65535 (got {port})")
    return SipUri(user=match["user"], host=match["host"].strip("[]"), port=port)


@dataclass(slots=True)
class SipMessage:
    """A request (method set) or a response (status set)."""

    method: str | None = None
    uri: str | None = None
    status: int | None = None
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """First value of a header (case-insensitive, compact forms understood)."""
        wanted = name.lower()
        for key, value in self.headers:
            if key == wanted:
                return value
        return None

    @property
    def cseq(self) -> tuple[int, str]:
        """(number, method) of the CSeq header; SipParseError when absent or malformed."""
        raw = self.header("cseq") or ""
        parts = raw.split()
        if len(parts) != 2 or not _DIGITS.match(parts[0]):
            raise SipParseError(f"CSeq: expected 'NUMBER METHOD' (got {raw!r})")
        return int(parts[0]), parts[1].upper()

    def to_bytes(self) -> bytes:
        """Wire form with a correct Content-Length."""
        if self.method is not None:
            start = f"{self.method} {self.uri} SIP/2.0"
        else:
            start = f"SIP/2.0 {self.status} {self.reason}"
        lines = [start]
        for key, value in self.headers:
            if key != "content-length":
                lines.append(f"{_title(key)}: {value}")
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + self.body


def _title(key: str) -> str:
    special = {"call-id": "Call-ID", "cseq": "CSeq", "www-authenticate": "WWW-Authenticate"}
    return special.get(key, "-".join(part.capitalize() for part in key.split("-")))


def parse_message(data: bytes) -> SipMessage:  # noqa: PLR0912 - one linear pass over the wire format
    """Parse one datagram; SipParseError explains what is wrong."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise SipParseError(f"datagram of {len(data)} bytes; at most {MAX_MESSAGE_BYTES} expected")
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise SipParseError("no blank line (CRLF CRLF) ending the headers")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        raise SipParseError("headers are not UTF-8 text") from None
    lines = text.split("\r\n")
    message = SipMessage()
    request = _REQUEST_LINE.match(lines[0])
    status = _STATUS_LINE.match(lines[0])
    if request:
        message.method, message.uri = request[1], request[2]
    elif status:
        message.status, message.reason = int(status[1]), status[2]
        if not 100 <= message.status <= 699:
            raise SipParseError(f"status code must be 100-699 (got {message.status})")
    else:
        raise SipParseError(
            f"start line: expected 'SIP/2.0 CODE REASON' or 'METHOD URI SIP/2.0' (got {lines[0][:80]!r})"
        )
    if len(lines) - 1 > MAX_HEADERS:
        raise SipParseError(f"more than {MAX_HEADERS} header lines")
    for line in lines[1:]:
        if line[:1] in {" ", "\t"} and message.headers:
            key, value = message.headers[-1]
            message.headers[-1] = (key, value + " " + line.strip())
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise SipParseError(f"header line without 'Name: value' (got {line[:80]!r})")
        key = name.strip().lower()
        message.headers.append((_COMPACT.get(key, key), value.strip()))
    for required in ("call-id", "cseq", "via"):
        if message.header(required) is None:
            raise SipParseError(f"missing the {_title(required)} header")
    message.cseq  # noqa: B018 - validates the header now, not later
    length = message.header("content-length")
    if length is not None:
        if not _DIGITS.match(length) or int(length) > len(body):
            raise SipParseError(f"Content-Length {length!r} does not fit the {len(body)}-byte body")
        body = body[: int(length)]
    message.body = body
    return message


def new_tag() -> str:
    """A random tag / Call-ID part."""
    return secrets.token_hex(6)


def new_branch() -> str:
    """A Via branch with the RFC 3261 magic cookie."""
    return "z9hG4bK" + secrets.token_hex(8)


def sdp(host: str, rtp_port: int, session: str = "ganzhi") -> bytes:
    """An audio offer/answer: PCMU plus telephone-event (RFC 4733) on payload type 101."""
    return (
        f"v=0\r\no=- 1 1 IN IP4 {host}\r\ns={session}\r\nc=IN IP4 {host}\r\nt=0 0\r\n"
        f"m=audio {rtp_port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-15\r\na=sendrecv\r\n"
    ).encode("ascii")


def sdp_media(body: bytes) -> tuple[str, int] | None:
    """(host, port) of the first audio stream in an SDP body, or None."""
    text = body.decode("utf-8", errors="replace")
    host = re.search(r"^c=IN IP[46] (\S+)", text, re.MULTILINE)
    port = re.search(r"^m=audio ([0-9]{1,5}) ", text, re.MULTILINE)
    if not host or not port or not 0 < int(port[1]) < 65536:
        return None
    return host[1], int(port[1])
