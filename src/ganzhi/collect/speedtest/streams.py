"""One download or upload TCP stream of a speed test, counting goodput cheaply enough for 2+ Gbit/s.

Download uses a BufferedProtocol that reads into one reused buffer and only counts bytes (no copies).
Upload counts bytes the peer has acknowledged — bytes written minus what still sits in the kernel send
queue (Linux TIOCOUTQ) — so a large socket buffer does not inflate the upload figure on slow links.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import struct
import termios
import time
from typing import Any

from ganzhi.collect.speedtest.server import CHUNK

MAX_RESPONSE_HEAD = 16 << 10
_READ_BUFFER = 256 << 10


def unacked_bytes(sock: Any) -> int:
    """Bytes still in the kernel send queue of `sock` (0 when unknown)."""
    if sock is None:
        return 0
    try:
        raw = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
    except (OSError, ValueError):
        return 0
    return int(struct.unpack("i", raw)[0])


def _parse_status(head: bytes) -> tuple[int, int | None]:
    """Status code and Content-Length of a response head."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ValueError(f"malformed status line {lines[0][:80]!r}")
    length: int | None = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            value = value.strip()
            if not value.isdigit():
                raise ValueError(f"bogus Content-Length {value[:40]!r}")
            length = int(value)
    return int(parts[1]), length


class DownloadStream(asyncio.BufferedProtocol):
    """GETs `/download` repeatedly on one connection until stopped, counting body bytes."""

    def __init__(self, host: str, path: str) -> None:
        self.request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: ganzhi-speedtest\r\n\r\n".encode()
        self.bytes = 0
        self.error: str | None = None
        self.closed = asyncio.get_running_loop().create_future()
        self.last_progress = time.perf_counter()
        self._view = memoryview(bytearray(_READ_BUFFER))
        self._head = bytearray()
        self._left: int | None = None
        self._stopping = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._view

    def buffer_updated(self, nbytes: int) -> None:
        self.last_progress = time.perf_counter()
        if self._left is None:
            self._read_head(nbytes)
            return
        self._count(nbytes)

    def _read_head(self, nbytes: int) -> None:
        self._head += self._view[:nbytes]
        end = self._head.find(b"\r\n\r\n")
        if end < 0:
            if len(self._head) > MAX_RESPONSE_HEAD:
                self._fail(f"response head longer than {MAX_RESPONSE_HEAD} bytes")
            return
        try:
            status, length = _parse_status(bytes(self._head[:end]))
        except ValueError as exc:
            self._fail(f"bad response: {exc}")
            return
        body = len(self._head) - end - 4
        if status != 200:
            snippet = bytes(self._head[end + 4 : end + 204]).decode("utf-8", "replace")
            self._fail(f"server answered {status}: {snippet}")
            return
        if length is None:
            self._fail("response without Content-Length")
            return
        self._head.clear()
        self._left = length
        self._count(body)

    def _count(self, nbytes: int) -> None:
        assert self._left is not None
        self.bytes += nbytes
        self._left -= nbytes
        if self._left <= 0:
            self._left = None
            if not self._stopping and self.transport is not None:
                self.transport.write(self.request)

    def _fail(self, message: str) -> None:
        self.error = message
        if self.transport is not None:
            self.transport.close()

    def stop(self) -> None:
        """Stop counting and close the connection."""
        self._stopping = True
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None and not self._stopping and self.error is None:
            self.error = f"connection lost: {exc}"
        elif exc is None and not self._stopping and self.error is None:
            self.error = "server closed the connection"
        if not self.closed.done():
            self.closed.set_result(None)

    def counted(self) -> int:
        """Body bytes received so far."""
        return self.bytes


class UploadStream:
    """POSTs to `/upload` on one connection until stopped, counting bytes the peer acknowledged."""

    def __init__(self, host: str, port: int, path: str, request_bytes: int, pool: bytes) -> None:
        self.host, self.port, self.path = host, port, path
        self.request_bytes = request_bytes
        self.pool = memoryview(pool)
        self.written = 0
        self._acked = 0
        self.error: str | None = None
        self.last_progress = time.perf_counter()
        self._sock: Any = None
        self._writer: asyncio.StreamWriter | None = None
        self._stopping = False

    def counted(self) -> int:
        """Bytes written minus those still buffered (asyncio, then kernel): what the peer has acknowledged."""
        if self._writer is None:
            return 0
        pending = self._writer.transport.get_write_buffer_size() + unacked_bytes(self._sock)
        self._acked = max(self._acked, self.written - pending)
        return self._acked

    async def run(self, connect_timeout: float, stall_timeout: float) -> None:
        """Upload until `stop()`; errors are recorded in `self.error`, never raised."""
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), connect_timeout)
        except (OSError, TimeoutError) as exc:
            self.error = f"cannot connect to {self.host}:{self.port}: {exc or 'timeout'}"
            return
        self._writer = writer
        self._sock = writer.get_extra_info("socket")
        writer.transport.set_write_buffer_limits(high=4 << 20)
        try:
            while not self._stopping:
                await self._one_request(reader, writer, stall_timeout)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            if not self._stopping:
                self.error = f"upload failed: {type(exc).__name__}: {exc}"
        finally:
            writer.transport.abort()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stall: float) -> None:
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {self.request_bytes}\r\n\r\n"
        )
        writer.write(head.encode())
        left = self.request_bytes
        offset = 0
        pool_size = len(self.pool) - CHUNK
        while left > 0 and not self._stopping:
            size = min(CHUNK, left)
            writer.write(self.pool[offset : offset + size])
            offset = (offset + 1_048_573) % pool_size
            left -= size
            self.written += size
            await asyncio.wait_for(writer.drain(), stall)
            self.last_progress = time.perf_counter()
        if self._stopping:
            return
        raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), stall)
        status, length = _parse_status(raw[:-4])
        body = await asyncio.wait_for(reader.readexactly(min(length or 0, 4096)), stall)
        if status != 200:
            raise ValueError(f"server answered {status}: {body.decode('utf-8', 'replace')[:200]}")
        json.loads(body or b"{}")

    def stop(self) -> None:
        """Stop uploading and drop the connection."""
        self._stopping = True
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.transport.abort()
