"""Loopback throughput of the speed-test client on one core (target ≥ 2 Gbit/s), with iperf3 as baseline.

Run: `.venv/bin/python -m benchmarks.speedtest_loopback [--seconds 8]`. The server runs in a child process;
the client process is pinned to one CPU and its CPU time is reported. Writes
benchmarks/results/speedtest_loopback.json. (LibreSpeed warns that loopback figures say nothing about a
real line: this measures the client's own ceiling, not a network.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ganzhi.collect.speedtest.client import ClientOptions, run_speedtest

RESULTS = Path(__file__).resolve().parent / "results"
PORT = 18181


def _iperf3_baseline(seconds: float) -> float | None:
    if shutil.which("iperf3") is None:
        return None
    server = subprocess.Popen(
        ["iperf3", "-s", "-1", "-p", "15301"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        time.sleep(0.5)
        out = subprocess.run(
            ["iperf3", "-c", "127.0.0.1", "-p", "15301", "-t", f"{seconds:g}", "-R", "-J"],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=False,
        )
        return float(json.loads(out.stdout)["end"]["sum_received"]["bits_per_second"]) / 1e6
    except (ValueError, KeyError, subprocess.TimeoutExpired):
        return None
    finally:
        server.kill()
        server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--streams", type=int, default=4)
    args = parser.parse_args(argv)
    cpus = sorted(os.sched_getaffinity(0))
    server_cpus = {cpus[-1]}
    server = subprocess.Popen(
        [sys.executable, "-m", "ganzhi.collect.speedtest.server", "127.0.0.1", str(PORT)],
        preexec_fn=lambda: os.sched_setaffinity(0, server_cpus),  # noqa: PLW1509 - pin before exec
    )
    try:
        time.sleep(1.0)
        os.sched_setaffinity(0, {cpus[0]})
        options = ClientOptions(
            duration=args.seconds, min_duration=args.seconds, streams=args.streams, udp_probes=0, upload=True
        )
        cpu0, wall0 = time.process_time(), time.perf_counter()
        result = asyncio.run(run_speedtest(f"http://127.0.0.1:{PORT}", options))
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    finally:
        server.terminate()
        server.wait(timeout=10)
        os.sched_setaffinity(0, set(cpus))
    baseline = _iperf3_baseline(min(args.seconds, 5.0))
    down = result.download_mbps or 0.0
    up = result.upload_mbps or 0.0
    print(f"client pinned to CPU {cpus[0]}; CPU time {cpu:.2f} s over {wall:.2f} s wall = {cpu / wall:.2f} cores")
    print(f"download {down / 1000:.2f} Gbit/s, upload {up / 1000:.2f} Gbit/s (target ≥ 2 Gbit/s)")
    print(
        "baseline iperf3 -R on loopback: " + (f"{baseline / 1000:.2f} Gbit/s" if baseline else "iperf3 not available")
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "speedtest_loopback.json"
    out.write_text(
        json.dumps(
            {
                "download_mbps": down,
                "upload_mbps": up,
                "client_cores": cpu / wall,
                "target_mbps": 2000,
                "meets_target": down >= 2000 and up >= 2000,
                "baseline": "iperf3 -R loopback",
                "baseline_mbps": baseline,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
