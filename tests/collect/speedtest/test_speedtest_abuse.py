"""One hostile client cannot starve the speed-test server: per-address limits, minimum rate, slow-loris.

All on loopback: the server listens on 127.0.0.1, the hostile client connects from 127.0.0.2 and the
honest one from 127.0.0.3 (Linux routes all of 127/8 to the loopback interface).
"""

from __future__ import annotations

import asyncio
import json
import time

from ganzhi.collect.speedtest.server import ServerLimits, SpeedtestServer, address_key

HOSTILE = "127.0.0.2"
HONEST = "127.0.0.3"


async def _open(port: int, source: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def _slow_upload(port: int, test: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await _open(port, HOSTILE)
    writer.write(f"POST /upload?test={test} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n".encode())
    writer.write(b"x")
    await writer.drain()
    return reader, writer


async def _honest_download(port: int) -> int:
    reader, writer = await _open(port, HONEST)
    writer.write(b"GET /download?bytes=200000&test=honest HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    body = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    await writer.wait_closed()
    status = int(head.split(b" ")[1])
    assert status != 200 or len(body) == 200000
    return status


def test_slow_uploads_and_idle_connections_from_one_address_leave_room_for_others() -> None:
    async def scenario() -> None:
        limits = ServerLimits(max_tests=8, max_tests_per_address=2, max_connections_per_address=16, rate_grace_s=1.0)
        server = SpeedtestServer(limits)
        port = await server.start("127.0.0.1", 0)
        serving = asyncio.create_task(server.serve_forever())
        try:
            # 8 slow uploads (the old attack held all 8 test slots for up to 120 s) ...
            slow = [await _slow_upload(port, f"t{i}") for i in range(8)]
            # ... and 150 idle connections from the same address (the old attack filled the connection cap).
            idle = [await _open(port, HOSTILE) for _ in range(150)]
            await asyncio.sleep(0.2)
            assert await _honest_download(port) == 200  # another client still gets a test at once
            assert server.stats.rejected >= 150 - 16  # past its share the hostile address is refused
            # Uploads beyond the address's 2 tests were refused (429); the admitted ones are cut for being slow.
            answers = [await asyncio.wait_for(r.read(), 5) for r, _ in slow]
            for _, writer in slow:
                writer.close()
            statuses = [json.loads(a[a.index(b"\r\n\r\n") + 4 :])["status"] for a in answers if a]
            assert statuses.count(429) >= 6 and statuses.count(408) == 2, statuses
            started = time.monotonic()
            for reader, _ in idle[:16]:  # the admitted idle connections end at the header timeout
                await asyncio.wait_for(reader.read(), limits.header_timeout + 2)
            assert time.monotonic() - started < limits.header_timeout + 2
            for _, writer in idle:
                writer.close()
            await asyncio.sleep(0.1)
            assert await _honest_download(port) == 200
        finally:
            serving.cancel()
            await server.close()

    asyncio.run(scenario())


def test_a_trickling_upload_is_cut_after_the_grace_period() -> None:
    async def scenario() -> None:
        server = SpeedtestServer(ServerLimits(rate_grace_s=1.0, min_rate_bytes_per_s=64 << 10))
        port = await server.start("127.0.0.1", 0)
        serving = asyncio.create_task(server.serve_forever())
        try:
            reader, writer = await _open(port, HOSTILE)
            writer.write(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
            started = time.monotonic()
            for _ in range(6):  # 1 KiB every 0.3 s: alive, but far below the minimum rate
                writer.write(b"y" * 1024)
                await writer.drain()
                await asyncio.sleep(0.3)
                if reader.at_eof():
                    break
            answer = await asyncio.wait_for(reader.read(), 5)
            assert b" 408 " in answer.split(b"\r\n")[0] and b"too slow" in answer
            assert time.monotonic() - started < 4.0
            writer.close()
            await writer.wait_closed()
        finally:
            serving.cancel()
            await server.close()

    asyncio.run(scenario())


def test_tests_are_per_address_and_ipv6_counts_per_prefix() -> None:
    assert address_key(("2001:db8:1:2::5", 1, 0, 0)) == address_key(("2001:db8:1:2:ffff::9", 2, 0, 0))
    assert address_key(("2001:db8:1:2::5", 1, 0, 0)) != address_key(("2001:db8:1:3::5", 1, 0, 0))
    assert address_key(("::ffff:10.0.0.1", 1, 0, 0)) == "10.0.0.1" == address_key(("10.0.0.1", 9))
