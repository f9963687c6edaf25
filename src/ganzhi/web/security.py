"""Browser sessions, the real client address behind trusted proxies, and the security headers.

A session cookie is signed with itsdangerous and carries the id of a server-side session record
(`web_sessions`, see `ganzhi.accounts.users.start_session`) plus the session's CSRF token, so logging
out or disabling the user ends the session at once, whatever the cookie's own age. Password and token
hashing live in `ganzhi.accounts.credentials` (no HTTP there).

The client address every limit and audit entry uses is the TCP peer, unless that peer is one of the
configured trusted proxies (`GANZHI_WEB_TRUSTED_PROXIES`): then the right-most `X-Forwarded-For` entry
that is not itself a trusted proxy, and the proxy's `X-Forwarded-Proto`. Without that setting the
forwarding headers are ignored (uvicorn's own proxy-header handling is switched off by `ganzhi serve`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "ganzhi_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_SESSION_ID = re.compile(r"^[0-9a-f]{64}$")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class BrowserSession:
    """What the signed session cookie carries: the server-side session id and its CSRF token."""

    session_id: str
    csrf: str
    lang: str = "zh"


class SessionCodec:
    """Signs and reads session cookies; a tampered, expired or old-format cookie reads as None."""

    def __init__(self, secret_key: str, max_age_s: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="ganzhi.session.v2")
        self.max_age_s = max_age_s

    def dump(self, session: BrowserSession) -> str:
        return self._serializer.dumps({"s": session.session_id, "c": session.csrf, "l": session.lang})

    def load(self, cookie: str | None) -> BrowserSession | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age_s)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        sid, csrf, lang = data.get("s"), data.get("c"), data.get("l", "zh")
        if not isinstance(sid, str) or not _SESSION_ID.match(sid) or not isinstance(csrf, str):
            return None
        if lang not in ("zh", "en"):
            return None
        return BrowserSession(session_id=sid, csrf=csrf, lang=lang)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one the request sent."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


# --- the real client address --------------------------------------------------------------------------


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Trusted proxies as networks ("10.0.0.5", "10.0.0.0/8", "::1"); ValueError names a bad entry."""
    found: list[IPNetwork] = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            found.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {text!r}") from None
    return tuple(found)


def _is_trusted(host: str, trusted: tuple[IPNetwork, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host.strip().strip("[]"))
    except ValueError:
        return False
    return any(address in network for network in trusted)


def real_client(peer: str, forwarded_for: str | None, trusted: tuple[IPNetwork, ...]) -> str:
    """The client address: the peer, or (when the peer is a trusted proxy) the right-most forwarded
    address that is not a trusted proxy. A client cannot choose its address by sending the header:
    entries left of the first untrusted hop are ignored."""
    if not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop.strip("[]")))
            except ValueError:
                return peer  # garbage from the client side of the proxy: keep the proxy's address
    return hops[0] if hops else peer


class TrustedProxyMiddleware:
    """Rewrites the ASGI client and scheme from forwarding headers, for trusted proxies only."""

    def __init__(self, app: ASGIApp, *, trusted: tuple[IPNetwork, ...]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted and scope.get("client"):
            peer, port = scope["client"]
            if _is_trusted(peer, self.trusted):
                headers = dict(scope.get("headers") or [])
                forwarded = headers.get(b"x-forwarded-for")
                proto = headers.get(b"x-forwarded-proto")
                scope = dict(scope)
                if forwarded is not None:
                    scope["client"] = (real_client(peer, forwarded.decode("latin-1"), self.trusted), port)
                if proto is not None:
                    last = proto.decode("latin-1").split(",")[-1].strip().lower()
                    if last in ("http", "https"):
                        scope["scheme"] = last if scope["type"] == "http" else ("wss" if last == "https" else "ws")
        await self.app(scope, receive, send)


# --- security headers -------------------------------------------------------------------------------

#: The policy of every page: scripts, styles and everything else from this origin only (no inline
#: script, no inline style, no plug-ins), never framed, forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Seconds browsers keep to HTTPS once they saw the site over HTTPS (one year; configurable by proxy).
HSTS_MAX_AGE_S = 365 * 24 * 3600
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


def _docs_policy(html: bytes) -> str:
    """The policy of the OpenAPI docs pages (Swagger UI and ReDoc served from this origin): scripts from
    here only (any inline script pinned by hash), the inline styles both libraries inject, ReDoc's
    blob worker; nothing from another origin."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'" for body in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}".rstrip()
        + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )


class SecurityHeadersMiddleware:
    """Adds CSP, X-Frame-Options, X-Content-Type-Options, Referrer-Policy (and HSTS over HTTPS) to
    every HTTP answer; a route that sets one of them itself keeps its own value."""

    def __init__(self, app: ASGIApp, *, docs_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        if scope["path"] in self.docs_paths:
            await self._docs(scope, receive, send, https)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _merged(message.get("headers") or [], CONTENT_SECURITY_POLICY, https)
            await send(message)

        await self.app(scope, receive, with_headers)

    async def _docs(self, scope: Scope, receive: Receive, send: Send, https: bool) -> None:
        start: Message | None = None
        body = bytearray()

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if message.get("more_body"):
                    return
                if start is None:
                    raise RuntimeError("response body before its start")
                start["headers"] = _merged(start.get("headers") or [], _docs_policy(bytes(body)), https)
                await send(start)
                await send({"type": "http.response.body", "body": bytes(body)})
                return
            await send(message)

        await self.app(scope, receive, buffered)


def _merged(headers: Iterable[tuple[bytes, bytes]], policy: str, https: bool) -> list[tuple[bytes, bytes]]:
    result = list(headers)
    present = {name.lower() for name, _ in result}
    wanted = {
        b"content-security-policy": policy.encode(),
        b"x-frame-options": b"DENY",
        b"x-content-type-options": b"nosniff",
        b"referrer-policy": b"same-origin",
        b"cross-origin-opener-policy": b"same-origin",
    }
    if https:
        wanted[b"strict-transport-security"] = f"max-age={HSTS_MAX_AGE_S}".encode()
    result.extend((name, value) for name, value in wanted.items() if name not in present)
    return result
