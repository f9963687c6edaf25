"""Compare the speed-test client with iperf3 on one shaped namespace link (benchmark and test share it)."""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import dataclass

from ganzhi.collect.speedtest.netns import SERVER_ADDR, NetnsPair, ShapedLink

PORT = 18080
IPERF_PORT = 15201


@dataclass(frozen=True, slots=True)
class Comparison:
    """Both tools' figures on one link, Mbit/s; ratio = ours / iperf3."""

    link: str
    ours_down: float
    iperf_down: float
    ours_up: float
    iperf_up: float

    @property
    def ratio_down(self) -> float:
        """Our download over iperf3's reverse-mode result."""
        return self.ours_down / self.iperf_down if self.iperf_down else 0.0

    @property
    def ratio_up(self) -> float:
        """Our upload over iperf3's normal-mode result."""
        return self.ours_up / self.iperf_up if self.iperf_up else 0.0


def iperf3_missing() -> str | None:
    """Why iperf3 cannot be used, or None."""
    return None if shutil.which("iperf3") else "iperf3 not installed (apt-get install -y iperf3)"


def _iperf(pair: NetnsPair, seconds: float, streams: int, reverse: bool) -> float:
    argv = ["iperf3", "-c", SERVER_ADDR, "-p", str(IPERF_PORT), "-t", f"{seconds:g}", "-P", str(streams), "-J"]
    argv += ["-O", "2"]  # omit the first 2 s, like our grace period
    if reverse:
        argv.append("-R")
    out = json.loads(pair.run(pair.client, argv, timeout=seconds + 30))
    return float(out["end"]["sum_received"]["bits_per_second"]) / 1e6


def compare_link(link: ShapedLink, *, seconds: float = 10.0, streams: int = 4, tag: str = "") -> Comparison:
    """Run iperf3 (both directions) and our client on `link`; servers run in the server namespace."""
    with NetnsPair(link, tag) as pair:
        iperf = pair.popen(pair.server, ["iperf3", "-s", "-p", str(IPERF_PORT), "-B", SERVER_ADDR])
        server_cmd = [sys.executable, "-m", "ganzhi.collect.speedtest.server", SERVER_ADDR, str(PORT)]
        ours = pair.popen(pair.server, server_cmd)
        try:
            time.sleep(1.0)
            iperf_down = _iperf(pair, seconds, streams, reverse=True)
            iperf_up = _iperf(pair, seconds, streams, reverse=False)
            client = [sys.executable, "-m", "ganzhi.collect.speedtest.client", f"http://{SERVER_ADDR}:{PORT}"]
            result = json.loads(
                pair.run(pair.client, [*client, f"{seconds:g}", str(streams)], timeout=4 * seconds + 60)
            )
        finally:
            for process in (iperf, ours):
                process.terminate()
                process.wait(timeout=10)
    return Comparison(
        link=link.label,
        ours_down=float(result["download_mbps"] or 0.0),
        iperf_down=iperf_down,
        ours_up=float(result["upload_mbps"] or 0.0),
        iperf_up=iperf_up,
    )
