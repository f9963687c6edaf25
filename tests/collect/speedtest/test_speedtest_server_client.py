"""Server and client on loopback: figures, limits, and bad input (reset, stall, bogus heads, slow-loris)."""

from __future__ import annotations

import asyncio
import time

import pytest

from ganzhi.collect.speedtest.client import ClientOptions, SpeedtestError, run_speedtest
from ganzhi.collect.speedtest.server import ServerLimits, SpeedtestServer

FAST = ClientOptions(
    duration=1.5,
    min_duration=0.5,
    download_grace=0.3,
    upload_grace=0.3,
    streams=2,
    udp_probes=5,
    udp_interval=0.001,
    pings=3,
    stall_timeout=2.0,
)


async def _raw(port: int, data: bytes, *, read: bool = True) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(4096), 5) if read else b""
    writer.close()
    return answer


async def _ping_ok(port: int) -> bool:
    return (await _raw(port, b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")).startswith(b"HTTP/1.1 200")


def test_full_run_reports_the_four_json_keys_and_stays_up() -> None:
    async def main() -> None:
        server = SpeedtestServer()
        port = await server.start()
        try:
            result = await run_speedtest(f"http://127.0.0.1:{port}", FAST)
            body = result.model_dump(mode="json")
            for key in ("download_mbps", "upload_mbps", "latency_ms", "jitter_ms"):
                assert body[key] is not None and body[key] >= 0, key
            assert result.download_mbps and result.download_mbps > 100
            assert result.upload_mbps and result.upload_mbps > 100
            assert result.loss_ratio == 0.0
            assert result.download and result.download.grace_seconds == 0.3 and result.download.curve
            assert server.stats.bytes_received > 0
            assert await _ping_ok(port)
        finally:
            await server.close()

    asyncio.run(main())


def test_unreachable_server_is_a_clear_error() -> None:
    async def main() -> None:
        server = SpeedtestServer()
        port = await server.start()
        await server.close()
        with pytest.raises(SpeedtestError, match="cannot connect"):
            await run_speedtest(f"http://127.0.0.1:{port}", FAST)

    asyncio.run(main())
    with pytest.raises(SpeedtestError, match="expected http"):
        asyncio.run(run_speedtest("ftp://example.org", FAST))


def test_bogus_requests_get_http_errors_and_server_stays_up() -> None:
    async def main() -> None:
        server = SpeedtestServer(ServerLimits(max_download_bytes=1000, max_upload_bytes=1000, header_timeout=0.5))
        port = await server.start()
        try:
            cases = {
                b"GET /download?bytes=5000 HTTP/1.1\r\n\r\n": b"413",
                b"GET /download?bytes=-1 HTTP/1.1\r\n\r\n": b"400",
                b"POST /upload HTTP/1.1\r\n\r\n": b"411",
                b"POST /upload HTTP/1.1\r\nContent-Length: 12x\r\n\r\n": b"400",
                b"POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n": b"501",
                b"BREW /pot HTTP/1.1\r\n\r\n": b"404",
                b"garbage\r\n\r\n": b"400",
                b"GET / HTTP/1.1\r\n" + b"X: " + b"a" * 20000 + b"\r\n\r\n": b"431",
            }
            for request, status in cases.items():
                answer = await _raw(port, request)
                assert answer.split(b" ")[1] == status, (request[:40], answer[:80])
            # slow-loris: a head that never ends is cut off after header_timeout
            started = time.perf_counter()
            answer = await _raw(port, b"GET /ping HTTP/1.1\r\nX-Slow: ")
            assert answer.split(b" ")[1] == b"408"
            assert time.perf_counter() - started < 3
            page = await _raw(port, b"GET / HTTP/1.1\r\n\r\n")
            assert b"text/html" in page
            assert await _ping_ok(port)
        finally:
            await server.close()

    asyncio.run(main())


def test_concurrent_test_and_stream_limits() -> None:
    async def main() -> None:
        server = SpeedtestServer(ServerLimits(max_tests=1, max_streams_per_test=1))
        port = await server.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /download?bytes=100000000&test=a HTTP/1.1\r\n\r\n")
            await reader.readuntil(b"\r\n\r\n")
            second_stream = await _raw(port, b"GET /download?bytes=10&test=a HTTP/1.1\r\n\r\n")
            other_test = await _raw(port, b"GET /download?bytes=10&test=b HTTP/1.1\r\n\r\n")
            assert second_stream.split(b" ")[1] == b"429"
            assert other_test.split(b" ")[1] == b"503"
            writer.transport.abort()  # reset mid-download: the server frees the slot and goes on
            await asyncio.sleep(0.2)
            assert (await _raw(port, b"GET /download?bytes=10&test=b HTTP/1.1\r\n\r\n")).startswith(b"HTTP/1.1 200")
        finally:
            await server.close()

    asyncio.run(main())


def test_client_reports_a_server_that_stalls() -> None:
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            if head.startswith(b"GET /ping"):
                while True:
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                    await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n" + b"x" * 1000)
            await asyncio.sleep(30)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(stall, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        options = ClientOptions(duration=5, min_duration=1, stall_timeout=0.5, pings=2, udp_probes=0, upload=False)
        started = time.perf_counter()
        result = await run_speedtest(f"http://127.0.0.1:{port}", options)
        assert time.perf_counter() - started < 4
        assert result.download is not None
        assert any("stalled" in error for error in result.download.errors)
        server.close()
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.cancel()
        await asyncio.sleep(0.05)

    asyncio.run(main())
