"""One guarded outbound HTTP client: no request of ours reaches a private, loopback or otherwise internal address.

Used by the server's webhooks and meant for collectors that fetch URLs other people gave us. For every
request (and every redirect hop, followed by hand) the client:

1. parses the URL itself (http/https only) and reads the host the way a socket library would:
   IPv4 in any `inet_aton` form (`127.1`, `2130706433`, `0x7f.0.0.1`, `0177.0.0.1`), IPv6 with
   IPv4-mapped (`::ffff:127.0.0.1`), 6to4 (`2002::/16`) and NAT64 (`64:ff9b::/96`) addresses judged
   by the IPv4 address they carry; `localhost` and `*.localhost` names are loopback without asking DNS;
2. resolves other names (through a replaceable resolver hook, bounded in time) and refuses the
   request when ANY address is unspecified, multicast, loopback, link-local, private, reserved or
   otherwise not globally routable;
3. connects to the checked address itself (the URL's host is replaced by the IP, the `Host` header
   and TLS SNI keep the original name, so certificates are verified against the name as usual), so a
   second DNS answer cannot swap the address after the check (DNS rebinding); connections are never
   kept alive, so one checked for one name is never reused for another;
4. bounds time (per phase and overall) and the response body size;
5. reports every failure to reach the host (refused, reset, timeout, DNS failure) as the same
   `NotDelivered`, so a caller's status line cannot tell an open port from a closed or filtered one.

`allow_private=True` (or the environment variable `GANZHI_ALLOW_PRIVATE_NETWORK=1` read by
`OutboundPolicy.from_env`) lets loopback and private addresses through — for the test suite and
closed lab networks only; unspecified (`0.0.0.0`, `::`) and multicast addresses stay refused.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import unquote, urlsplit

import httpx

#: Environment variable that allows loopback/private destinations (test suite and lab networks only).
ALLOW_PRIVATE_ENV = "GANZHI_ALLOW_PRIVATE_NETWORK"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: `resolver(host, port)` → the IP addresses (text) the host name resolves to; raise OSError when it does not.
Resolver = Callable[[str, int], Sequence[str]]

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
_HEX = re.compile(r"0[xX][0-9a-fA-F]*")
_OCTAL = re.compile(r"0[0-7]+")
_DECIMAL = re.compile(r"[0-9]+")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")
MAX_URL_CHARS = 2048


class OutboundError(Exception):
    """A guarded request did not complete; `str()` is safe to show to whoever gave us the URL."""


class DestinationRefused(OutboundError):
    """The URL or an address it resolves to is not allowed (private, loopback, ...); names the URL and why."""


class NotDelivered(OutboundError):
    """The host could not be reached or did not answer in time — deliberately one generic reason.

    `detail` says what happened, for the server's own logs only: showing it would make the status an
    oracle telling open ports from closed or filtered ones.
    """

    def __init__(self, detail: str) -> None:
        super().__init__("not delivered")
        self.detail = detail


def legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """`host` read as an IPv4 address the way `inet_aton` does (1-4 parts, decimal/octal/hex), or None."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts = parts[:-1]  # "127.0.0.1." resolves like "127.0.0.1"
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        if _HEX.fullmatch(part):
            numbers.append(int(part[2:] or "0", 16))
        elif _OCTAL.fullmatch(part):
            numbers.append(int(part, 8))
        elif _DECIMAL.fullmatch(part):
            numbers.append(int(part))
        else:
            return None
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (4 - len(leading)):
        return None
    value = last
    for i, n in enumerate(leading):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def ip_literal(host: str) -> IPAddress | None:
    """The IP address `host` spells (any IPv4 form, IPv6 with an optional zone), or None for a name."""
    text = unquote(host).strip("[]")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if ":" in text:
        bare = text.split("%", 1)[0]
        try:
            return ipaddress.IPv6Address(bare)
        except ValueError:
            return None
    return legacy_ipv4(text)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (IPv4-mapped, 6to4, NAT64), or None."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(ip: IPAddress, *, allow_private: bool = False) -> str | None:
    """Why a connection to `ip` is refused, or None when it is a public (globally routable) address."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            problem = address_problem(inner, allow_private=allow_private)
            return f"{problem} (embedded in {ip})" if problem else None
    if ip.is_unspecified:
        return f"{ip} is the unspecified address"
    if ip.is_multicast:
        return f"{ip} is a multicast address"
    if allow_private:
        return None
    for flag, what in (
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED, "shared (carrier-grade NAT)"),
        (not ip.is_global, "not globally routable"),
    ):
        if flag:
            return f"{ip} is a {what} address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses `getaddrinfo` gives for `host` (TCP), in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _resolve_bounded(resolver: Resolver, host: str, port: int, timeout_s: float) -> list[str]:
    """`resolver(host, port)` in a daemon thread, given up after `timeout_s` (getaddrinfo cannot be cancelled)."""
    box: list[Sequence[str] | BaseException] = []

    def run() -> None:
        try:
            box.append(resolver(host, port))
        except Exception as exc:  # handed back to the caller below
            box.append(exc)

    thread = threading.Thread(target=run, name="ganzhi-resolve", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if not box:
        raise NotDelivered(f"resolving {host!r} took more than {timeout_s:g} s")
    result = box[0]
    if isinstance(result, BaseException):
        raise NotDelivered(f"cannot resolve {host!r}: {result}")
    return [str(a) for a in result]


@dataclass(frozen=True, slots=True)
class Target:
    """A checked destination: the URL, its host name, and the address to connect to."""

    url: httpx.URL
    host: str
    address: IPAddress
    port: int


def _split(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an absolute http(s) URL; DestinationRefused naming the URL otherwise."""
    shown = url[:200]
    if len(url) > MAX_URL_CHARS:
        raise DestinationRefused(f"URL is {len(url)} characters, above the limit {MAX_URL_CHARS}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise DestinationRefused(f"{shown!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused(f"{shown!r} is not an absolute http(s) URL")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """Which destinations are allowed, and how names are resolved (replace `resolver` in tests)."""

    allow_private: bool = False
    resolver: Resolver = system_resolver
    resolve_timeout_s: float = 5.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OutboundPolicy:
        """The default policy; `GANZHI_ALLOW_PRIVATE_NETWORK=1` allows loopback/private (tests, labs only)."""
        env = os.environ if environ is None else environ
        return cls(allow_private=env.get(ALLOW_PRIVATE_ENV, "").strip() == "1")

    def addresses(self, url: str) -> tuple[str, int, list[IPAddress]]:
        """(host, port, addresses) of `url`, every address checked.

        Raises:
            DestinationRefused: not an http(s) URL, or the host is or resolves to a refused address.
            NotDelivered: the name does not resolve (in time).
        """
        _, host, port = _split(url)
        literal = ip_literal(host)
        if literal is not None:
            found: list[IPAddress] = [literal]
        elif host.rstrip(".").lower() == "localhost" or host.rstrip(".").lower().endswith(".localhost"):
            found = [ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv6Address("::1")]
        else:
            texts = _resolve_bounded(self.resolver, host, port, self.resolve_timeout_s)
            found = []
            for text in texts:
                ip = ip_literal(text)
                if ip is None:
                    raise NotDelivered(f"resolver gave {text!r} for {host!r}, not an IP address")
                found.append(ip)
            if not found:
                raise NotDelivered(f"{host!r} resolves to no address")
        for ip in found:
            problem = address_problem(ip, allow_private=self.allow_private)
            if problem:
                where = host if literal is not None else f"{host} (resolves to {ip})"
                raise DestinationRefused(f"destination {where} is not allowed: {problem}")
        return host, port, found

    def check(self, url: str) -> Target:
        """The destination to connect to for `url` (the first allowed address); errors as `addresses`."""
        host, port, found = self.addresses(url)
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError) as exc:
            raise DestinationRefused(f"{url[:200]!r} is not a valid URL: {exc}") from None
        return Target(url=parsed, host=host, address=found[0], port=port)


@dataclass(frozen=True, slots=True)
class GuardedResponse:
    """An answer from a checked host: status, headers and the body as received (at most the size bound)."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    url: str
    truncated: bool = False
    redirects: list[str] = field(default_factory=list)


class GuardedClient:
    """Outbound HTTP under an `OutboundPolicy`, with pinned addresses, manual redirects and bounds.

    `transport` replaces the network below the checks (tests: `httpx.MockTransport`); it receives
    requests whose URL host is the checked IP address, with the original `Host` header.
    """

    def __init__(
        self,
        policy: OutboundPolicy | None = None,
        *,
        timeout_s: float = 10.0,
        total_timeout_s: float | None = None,
        max_response_bytes: int = 1 << 20,
        max_redirects: int = 3,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.policy = policy or OutboundPolicy.from_env()
        self.timeout_s = timeout_s
        self.total_timeout_s = total_timeout_s if total_timeout_s is not None else 3 * timeout_s
        self.max_response_bytes = max_response_bytes
        self.max_redirects = max_redirects
        inner = transport or httpx.HTTPTransport(
            verify=True, retries=0, limits=httpx.Limits(max_keepalive_connections=0)
        )
        self._client = httpx.Client(transport=inner, trust_env=False, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> GuardedClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def post(self, url: str, *, content: bytes, headers: Mapping[str, str] | None = None) -> GuardedResponse:
        """POST `content` to `url`; see `request`."""
        return self.request("POST", url, content=content, headers=headers)

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> GuardedResponse:
        """GET `url`; see `request`."""
        return self.request("GET", url, headers=headers)

    def request(
        self, method: str, url: str, *, content: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> GuardedResponse:
        """One request, following at most `max_redirects` redirects, each through the same checks.

        Raises:
            DestinationRefused: the URL, a redirect target or an address is not allowed.
            NotDelivered: the host could not be reached or answer in time (one generic reason).
        """
        deadline = time.monotonic() + self.total_timeout_s
        current, body = url, content
        sent = dict(headers or {})
        hops: list[str] = []
        while True:
            response = self._once(method, current, body, sent, deadline)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                return GuardedResponse(
                    response.status_code, response.headers, response.content, current, response.truncated, hops
                )
            if len(hops) >= self.max_redirects:
                raise DestinationRefused(f"{url[:200]!r}: more than {self.max_redirects} redirects")
            try:
                target = str(httpx.URL(current).join(location))
            except (httpx.InvalidURL, ValueError) as exc:
                raise DestinationRefused(f"{current[:200]!r} redirects to an invalid URL: {exc}") from None
            if urlsplit(target).netloc.lower() != urlsplit(current).netloc.lower() or (
                urlsplit(target).scheme != urlsplit(current).scheme
            ):
                sent = {k: v for k, v in sent.items() if k.lower() not in _CREDENTIAL_HEADERS}
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method = "GET" if method != "HEAD" else method
                body = None
                sent = {k: v for k, v in sent.items() if k.lower() not in ("content-type", "content-length")}
            hops.append(target)
            current = target

    def _once(
        self, method: str, url: str, content: bytes | None, headers: Mapping[str, str], deadline: float
    ) -> GuardedResponse:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise NotDelivered(f"{url[:200]!r}: overall time limit of {self.total_timeout_s:g} s reached")
        policy = self.policy
        if remaining < policy.resolve_timeout_s:
            policy = OutboundPolicy(policy.allow_private, policy.resolver, remaining)
        target = policy.check(url)
        pinned = target.url.copy_with(host=str(target.address))
        sent = {k: v for k, v in headers.items() if k.lower() != "host"}
        sent["Host"] = target.url.netloc.decode("ascii")
        sent.setdefault("Accept-Encoding", "identity")
        extensions = {"sni_hostname": target.url.raw_host.decode("ascii")} if target.url.scheme == "https" else {}
        timeout = httpx.Timeout(min(self.timeout_s, remaining))
        try:
            with self._client.stream(
                method, pinned, content=content, headers=sent, timeout=timeout, extensions=extensions
            ) as response:
                body, truncated = self._bounded_body(response, deadline)
                return GuardedResponse(response.status_code, response.headers, body, url, truncated)
        except (httpx.HTTPError, OSError) as exc:
            raise NotDelivered(f"{type(exc).__name__}: {exc}") from None

    def _bounded_body(self, response: httpx.Response, deadline: float) -> tuple[bytes, bool]:
        """At most `max_response_bytes` of the raw body (and whether more was sent), within the deadline."""
        try:
            ready = response.content  # a transport that answered with a body already in memory (tests)
        except httpx.ResponseNotRead:
            pass
        else:
            return ready[: self.max_response_bytes], len(ready) > self.max_response_bytes
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_raw():
            if time.monotonic() > deadline:
                raise NotDelivered(f"response body still arriving after {self.total_timeout_s:g} s")
            if size + len(chunk) > self.max_response_bytes:
                chunks.append(chunk[: self.max_response_bytes - size])
                return b"".join(chunks), True
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks), False
