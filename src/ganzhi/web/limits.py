"""Request limits: a failed-login limiter (per user and address, exponential) and a streamed body-size cap.

The body cap is an ASGI middleware: it refuses a declared `Content-Length` over the limit at once and
counts the bytes of a chunked body as they arrive, so an oversized upload is cut off without being
buffered. Upload routes get their own (larger) limit by path prefix.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(slots=True)
class _Failures:
    count: int
    last: float


class LoginLimiter:
    """Failed-login limits that slow a guesser down without letting anyone lock a user out.

    - per (user name, client address): the first `free_attempts` failures are answered at once; after
      that each failure doubles the wait before this pair may try again (`base_delay_s`, 2×, 4×, …,
      at most `max_delay_s`). The same user from another address is not slowed down at all.
    - per client address, over all user names: at most `client_attempts` failures within the window
      (password spraying from one address).

    Failures are forgotten `window_s` seconds after the last one; a success clears the pair. The
    client address is the real one (`ganzhi.web.security.real_client`), so a client cannot pick it.
    In-process state: with several server processes each keeps its own count (documented limitation);
    at most `max_keys` keys are kept (the oldest are dropped first).
    """

    def __init__(
        self,
        free_attempts: int,
        window_s: float,
        *,
        base_delay_s: float = 2.0,
        max_delay_s: float = 300.0,
        client_attempts: int = 50,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_attempts = free_attempts
        self.window_s = window_s
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.client_attempts = client_attempts
        self.max_keys = max_keys
        self._clock = clock
        self._pairs: dict[tuple[str, str], _Failures] = {}
        self._clients: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _pair_wait(self, pair: tuple[str, str], now: float) -> float:
        found = self._pairs.get(pair)
        if found is None or now - found.last > self.window_s:
            self._pairs.pop(pair, None)
            return 0.0
        if found.count < self.free_attempts:
            return 0.0
        delay = min(self.max_delay_s, self.base_delay_s * float(2 ** min(found.count - self.free_attempts, 62)))
        return max(0.0, found.last + delay - now)

    def _client_recent(self, client: str, now: float) -> deque[float]:
        found = self._clients.setdefault(client, deque())
        while found and now - found[0] > self.window_s:
            found.popleft()
        return found

    def retry_after(self, user: str, client: str) -> float:
        """Seconds until this user name may be tried again from this address (0 when allowed now)."""
        now = self._clock()
        with self._lock:
            wait = self._pair_wait((user, client), now)
            recent = self._client_recent(client, now)
            if len(recent) >= self.client_attempts:
                wait = max(wait, self.window_s - (now - recent[0]))
            if not recent:
                self._clients.pop(client, None)
        return wait

    def failed(self, user: str, client: str) -> None:
        now = self._clock()
        with self._lock:
            pair = (user, client)
            found = self._pairs.get(pair)
            if found is None or now - found.last > self.window_s:
                self._pairs[pair] = _Failures(1, now)
            else:
                found.count += 1
                found.last = now
            self._client_recent(client, now).append(now)
            self._prune(now)

    def succeeded(self, user: str, client: str) -> None:
        with self._lock:
            self._pairs.pop((user, client), None)

    def _prune(self, now: float) -> None:
        if len(self._pairs) > self.max_keys:
            for pair in [p for p, f in self._pairs.items() if now - f.last > self.window_s]:
                del self._pairs[pair]
            for pair in sorted(self._pairs, key=lambda p: self._pairs[p].last)[: len(self._pairs) - self.max_keys]:
                del self._pairs[pair]
        if len(self._clients) > self.max_keys:
            for client in sorted(self._clients, key=lambda c: self._clients[c][-1] if self._clients[c] else 0.0)[
                : len(self._clients) - self.max_keys
            ]:
                del self._clients[client]


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the body passes the limit; an HTTPException so parsers re-raise it as 413."""

    def __init__(self, limit: int, size: int) -> None:
        super().__init__(413, f"request body too large: limit {limit} bytes, got at least {size} bytes")
        self.limit = limit
        self.size = size


class BodyLimitMiddleware:
    """Caps request bodies: `default_limit` bytes, or the limit of the longest matching path prefix."""

    def __init__(self, app: ASGIApp, *, default_limit: int, prefixes: dict[str, int]) -> None:
        self.app = app
        self.default_limit = default_limit
        self.prefixes = sorted(prefixes.items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> int:
        return next((limit for prefix, limit in self.prefixes if path.startswith(prefix)), self.default_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit, int(declared))
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit, seen)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, limit, seen)


async def _too_large(send: Send, limit: int, size: int) -> None:
    body = json.dumps(
        {"detail": f"request body too large: limit {limit} bytes, got at least {size} bytes"}, ensure_ascii=False
    ).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
