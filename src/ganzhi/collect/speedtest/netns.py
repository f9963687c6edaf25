"""Two Linux network namespaces joined by a veth pair shaped with `tc` (tbf rate; netem delay and loss).

Used by the accuracy benchmark and its test: the speed-test server runs in one namespace, the client in
the other, and iperf3 measures the same link for comparison. Needs root and `ip netns`; `unavailable()`
says why not. Namespaces are named with the process id and always deleted on exit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

CLIENT_ADDR = "10.77.0.1"
SERVER_ADDR = "10.77.0.2"


@dataclass(frozen=True, slots=True)
class ShapedLink:
    """A link shaped the same way in both directions."""

    rate_mbit: float
    delay_ms: float = 0.0
    loss_pct: float = 0.0

    @property
    def label(self) -> str:
        """e.g. `100M`, `100M 20ms 1%`."""
        parts = [f"{self.rate_mbit:g}M"]
        if self.delay_ms:
            parts.append(f"{self.delay_ms:g}ms")
        if self.loss_pct:
            parts.append(f"{self.loss_pct:g}%")
        return " ".join(parts)


def unavailable() -> str | None:
    """Why namespaces cannot be used here, or None when they can."""
    if os.geteuid() != 0:
        return "needs root (ip netns and tc)"
    for tool in ("ip", "tc"):
        if shutil.which(tool) is None:
            return f"`{tool}` not installed (iproute2)"
    probe = f"gzprobe{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True, check=False)
    if made.returncode != 0:
        return f"`ip netns add` failed: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True, check=False)
    return None


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


class NetnsPair:
    """`with NetnsPair(link) as pair:` → `pair.client` / `pair.server` namespaces, deleted afterwards."""

    def __init__(self, link: ShapedLink, tag: str = "") -> None:
        self.link = link
        suffix = f"{os.getpid()}{tag}"
        self.client = f"gzc{suffix}"
        self.server = f"gzs{suffix}"

    def __enter__(self) -> NetnsPair:
        try:
            _ip("netns", "add", self.client)
            _ip("netns", "add", self.server)
            _ip("link", "add", "gzveth0", "netns", self.client, "type", "veth", "peer", "gzveth1", "netns", self.server)
            for ns, dev, addr in ((self.client, "gzveth0", CLIENT_ADDR), (self.server, "gzveth1", SERVER_ADDR)):
                _ip("-n", ns, "addr", "add", f"{addr}/24", "dev", dev)
                _ip("-n", ns, "link", "set", dev, "up")
                _ip("-n", ns, "link", "set", "lo", "up")
                self._shape(ns, dev)
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def _shape(self, ns: str, dev: str) -> None:
        """tbf for the rate; netem (parent of tbf) for delay and loss when the link asks for them."""
        link = self.link
        burst = max(32_000, int(link.rate_mbit * 1e6 / 8 / 250))
        tbf = ["tbf", "rate", f"{link.rate_mbit:g}mbit", "burst", str(burst), "latency", "100ms"]
        commands = [["tc", "qdisc", "add", "dev", dev, "root", *tbf]]
        if link.delay_ms or link.loss_pct:
            netem = ["netem", "limit", "20000"]
            if link.delay_ms:
                netem += ["delay", f"{link.delay_ms / 2:g}ms"]  # half each way: the round trip gets it all
            if link.loss_pct:
                netem += ["loss", f"{link.loss_pct:g}%"]
            commands = [
                ["tc", "qdisc", "add", "dev", dev, "root", "handle", "1:", *netem],
                ["tc", "qdisc", "add", "dev", dev, "parent", "1:", "handle", "2:", *tbf],
            ]
        for args in commands:
            done = subprocess.run(["ip", "netns", "exec", ns, *args], capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(args)}: {done.stderr.strip()}")

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        for ns in (self.client, self.server):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)

    def popen(self, ns: str, argv: Sequence[str]) -> subprocess.Popen[bytes]:
        """Start a background server `argv` inside namespace `ns` (output discarded)."""
        return subprocess.Popen(
            ["ip", "netns", "exec", ns, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def run(self, ns: str, argv: Sequence[str], timeout: float) -> str:
        """Run `argv` in `ns` and return its stdout; RuntimeError with stderr on failure."""
        done = subprocess.run(
            ["ip", "netns", "exec", ns, *argv], capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        return done.stdout
