"""The asyncio TCP server lifecycle both probe servers share: bind, track connections, close cleanly.

`close()` stops accepting, cancels every live connection (so a stalled client never holds shutdown up for long)
and waits briefly for them; subclasses implement `_connection` for one client.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from typing import Any

CLOSE_GRACE_S = 2.0


class StreamServer(ABC):
    """Base of the probe servers: one task per connection, all cancelled on close."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The bound TCP port (useful after binding port 0)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("server not started")
        return int(self._server.sockets[0].getsockname()[1])

    async def _bind(self, host: str, port: int, **options: Any) -> int:
        self._server = await asyncio.start_server(self._handle, host, port, **options)
        return self.port

    async def serve_forever(self) -> None:
        """Serve until cancelled."""
        if self._server is None:
            raise RuntimeError("call start() first")
        await self._server.serve_forever()

    async def close(self) -> None:
        """Stop accepting, cancel live connections, wait for them briefly."""
        if self._server is None:
            return
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=CLOSE_GRACE_S)
        with contextlib.suppress(asyncio.CancelledError):
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("connection handler outside a task")
        self._handlers.add(task)
        try:
            await self._connection(reader, writer)
        except asyncio.CancelledError:
            writer.transport.abort()  # the server is closing: drop the client, end this task quietly
        finally:
            self._handlers.discard(task)

    @abstractmethod
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one client."""
