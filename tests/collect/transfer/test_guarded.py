"""The guarded outbound client: internal addresses in every spelling are refused before any connection."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Sequence

import httpx
import pytest

from collect.transfer.loopback import Listener, closed_port
from ganzhi.appstore.webhook import NOT_DELIVERED, deliver, validate_callback_url
from ganzhi.collect.transfer.guarded import (
    ALLOW_PRIVATE_ENV,
    DestinationRefused,
    GuardedClient,
    NotDelivered,
    OutboundPolicy,
    address_problem,
    legacy_ipv4,
)

PUBLIC_IP = "93.184.216.34"

#: Every spelling of an internal destination; `{port}` is the loopback listener's port.
REFUSED_HOSTS = [
    "127.0.0.1:{port}",
    "127.1:{port}",
    "2130706433:{port}",
    "0x7f.0.0.1:{port}",
    "0x7f000001:{port}",
    "0177.0.0.1:{port}",
    "017700000001:{port}",
    "127.0.0.1.:{port}",
    "localhost:{port}",
    "LOCALHOST.:{port}",
    "api.localhost:{port}",
    "[::1]:{port}",
    "[::ffff:127.0.0.1]:{port}",
    "[::ffff:7f00:1]:{port}",
    "[2002:7f00:1::]:{port}",
    "[64:ff9b::7f00:1]:{port}",
    "[::127.0.0.1]:{port}",
    "0.0.0.0:{port}",
    "0:{port}",
    "[::]:{port}",
    "10.0.0.1:{port}",
    "172.16.0.1:{port}",
    "192.168.1.1:{port}",
    "100.64.0.1:{port}",
    "169.254.169.254",
    "[fe80::1]:{port}",
    "[fc00::1]:{port}",
    "224.0.0.1:{port}",
    "[ff02::1]:{port}",
    "240.0.0.1:{port}",
    "255.255.255.255:{port}",
    "192.0.2.1:{port}",
]


def stub_resolver(table: dict[str, list[str]], calls: list[str] | None = None) -> Callable[[str, int], Sequence[str]]:
    def resolve(host: str, port: int) -> Sequence[str]:
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise OSError(f"stub resolver: {host} is unknown")
        return table[host]

    return resolve


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as server:
        yield server


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request may leave: {request.url}")


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_internal_destinations_are_refused_before_connecting(listener: Listener, host: str) -> None:
    calls: list[str] = []
    policy = OutboundPolicy(resolver=stub_resolver({}, calls))
    url = f"http://{host.format(port=listener.port)}/hook"
    with GuardedClient(policy, timeout_s=2) as client, pytest.raises(DestinationRefused, match="not allowed"):
        client.post(url, content=b"{}")
    assert listener.accepts == 0
    assert calls == []  # literals and localhost are judged without asking DNS
    with pytest.raises(ValueError, match=r"callback_url .* is refused: destination .* is not allowed"):
        validate_callback_url(url, policy)


def test_loopback_is_reached_only_when_allowed(listener: Listener) -> None:
    url = f"http://127.1:{listener.port}/hook"
    with GuardedClient(OutboundPolicy(allow_private=True), timeout_s=2) as client:
        response = client.post(url, content=b'{"a":1}', headers={"X-Test": "1"})
    assert response.status_code == 204 and listener.accepts == 1
    assert b"host: 127.1:" in listener.requests[0].lower() and listener.requests[0].endswith(b'{"a":1}')
    guard = GuardedClient(OutboundPolicy(allow_private=True), timeout_s=2)
    with guard as client, pytest.raises(DestinationRefused, match="unspecified"):
        client.get(f"http://0.0.0.0:{listener.port}/")
    assert listener.accepts == 1


@pytest.mark.parametrize(
    "answer",
    [["10.1.2.3"], ["169.254.169.254"], ["::1"], [PUBLIC_IP, "127.0.0.1"], ["::ffff:10.0.0.1"], ["fd00::5"]],
)
def test_names_resolving_to_internal_addresses_are_refused(answer: list[str]) -> None:
    calls: list[str] = []
    policy = OutboundPolicy(resolver=stub_resolver({"hooks.example.net": answer}, calls))
    guard = GuardedClient(policy, transport=httpx.MockTransport(_no_network))
    refused = r"hooks\.example\.net \(resolves to .*\) is not allowed"
    with guard as client, pytest.raises(DestinationRefused, match=refused):
        client.post("https://hooks.example.net/in", content=b"{}")
    assert calls == ["hooks.example.net"]
    with pytest.raises(ValueError, match=r"hooks\.example\.net"):
        validate_callback_url("https://hooks.example.net/in", policy)


def test_public_name_is_pinned_to_the_checked_address() -> None:
    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"ok")

    policy = OutboundPolicy(resolver=stub_resolver({"hooks.example.net": [PUBLIC_IP]}))
    with GuardedClient(policy, transport=httpx.MockTransport(receiver)) as client:
        response = client.post("https://hooks.example.net:8443/in?x=1", content=b"{}")
    assert response.status_code == 200 and response.content == b"ok"
    request = seen[0]
    assert request.url.host == PUBLIC_IP and request.url.port == 8443 and request.url.path == "/in"
    assert request.headers["host"] == "hooks.example.net:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.net"  # TLS verifies the name, not the IP
    assert validate_callback_url("https://hooks.example.net/in", policy) == "https://hooks.example.net/in"


def test_redirects_are_checked_like_the_first_request(listener: Listener) -> None:
    table = {"a.example.net": [PUBLIC_IP], "b.example.net": ["8.8.8.8"], "inner.example.net": ["10.0.0.7"]}
    policy = OutboundPolicy(resolver=stub_resolver(table))
    hops: list[tuple[str, str, bytes]] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        hops.append((request.method, request.headers["host"], request.content))
        path = request.url.path
        if path == "/to-loopback":
            return httpx.Response(302, headers={"Location": f"http://127.0.0.1:{listener.port}/"})
        if path == "/to-inner":
            return httpx.Response(307, headers={"Location": "http://inner.example.net/"})
        if path == "/to-b":
            return httpx.Response(307, headers={"Location": "https://b.example.net/final"})
        if path == "/post-to-get":
            return httpx.Response(302, headers={"Location": "/final"})
        if path == "/loop":
            return httpx.Response(308, headers={"Location": "/loop"})
        return httpx.Response(204)

    with GuardedClient(policy, transport=httpx.MockTransport(receiver)) as client:
        with pytest.raises(DestinationRefused, match=r"127\.0\.0\.1 is a loopback address"):
            client.post("https://a.example.net/to-loopback", content=b"x")
        with pytest.raises(DestinationRefused, match=r"inner\.example\.net"):
            client.post("https://a.example.net/to-inner", content=b"x")
        hops.clear()
        followed = client.post("https://a.example.net/to-b", content=b"body", headers={"Authorization": "t"})
        assert followed.status_code == 204 and followed.redirects == ["https://b.example.net/final"]
        assert hops == [("POST", "a.example.net", b"body"), ("POST", "b.example.net", b"body")]
        hops.clear()
        assert client.post("https://a.example.net/post-to-get", content=b"body").status_code == 204
        assert hops[1] == ("GET", "a.example.net", b"")
        with pytest.raises(DestinationRefused, match="more than 3 redirects"):
            client.get("https://a.example.net/loop")
    assert listener.accepts == 0


def test_closed_and_filtered_ports_give_the_same_status() -> None:
    loopback = OutboundPolicy(allow_private=True)
    closed = deliver(
        f"http://127.0.0.1:{closed_port()}/h", {"a": 1}, secret="s", delivery_id="d", timeout_s=1, attempts=1,
        policy=loopback,
    )  # fmt: skip
    with Listener(silent=True) as silent:
        filtered = deliver(
            f"http://127.0.0.1:{silent.port}/h", {"a": 1}, secret="s", delivery_id="d", timeout_s=0.5, attempts=1,
            policy=loopback,
        )  # fmt: skip

    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    public = OutboundPolicy(resolver=stub_resolver({"hooks.example.net": [PUBLIC_IP]}))
    firewalled = deliver(
        "https://hooks.example.net/h", {"a": 1}, secret="s", delivery_id="d", timeout_s=1, attempts=1,
        transport=httpx.MockTransport(drop), policy=public,
    )  # fmt: skip
    unresolvable = deliver(
        "https://nowhere.example.net/h", {"a": 1}, secret="s", delivery_id="d", timeout_s=1, attempts=1,
        transport=httpx.MockTransport(_no_network), policy=public,
    )  # fmt: skip
    assert closed == filtered == firewalled == unresolvable == NOT_DELIVERED == "failed: not delivered"


def test_http_status_of_a_public_host_is_kept() -> None:
    policy = OutboundPolicy(resolver=stub_resolver({"hooks.example.net": [PUBLIC_IP]}))
    status = deliver(
        "https://hooks.example.net/h", {"a": 1}, secret="s", delivery_id="d", timeout_s=1, attempts=1,
        transport=httpx.MockTransport(lambda r: httpx.Response(503)), policy=policy,
    )  # fmt: skip
    assert status == "failed: HTTP 503"
    refused = deliver(
        "http://169.254.169.254/latest", {"a": 1}, secret="s", delivery_id="d", timeout_s=1, attempts=3,
        transport=httpx.MockTransport(_no_network), policy=policy,
    )  # fmt: skip
    assert refused.startswith("failed: refused: destination 169.254.169.254 is not allowed: ")


def test_response_size_is_bounded() -> None:
    guard = GuardedClient(OutboundPolicy(allow_private=True), max_response_bytes=1000)
    with Listener(status=200, body=b"x" * 100_000) as server, guard as client:
        response = client.get(f"http://127.0.0.1:{server.port}/big")
    assert len(response.content) == 1000 and response.truncated


def test_silent_host_times_out_as_not_delivered() -> None:
    guard = GuardedClient(OutboundPolicy(allow_private=True), timeout_s=0.3)
    with Listener(silent=True) as server, guard as client, pytest.raises(NotDelivered) as caught:
        client.get(f"http://127.0.0.1:{server.port}/")
    assert str(caught.value) == "not delivered" and "Timeout" in caught.value.detail


def test_setting_from_environment() -> None:
    assert OutboundPolicy.from_env({ALLOW_PRIVATE_ENV: "1"}).allow_private
    assert not OutboundPolicy.from_env({ALLOW_PRIVATE_ENV: "0"}).allow_private
    assert not OutboundPolicy.from_env({}).allow_private


def test_bad_urls_are_refused_with_the_url_named() -> None:
    for url in ("ftp://example.net/x", "http:///nohost", "file:///etc/passwd", "http://[::1/"):
        with pytest.raises(DestinationRefused, match="URL"):
            OutboundPolicy(resolver=stub_resolver({})).check(url)
    with pytest.raises(ValueError, match=r"callback_url must be an absolute http\(s\) URL"):
        validate_callback_url("gopher://example.net/")
    # a name that does not resolve right now is accepted at submission (delivery checks it again)
    assert validate_callback_url("https://later.example.net/h", OutboundPolicy(resolver=stub_resolver({})))


def test_ipv4_spellings_and_address_classes() -> None:
    assert legacy_ipv4("127.1") == ipaddress.IPv4Address("127.0.0.1")
    assert legacy_ipv4("0x7f.1") == ipaddress.IPv4Address("127.0.0.1")
    assert legacy_ipv4("0300.0250.1.1") == ipaddress.IPv4Address("192.168.1.1")
    assert legacy_ipv4("3232235777") == ipaddress.IPv4Address("192.168.1.1")
    assert legacy_ipv4("256.1.1.1") is None and legacy_ipv4("example") is None and legacy_ipv4("1.2.3.4.5") is None
    assert address_problem(ipaddress.ip_address(PUBLIC_IP)) is None
    assert address_problem(ipaddress.ip_address("2606:4700::1111")) is None
    assert address_problem(ipaddress.ip_address("::ffff:8.8.8.8")) is None
    assert "loopback" in (address_problem(ipaddress.ip_address("64:ff9b::127.0.0.1")) or "")
