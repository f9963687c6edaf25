"""A local cloud-drive stand-in that throttles per account tier with token buckets (tests and demos).

`GET /file/<name>?bytes=N` serves N random bytes and `POST /upload` sinks a body, both paced by the
bucket of the caller's tier. The tier comes from `Authorization: Bearer <token>` (tokens map to tiers);
an unknown token gets 401. A free tier with a large burst reproduces the classic pattern the probe
must catch: full speed for the first megabytes, then a crawl.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from dataclasses import dataclass, field

from ganzhi.collect.transfer.httpio import (
    HttpError,
    Request,
    error_response,
    json_response,
    read_request,
    response_head,
)
from ganzhi.collect.transfer.stream_server import StreamServer

_CHUNK = 16 << 10
RECEIVE_BUFFER = 64 << 10


@dataclass(frozen=True, slots=True)
class TierPolicy:
    """Sustained rate and burst of one tier, in bytes per second and bytes."""

    rate: float
    burst: float


@dataclass(slots=True)
class TokenBucket:
    """Classic token bucket: `take(n)` waits until n tokens have accrued at `rate` (capped at `burst`)."""

    rate: float
    burst: float
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.burst

    def delay_for(self, amount: float, now: float) -> float:
        """Seconds to wait before `amount` bytes may pass; spends the tokens."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= amount
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    async def take(self, amount: float) -> None:
        """Wait until `amount` bytes may pass."""
        delay = self.delay_for(amount, time.monotonic())
        if delay > 0:
            await asyncio.sleep(delay)


DEFAULT_TIERS: dict[str, TierPolicy] = {
    "free": TierPolicy(rate=100_000, burst=2_000_000),
    "paid": TierPolicy(rate=5_000_000, burst=5_000_000),
}
DEFAULT_TOKENS: dict[str, str] = {"free-token": "free", "paid-token": "paid"}


class ThrottleServer(StreamServer):
    """Serve files and an upload sink paced per tier; one bucket per token, shared by its connections."""

    def __init__(
        self,
        tiers: dict[str, TierPolicy] | None = None,
        tokens: dict[str, str] | None = None,
        *,
        max_file_bytes: int = 1 << 30,
        header_timeout: float = 5.0,
        idle_timeout: float = 10.0,
    ) -> None:
        super().__init__()
        self.tiers = tiers or dict(DEFAULT_TIERS)
        self.tokens = tokens or dict(DEFAULT_TOKENS)
        self.max_file_bytes = max_file_bytes
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self._buckets: dict[str, TokenBucket] = {}
        self._pool = os.urandom(1 << 20)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Bind and return the port."""
        return await self._bind(host, port)

    def _bucket(self, request: Request) -> TokenBucket:
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        tier = self.tokens.get(token)
        if tier is None or tier not in self.tiers:
            raise HttpError(401, "unknown or missing bearer token")
        if token not in self._buckets:
            policy = self.tiers[tier]
            self._buckets[token] = TokenBucket(rate=policy.rate, burst=policy.burst)
        return self._buckets[token]

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:  # a small receive buffer makes upload pacing visible to the client quickly
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        try:
            request = await read_request(reader, max_header_bytes=16 << 10, timeout=self.header_timeout)
            if request is not None:
                await self._route(request, reader, writer)
        except HttpError as exc:
            with contextlib.suppress(ConnectionError):
                writer.write(error_response(exc))
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def _route(self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if request.method == "GET" and request.path.startswith("/file/"):
            bucket = self._bucket(request)
            size = request.int_param("bytes", 256 << 20, minimum=0, maximum=self.max_file_bytes)
            writer.write(response_head(200, {"Content-Type": "application/octet-stream"}, content_length=size))
            left = size
            while left > 0:
                chunk = min(_CHUNK, left)
                await bucket.take(chunk)
                writer.write(memoryview(self._pool)[:chunk])
                left -= chunk
                await asyncio.wait_for(writer.drain(), self.idle_timeout)
        elif (request.method, request.path) == ("POST", "/upload"):
            bucket = self._bucket(request)
            left = request.content_length(self.max_file_bytes)
            while left > 0:
                await bucket.take(min(_CHUNK, left))
                data = await asyncio.wait_for(reader.read(min(_CHUNK, left)), self.idle_timeout)
                if not data:
                    return
                left -= len(data)
            writer.write(json_response(200, {"received": True}))
            await writer.drain()
        else:
            raise HttpError(404, f"no such endpoint {request.method} {request.path[:80]!r}")
