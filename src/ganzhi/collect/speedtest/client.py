"""The speed-test client: latency and jitter, UDP loss, then multi-stream download and upload.

Each direction runs `streams` parallel TCP connections, samples the byte total every `tick`, leaves
out the warm-up grace (TCP slow start), and ends early once the per-window rate has settled
(adaptive duration, like LibreSpeed's `time_auto`) or at `duration` at the latest. The figure is
goodput (application bytes), the same quantity iperf3 reports, with no overhead factor applied.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import struct
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol
from urllib.parse import urlsplit

from ganzhi.collect.speedtest.server import CHUNK, RANDOM_POOL, UDP_MAGIC
from ganzhi.collect.speedtest.streams import DownloadStream, UploadStream, _parse_status
from ganzhi.collect.transfer import rates
from ganzhi.errors import GanzhiError
from ganzhi.evidence.speedtest import DirectionResult, EnvironmentFacts, RatePoint, SpeedtestResult


class SpeedtestError(GanzhiError):
    """The server cannot be used at all (unreachable, not a ganzhi speed-test server)."""


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """How long and how hard to test; defaults follow LibreSpeed where it documents one."""

    duration: float = 12.0
    min_duration: float = 4.0
    streams: int = 4
    download_grace: float = 1.5
    upload_grace: float = 2.0
    pings: int = 10
    udp_probes: int = 50
    udp_interval: float = 0.01
    connect_timeout: float = 5.0
    stall_timeout: float = 5.0
    tick: float = 0.1
    window: float = 0.5
    settle_windows: int = 6
    settle_tolerance: float = 0.05
    request_bytes: int = 1 << 30
    download: bool = True
    upload: bool = True
    curve_points: int = 300


@dataclass(frozen=True, slots=True)
class Target:
    """Host and port of the server, from its URL."""

    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> Target:
        """`http://host:port[/]` → Target; SpeedtestError names the URL otherwise."""
        split = urlsplit(url if "://" in url else f"http://{url}")
        if split.scheme != "http" or not split.hostname:
            raise SpeedtestError(f"{url}: expected http://host:port (got scheme {split.scheme!r})")
        try:
            port = split.port or 80
        except ValueError:
            raise SpeedtestError(f"{url}: port is not a number between 0 and 65535") from None
        return cls(split.hostname, port)


class _Counted(Protocol):
    error: str | None
    last_progress: float

    def counted(self) -> int: ...

    def stop(self) -> None: ...


async def measure_latency(target: Target, options: ClientOptions) -> list[float]:
    """Round-trip times (ms) of `options.pings` HTTP pings on one keep-alive connection (first dropped)."""
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(target.host, target.port), options.connect_timeout
        )
    except (OSError, TimeoutError) as exc:
        raise SpeedtestError(f"cannot connect to {target.host}:{target.port}: {exc or 'timeout'}") from None
    request = f"GET /ping HTTP/1.1\r\nHost: {target.host}\r\n\r\n".encode()
    samples: list[float] = []
    try:
        for _ in range(options.pings + 1):
            started = time.perf_counter()
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), options.stall_timeout)
            status, length = _parse_status(head[:-4])
            if length:
                await asyncio.wait_for(reader.readexactly(min(length, 4096)), options.stall_timeout)
            if status != 200:
                raise SpeedtestError(f"{target.host}:{target.port}: /ping answered {status}; not a ganzhi server?")
            samples.append((time.perf_counter() - started) * 1000)
    except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
        raise SpeedtestError(f"{target.host}:{target.port}: ping failed: {type(exc).__name__}: {exc}") from None
    finally:
        writer.close()
    return samples[1:]


class _EchoClient(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.received: set[int] = set()

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if len(data) >= 8 and data.startswith(UDP_MAGIC):
            self.received.add(struct.unpack("!I", data[4:8])[0])


async def measure_loss(target: Target, options: ClientOptions) -> float | None:
    """Share of UDP echo probes not answered; None when nothing at all came back (UDP blocked)."""
    if options.udp_probes <= 0:
        return None
    loop = asyncio.get_running_loop()
    try:
        transport, protocol = await loop.create_datagram_endpoint(_EchoClient, remote_addr=(target.host, target.port))
    except OSError:
        return None
    try:
        for seq in range(options.udp_probes):
            transport.sendto(UDP_MAGIC + struct.pack("!I", seq) + bytes(24))
            await asyncio.sleep(options.udp_interval)
        await asyncio.sleep(min(1.0, options.stall_timeout))
    finally:
        transport.close()
    if not protocol.received:
        return None
    return 1.0 - len(protocol.received) / options.udp_probes


async def _run_direction(
    streams: Sequence[_Counted],
    grace: float,
    options: ClientOptions,
    started: float,
) -> tuple[list[rates.Sample], list[str]]:
    """Sample the total until settled, `duration`, a stall, or every stream ended; then stop them all."""
    samples: list[rates.Sample] = [(0.0, 0)]
    errors: list[str] = []
    last_total, last_change = 0, started
    while True:
        await asyncio.sleep(options.tick)
        now = time.perf_counter()
        elapsed = now - started
        total = sum(stream.counted() for stream in streams)
        samples.append((elapsed, total))
        if total != last_total:
            last_total, last_change = total, now
        if elapsed >= options.duration:
            break
        if elapsed >= grace + options.min_duration:
            windows = rates.window_rates(samples, grace, options.window)
            if rates.settled(windows, options.settle_windows, options.settle_tolerance):
                break
        if now - last_change >= options.stall_timeout:
            errors.append(f"stalled: no data for {options.stall_timeout:g} s")
            break
        if all(stream.error is not None for stream in streams):
            break
    for stream in streams:
        stream.stop()
    errors.extend(sorted({stream.error for stream in streams if stream.error}))
    return samples, errors


def summarise(
    samples: Sequence[rates.Sample], grace: float, streams: int, errors: list[str], options: ClientOptions
) -> DirectionResult:
    """Turn cumulative samples into a DirectionResult (Mbit/s after the grace, curve, stability)."""
    span = rates.span_after(samples, grace)
    windows = rates.window_rates(samples, min(grace, samples[-1][0]), options.window)
    curve_samples = rates.thin(samples, options.curve_points + 1)
    curve = [
        RatePoint(t=round(t1, 3), mbps=round((b1 - b0) * 8 / (t1 - t0) / 1e6, 3))
        for (t0, b0), (t1, b1) in pairwise(curve_samples)
        if t1 > t0
    ]
    stab = rates.stability(windows)
    return DirectionResult(
        mbps=round(span.bytes_per_second * 8 / 1e6, 3),
        bytes=span.bytes,
        seconds=round(span.seconds, 4),
        grace_seconds=grace,
        total_seconds=round(samples[-1][0], 4),
        streams=streams,
        stability=None if stab is None else round(stab, 4),
        curve=curve,
        errors=errors[:64],
    )


async def measure_download(target: Target, options: ClientOptions, test_id: str) -> DirectionResult:
    """Multi-stream download; streams start 50 ms apart."""
    loop = asyncio.get_running_loop()
    path = f"/download?bytes={options.request_bytes}&test={test_id}"
    streams: list[DownloadStream] = []
    errors: list[str] = []
    started = time.perf_counter()
    for _ in range(options.streams):
        try:
            _, protocol = await asyncio.wait_for(
                loop.create_connection(lambda: DownloadStream(target.host, path), target.host, target.port),
                options.connect_timeout,
            )
            streams.append(protocol)
        except (OSError, TimeoutError) as exc:
            errors.append(f"cannot open a download stream: {exc or 'timeout'}")
        await asyncio.sleep(0.05)
    if not streams:
        return summarise([(0.0, 0)], options.download_grace, max(1, options.streams), errors, options)
    samples, run_errors = await _run_direction(streams, options.download_grace, options, started)
    return summarise(samples, options.download_grace, len(streams), errors + run_errors, options)


async def measure_upload(target: Target, options: ClientOptions, test_id: str) -> DirectionResult:
    """Multi-stream upload of random data (acknowledged bytes only)."""
    pool = os.urandom(RANDOM_POOL + CHUNK)
    path = f"/upload?test={test_id}"
    streams = [
        UploadStream(target.host, target.port, path, options.request_bytes, pool) for _ in range(options.streams)
    ]
    started = time.perf_counter()
    tasks = [asyncio.create_task(s.run(options.connect_timeout, options.stall_timeout)) for s in streams]
    samples, errors = await _run_direction(streams, options.upload_grace, options, started)
    await asyncio.wait(tasks, timeout=options.connect_timeout)
    for task in tasks:
        task.cancel()
    return summarise(samples, options.upload_grace, len(streams), errors, options)


def _figure(result: DirectionResult | None) -> float | None:
    if result is None or result.bytes == 0:
        return None
    return result.mbps


async def run_speedtest(
    url: str,
    options: ClientOptions | None = None,
    *,
    environment: EnvironmentFacts | None = None,
    contract_down_mbps: float | None = None,
    contract_up_mbps: float | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> SpeedtestResult:
    """Run a whole test against `url`; SpeedtestError when the server cannot be reached at all."""
    options = options or ClientOptions()
    target = Target.parse(url)
    started_at = dt.datetime.now(dt.UTC)
    test_id = uuid.uuid4().hex[:16]
    phase = on_phase or (lambda _name: None)
    phase("latency")
    latencies = await measure_latency(target, options)
    loss = await measure_loss(target, options)
    errors: list[str] = [] if loss is not None or options.udp_probes <= 0 else ["no UDP echo answered; loss unknown"]
    phase("download")
    download = await measure_download(target, options, test_id) if options.download else None
    phase("upload")
    upload = await measure_upload(target, options, test_id) if options.upload else None
    latency = rates.median(latencies)
    jit = rates.jitter(latencies)
    return SpeedtestResult(
        server=f"http://{target.host}:{target.port}",
        started_at=started_at,
        download_mbps=_figure(download),
        upload_mbps=_figure(upload),
        latency_ms=None if latency is None else round(latency, 3),
        jitter_ms=None if jit is None else round(jit, 3),
        loss_ratio=None if loss is None else round(loss, 4),
        stability=download.stability if download else None,
        download=download,
        upload=upload,
        contract_down_mbps=contract_down_mbps,
        contract_up_mbps=contract_up_mbps,
        environment=environment,
        errors=errors,
    )


if __name__ == "__main__":  # `python -m ganzhi.collect.speedtest.client URL SECONDS STREAMS` → JSON (benchmarks)
    import sys

    cli_options = ClientOptions(duration=float(sys.argv[2]), streams=int(sys.argv[3]), udp_probes=0)
    print(asyncio.run(run_speedtest(sys.argv[1], cli_options)).model_dump_json())
