"""Probe a cloud drive: download (and optionally upload) one file for a fixed time, keeping the rate curve.

Works against any HTTP(S) URL a logged-in account can fetch (pass its cookies or token with `headers`).
The file is fetched again when it ends before the time is up; redirects are followed (at most 5).
Every failure — unreachable host, bad status, reset, stall — becomes an error in the evidence, never a
hang: connects and reads are bounded by timeouts and the whole probe by `duration`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ganzhi.collect.netdisk.measure import summarise_transfer
from ganzhi.collect.speedtest.streams import unacked_bytes
from ganzhi.collect.transfer import rates
from ganzhi.evidence.netdisk import NetdiskProbe, Tier, TransferMeasure

MAX_HEAD = 32 << 10
MAX_REDIRECTS = 5
_READ = 64 << 10


@dataclass(frozen=True, slots=True)
class ProbeOptions:
    """Timing of a probe (seconds) and the upload size."""

    duration: float = 30.0
    warmup: float = 3.0
    window: float = 1.0
    tick: float = 0.1
    connect_timeout: float = 10.0
    stall_timeout: float = 10.0
    upload_bytes: int = 256 << 20
    headers: Mapping[str, str] = field(default_factory=dict)


class ProbeError(Exception):
    """One request failed; the message names the URL and the problem."""


def _endpoint(url: str) -> tuple[str, int, bool, str]:
    split = urlsplit(url)
    if split.scheme not in {"http", "https"} or not split.hostname:
        raise ProbeError(f"{url}: expected an http(s) URL")
    try:
        port = split.port or (443 if split.scheme == "https" else 80)
    except ValueError:
        raise ProbeError(f"{url}: bad port") from None
    path = (split.path or "/") + (f"?{split.query}" if split.query else "")
    return split.hostname, port, split.scheme == "https", path


async def _open(url: str, options: ProbeOptions) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, str, str]:
    host, port, tls, path = _endpoint(url)
    context = ssl.create_default_context() if tls else None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=context, limit=MAX_HEAD), options.connect_timeout
        )
    except (OSError, TimeoutError) as exc:
        raise ProbeError(f"{url}: cannot connect: {exc or 'timeout'}") from None
    return reader, writer, host, path


def _request_head(method: str, host: str, path: str, headers: Mapping[str, str], extra: Mapping[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "User-Agent: ganzhi-netdisk-probe", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in {**headers, **extra}.items() if "\r" not in k + v and "\n" not in k + v]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


async def _read_head(reader: asyncio.StreamReader, url: str, stall: float) -> tuple[int, dict[str, str]]:
    try:
        raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), stall)
    except TimeoutError:
        raise ProbeError(f"{url}: no response head within {stall:g} s") from None
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError) as exc:
        raise ProbeError(f"{url}: bad or missing response head ({type(exc).__name__})") from None
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ProbeError(f"{url}: malformed status line {lines[0][:80]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


class _Counter:
    def __init__(self) -> None:
        self.bytes = 0
        self.started = time.perf_counter()
        self.samples: list[rates.Sample] = [(0.0, 0)]

    def tick(self, counted: int) -> float:
        elapsed = time.perf_counter() - self.started
        self.samples.append((elapsed, counted))
        return elapsed


async def _download_once(url: str, options: ProbeOptions, counter: _Counter, deadline: float) -> str | None:
    """Fetch `url` once (following redirects) into the counter; returns a redirect target or None."""
    reader, writer, host, path = await _open(url, options)
    try:
        writer.write(_request_head("GET", host, path, options.headers, {}))
        status, headers = await _read_head(reader, url, options.stall_timeout)
        if status in {301, 302, 303, 307, 308} and "location" in headers:
            return urljoin(url, headers["location"])
        if status != 200:
            raise ProbeError(f"{url}: server answered {status}")
        length = headers.get("content-length")
        if length is not None and not length.isdigit():
            raise ProbeError(f"{url}: bogus Content-Length {length[:40]!r}")
        left = int(length) if length is not None else None
        while (left is None or left > 0) and time.perf_counter() < deadline:
            timeout = min(options.stall_timeout, max(0.0, deadline - time.perf_counter()) + 0.01)
            try:
                data = await asyncio.wait_for(reader.read(_READ), timeout)
            except TimeoutError:
                if time.perf_counter() >= deadline:
                    break
                raise ProbeError(f"{url}: stalled, no data for {options.stall_timeout:g} s") from None
            except OSError as exc:
                raise ProbeError(f"{url}: connection failed mid-transfer: {exc}") from None
            if not data:
                if left:
                    raise ProbeError(f"{url}: connection closed with {left} bytes still due")
                break
            counter.bytes += len(data)
            if left is not None:
                left -= len(data)
        return None
    finally:
        writer.transport.abort()


async def _sampler(counter: _Counter, tick: float, count: Callable[[], int]) -> None:
    while True:
        await asyncio.sleep(tick)
        counter.tick(count())


async def probe_download(url: str, options: ProbeOptions) -> TransferMeasure:
    """Download `url` repeatedly for `options.duration` seconds."""
    counter = _Counter()
    deadline = counter.started + options.duration
    errors: list[str] = []
    sampler = asyncio.create_task(_sampler(counter, options.tick, lambda: counter.bytes))
    try:
        current, redirects = url, 0
        while time.perf_counter() < deadline:
            try:
                target = await _download_once(current, options, counter, deadline)
            except ProbeError as exc:
                errors.append(str(exc))
                break
            if target is not None:
                redirects += 1
                if redirects > MAX_REDIRECTS:
                    errors.append(f"{url}: more than {MAX_REDIRECTS} redirects")
                    break
                current = target
    finally:
        sampler.cancel()
    counter.tick(counter.bytes)
    return summarise_transfer(counter.samples, options.warmup, options.window, errors)


async def probe_upload(url: str, options: ProbeOptions) -> TransferMeasure:
    """POST random bytes to `url` for `options.duration` seconds, counting acknowledged bytes."""
    counter = _Counter()
    deadline = counter.started + options.duration
    errors: list[str] = []
    pool = memoryview(os.urandom(1 << 20))
    writers: list[asyncio.StreamWriter] = []
    best = [0]

    def acked() -> int:
        """Written minus still buffered (asyncio and kernel), never decreasing."""
        if writers:
            pending = writers[0].transport.get_write_buffer_size() + unacked_bytes(writers[0].get_extra_info("socket"))
            best[0] = max(best[0], counter.bytes - pending)
        return best[0]

    sampler = asyncio.create_task(_sampler(counter, options.tick, acked))
    try:
        _reader, writer, host, path = await _open(url, options)
        writers.append(writer)
        try:
            extra = {"Content-Length": str(options.upload_bytes), "Content-Type": "application/octet-stream"}
            writer.write(_request_head("POST", host, path, options.headers, extra))
            left = options.upload_bytes
            while left > 0 and time.perf_counter() < deadline:
                size = min(len(pool), left, _READ)
                writer.write(pool[:size])
                left -= size
                counter.bytes += size
                timeout = min(options.stall_timeout, max(0.0, deadline - time.perf_counter()) + 0.01)
                try:
                    await asyncio.wait_for(writer.drain(), timeout)
                except TimeoutError:
                    if time.perf_counter() < deadline:
                        errors.append(f"{url}: upload stalled for {options.stall_timeout:g} s")
                    break
        except OSError as exc:
            errors.append(f"{url}: upload failed: {exc}")
        finally:
            counter.tick(acked())
            writer.transport.abort()
    except ProbeError as exc:
        errors.append(str(exc))
    finally:
        sampler.cancel()
    return summarise_transfer(counter.samples, options.warmup, options.window, errors)


def _public(url: str) -> str:
    split = urlsplit(url)
    return f"{split.scheme}://{split.netloc}{split.path}"[:2000]


async def probe(
    url: str, *, tier: Tier, network: str, options: ProbeOptions | None = None, upload_url: str | None = None
) -> NetdiskProbe:
    """A full probe: download, then upload when `upload_url` is given. The query string is not stored."""
    options = options or ProbeOptions()
    started = dt.datetime.now(dt.UTC)
    errors: list[str] = []
    try:
        _endpoint(url)
    except ProbeError as exc:
        errors.append(str(exc))
        return NetdiskProbe(tier=tier, network=network, target=url[:2000] or "?", started_at=started, errors=errors)
    download = await probe_download(url, options)
    upload = await probe_upload(upload_url, options) if upload_url else None
    return NetdiskProbe(
        tier=tier, network=network, target=_public(url), started_at=started, download=download, upload=upload
    )
