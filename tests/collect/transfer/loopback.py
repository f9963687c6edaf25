"""A loopback HTTP listener that counts the connections it accepts (to prove none was attempted)."""

from __future__ import annotations

import socket
import threading
from types import TracebackType


class Listener:
    """Accepts on 127.0.0.1; answers `status` with `body`, or holds the connection silently (`silent=True`)."""

    def __init__(self, *, status: int = 204, body: bytes = b"", silent: bool = False) -> None:
        self.status, self.body, self.silent = status, body, silent
        self.accepts = 0
        self.requests: list[bytes] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.1)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepts += 1
            if self.silent:
                self._held.append(conn)
                continue
            with conn:
                conn.settimeout(2)
                self.requests.append(self._read(conn))
                head = f"HTTP/1.1 {self.status} X\r\nContent-Length: {len(self.body)}\r\nConnection: close\r\n\r\n"
                conn.sendall(head.encode() + self.body)

    @staticmethod
    def _read(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
        return head + b"\r\n\r\n" + rest

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._sock.close()
        for conn in self._held:
            conn.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
