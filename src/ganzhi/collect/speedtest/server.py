"""The speed-test server: incompressible download, upload sink, latency pings, UDP echo, browser page.

Endpoints (HTTP/1.1, keep-alive):
- `GET /` — the browser client page (plain JS, no CDN);
- `GET /config` — the limits, as JSON;
- `GET /ping` — an empty answer for latency/jitter;
- `GET /download?bytes=N&test=ID` — N bytes of random data (never compressible);
- `POST /upload?test=ID` — a sink for a Content-Length body, answered with the bytes received;
- UDP on the same port — echoes datagrams that start with `GZP1` (at most 64 bytes) for packet loss.

A test is the group of connections carrying the same `test` id from one client address (one connection
without an id is a test of its own; ids are per address, so nobody can join another client's test).
The server bounds, with configurable defaults (`ServerLimits`, also served at `/config`):

- concurrent tests (8) and tests per client address (2), streams per test (8);
- open connections (96) and connections per client address (16); past the address's share the answer
  is 429 and the connection is closed without touching the shared pool;
- the time to send a request head (5 s, slow-loris) and idle reads and writes (10 s);
- the transfer rate: after a grace of 4 s an upload or download slower than 32 KiB/s on average is cut
  (408 for uploads), so a trickling client cannot hold a test slot until the connection lifetime;
- request sizes and the lifetime of a connection (120 s).

IPv6 clients are counted per /64 (one subscriber's prefix). Whatever a client does, it gets a clear
HTTP error or a closed connection, and the server keeps serving others.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import time
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import cast

from ganzhi.collect.transfer.httpio import (
    HttpError,
    Request,
    error_response,
    json_response,
    read_request,
    response_head,
)
from ganzhi.collect.transfer.stream_server import StreamServer

CHUNK = 1 << 20
RANDOM_POOL = 8 << 20
#: Odd stride so consecutive chunks start at different offsets of the random pool.
_STRIDE = 1_048_573
UDP_MAGIC = b"GZP1"
UDP_MAX = 64


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """Limits that keep one server usable under load and against abusive clients."""

    max_tests: int = 8
    max_tests_per_address: int = 2
    max_streams_per_test: int = 8
    max_connections: int = 96
    max_connections_per_address: int = 16
    max_download_bytes: int = 4 << 30
    max_upload_bytes: int = 4 << 30
    max_header_bytes: int = 16 << 10
    header_timeout: float = 5.0
    idle_timeout: float = 10.0
    max_connection_seconds: float = 120.0
    #: Slowest average transfer accepted once `rate_grace_s` has passed (0 disables the check).
    min_rate_bytes_per_s: int = 32 << 10
    rate_grace_s: float = 4.0


#: How often a waiting upload re-checks its rate (seconds).
RATE_CHECK_S = 0.5


def address_key(peer: object) -> str:
    """The unit per-address limits count: the IPv4 address, or the /64 of an IPv6 address."""
    host = peer[0] if isinstance(peer, tuple) and peer else str(peer)
    try:
        address = ipaddress.ip_address(str(host))
    except ValueError:
        return str(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address.ipv4_mapped or address) if isinstance(address, ipaddress.IPv6Address) else str(address)


@dataclass(slots=True)
class ServerStats:
    """Counters for logs and tests."""

    connections: int = 0
    requests: int = 0
    rejected: int = 0
    client_errors: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    udp_echoed: int = 0


@dataclass(slots=True)
class _Tests:
    """Open connections per (address, test id); admission enforces the test, per-address and stream limits."""

    limits: ServerLimits
    streams: dict[tuple[str, str], int] = field(default_factory=dict)
    per_address: dict[str, int] = field(default_factory=dict)

    def admit(self, address: str, test_id: str) -> tuple[str, str]:
        key = (address, test_id)
        current = self.streams.get(key)
        if current is None:
            mine = self.per_address.get(address, 0)
            if mine >= self.limits.max_tests_per_address:
                raise HttpError(429, f"this address already runs {mine} tests (limit), retry later")
            if len(self.streams) >= self.limits.max_tests:
                raise HttpError(503, f"server busy: {self.limits.max_tests} tests already running, retry later")
            self.streams[key] = 1
            self.per_address[address] = mine + 1
            return key
        if current >= self.limits.max_streams_per_test:
            raise HttpError(429, f"test {test_id[:40]!r} already has {current} streams (limit)")
        self.streams[key] = current + 1
        return key

    def release(self, key: tuple[str, str]) -> None:
        left = self.streams.get(key, 0) - 1
        if left > 0:
            self.streams[key] = left
            return
        if self.streams.pop(key, None) is not None:
            tests = self.per_address.get(key[0], 0) - 1
            if tests > 0:
                self.per_address[key[0]] = tests
            else:
                self.per_address.pop(key[0], None)


class _Echo(asyncio.DatagramProtocol):
    """UDP echo for loss measurement: only small datagrams with the magic prefix, same size back."""

    def __init__(self, stats: ServerStats) -> None:
        self.stats = stats
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if self.transport is not None and len(data) <= UDP_MAX and data.startswith(UDP_MAGIC):
            self.transport.sendto(data, addr)
            self.stats.udp_echoed += 1


def _page() -> bytes:
    return resources.files("ganzhi.collect.speedtest").joinpath("page.html").read_bytes()


class SpeedtestServer(StreamServer):
    """An asyncio speed-test server; `start()` binds, `close()` stops."""

    def __init__(self, limits: ServerLimits | None = None) -> None:
        super().__init__()
        self.limits = limits or ServerLimits()
        self.stats = ServerStats()
        self._tests = _Tests(self.limits)
        self._pool = os.urandom(RANDOM_POOL + CHUNK)
        self._offset = 0
        self._open = 0
        self._open_per_address: dict[str, int] = {}
        self._udp: asyncio.DatagramTransport | None = None
        self._page = _page()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Bind TCP (and UDP echo on the same port); returns the port."""
        bound = await self._bind(host, port, limit=256 << 10, backlog=256)
        loop = asyncio.get_running_loop()
        with contextlib.suppress(OSError):  # loss measurement is optional; TCP service goes on without it
            transport, _ = await loop.create_datagram_endpoint(lambda: _Echo(self.stats), local_addr=(host, bound))
            self._udp = transport
        return bound

    async def close(self) -> None:
        """Stop accepting, close the UDP endpoint and drop live connections."""
        if self._udp is not None:
            self._udp.close()
        await super().close()

    def _random_chunk(self, size: int) -> memoryview:
        start = self._offset
        self._offset = (self._offset + _STRIDE) % RANDOM_POOL
        return memoryview(self._pool)[start : start + size]

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        address = address_key(writer.get_extra_info("peername"))
        mine = self._open_per_address.get(address, 0)
        if mine >= self.limits.max_connections_per_address:
            self.stats.rejected += 1
            refusal = HttpError(429, f"too many connections from this address ({mine}, limit)")
            await self._send_and_close(writer, error_response(refusal))
            return
        if self._open >= self.limits.max_connections:
            self.stats.rejected += 1
            await self._send_and_close(writer, error_response(HttpError(503, "too many connections")))
            return
        self._open += 1
        self._open_per_address[address] = mine + 1
        held: list[tuple[str, str]] = []  # the test this connection was admitted under, released whatever happens
        try:
            async with asyncio.timeout(self.limits.max_connection_seconds):
                await self._serve_connection(reader, writer, held, address)
        except HttpError as exc:
            self.stats.client_errors += 1
            if exc.status in {429, 503}:
                self.stats.rejected += 1
            await self._send_and_close(writer, error_response(exc))
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            self.stats.client_errors += 1
        finally:
            self._open -= 1
            left = self._open_per_address.get(address, 0) - 1
            if left > 0:
                self._open_per_address[address] = left
            else:
                self._open_per_address.pop(address, None)
            for key in held:
                self._tests.release(key)
            writer.close()
            with contextlib.suppress(ConnectionError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def _send_and_close(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        with contextlib.suppress(ConnectionError, TimeoutError):
            writer.write(data)
            await asyncio.wait_for(writer.drain(), 1.0)
        writer.close()

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, held: list[tuple[str, str]], address: str
    ) -> None:
        """Serve requests on one connection; the test it is admitted under goes into `held`."""
        peer = writer.get_extra_info("peername")
        while True:
            request = await read_request(
                reader, max_header_bytes=self.limits.max_header_bytes, timeout=self.limits.header_timeout
            )
            if request is None:
                return
            self.stats.requests += 1
            if not held and request.path in {"/download", "/upload"}:
                wanted = (request.query.get("test") or f"conn:{peer}")[:64]
                held.append(self._tests.admit(address, wanted))
            await self._route(request, reader, writer)
            if not request.keep_alive:
                return

    async def _route(self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        route = (request.method, request.path)
        if route == ("GET", "/download"):
            await self._download(request, writer)
        elif route == ("POST", "/upload"):
            await self._upload(request, reader, writer)
        elif route in {("GET", "/ping"), ("HEAD", "/ping")}:
            writer.write(response_head(200, content_length=0))
            await self._drain(writer)
        elif route == ("GET", "/config"):
            writer.write(json_response(200, asdict(self.limits)))
            await self._drain(writer)
        elif route in {("GET", "/"), ("GET", "/index.html")}:
            head = response_head(200, {"Content-Type": "text/html; charset=utf-8"}, content_length=len(self._page))
            writer.write(head + self._page)
            await self._drain(writer)
        elif request.path in {"/", "/download", "/upload", "/ping", "/config"}:
            raise HttpError(405, f"method {request.method} not allowed on {request.path}")
        else:
            raise HttpError(404, f"no such endpoint {request.path[:80]!r}")

    async def _drain(self, writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.wait_for(writer.drain(), self.limits.idle_timeout)
        except TimeoutError:
            raise ConnectionResetError("client stopped reading") from None

    async def _download(self, request: Request, writer: asyncio.StreamWriter) -> None:
        size = request.int_param("bytes", 100 << 20, minimum=0, maximum=self.limits.max_download_bytes)
        writer.write(response_head(200, {"Content-Type": "application/octet-stream"}, content_length=size))
        started = time.monotonic()
        left = size
        while left > 0:
            chunk = self._random_chunk(min(CHUNK, left))
            writer.write(chunk)
            left -= len(chunk)
            self.stats.bytes_sent += len(chunk)
            await self._paced_drain(writer, size - left, started)

    async def _paced_drain(self, writer: asyncio.StreamWriter, sent: int, started: float) -> None:
        """Drain, but cut a reader slower than the minimum rate (after the grace) or stalled."""
        rate = self.limits.min_rate_bytes_per_s
        if rate <= 0:
            await self._drain(writer)
            return
        # The client must have taken the bytes written so far by this time (minus one chunk in flight).
        deadline = started + self.limits.rate_grace_s + max(0, sent - CHUNK) / rate
        timeout = min(self.limits.idle_timeout, max(deadline - time.monotonic(), RATE_CHECK_S))
        try:
            await asyncio.wait_for(writer.drain(), timeout)
        except TimeoutError:
            raise ConnectionResetError("download too slow or stalled: client reads below the minimum rate") from None

    async def _upload(self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        size = request.content_length(self.limits.max_upload_bytes)
        started = time.perf_counter()
        last_data = started
        left = size
        while left > 0:
            try:
                data = await asyncio.wait_for(reader.read(min(CHUNK, left)), RATE_CHECK_S)
            except TimeoutError:
                data = None
            now = time.perf_counter()
            if data is not None:
                if not data:
                    raise ConnectionResetError(f"upload closed after {size - left} of {size} bytes")
                left -= len(data)
                self.stats.bytes_received += len(data)
                last_data = now
            elif now - last_data >= self.limits.idle_timeout:
                raise HttpError(408, f"upload stalled: no data for {self.limits.idle_timeout:g} s")
            self._check_rate(size - left, now - started, left)
        seconds = time.perf_counter() - started
        writer.write(json_response(200, {"received": size, "seconds": round(seconds, 6)}))
        await self._drain(writer)

    def _check_rate(self, received: int, elapsed: float, left: int) -> None:
        """408 when an unfinished upload averages below the minimum rate after the grace period."""
        rate = self.limits.min_rate_bytes_per_s
        if rate > 0 and left > 0 and elapsed > self.limits.rate_grace_s and received < rate * elapsed:
            raise HttpError(
                408,
                f"upload too slow: {received / elapsed:.0f} B/s on average, minimum {rate} B/s "
                f"after {self.limits.rate_grace_s:g} s",
            )


async def serve(host: str, port: int, limits: ServerLimits | None = None) -> None:
    """Run a server until cancelled (used by `ganzhi speedtest serve`)."""
    server = SpeedtestServer(limits)
    await server.start(host, port)
    try:
        await server.serve_forever()
    finally:
        await server.close()


if __name__ == "__main__":  # `python -m ganzhi.collect.speedtest.server HOST PORT` (benchmarks, namespaces)
    import sys

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(sys.argv[1], int(sys.argv[2])))
