"""Request limits: a failed-login limiter and a body-size cap enforced while the body streams in.

The body cap is an ASGI middleware: it refuses a declared `Content-Length` over the limit at once and
counts the bytes of a chunked body as they arrive, so an oversized upload is cut off without being
buffered. Upload routes get their own (larger) limit by path prefix.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class LoginLimiter:
    """At most `attempts` failed logins per key (user name, client address) within `window_s` seconds.

    In-process state: with several server processes each keeps its own count (documented limitation).
    """

    def __init__(self, attempts: int, window_s: float) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        found = self._failures.setdefault(key, deque())
        while found and now - found[0] > self.window_s:
            found.popleft()
        return found

    def retry_after(self, keys: Sequence[str]) -> float:
        """Seconds until another attempt is allowed for every key (0 when allowed now)."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                recent = self._recent(key, now)
                if len(recent) >= self.attempts:
                    wait = max(wait, self.window_s - (now - recent[0]))
        return wait

    def failed(self, keys: Sequence[str]) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, keys: Sequence[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


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
