"""Verdict lookups on loopback and a 100 MB upload with the server's peak memory.

Starts the server as `ganzhi serve` does (uvicorn, one worker per core, uvloop + httptools when
installed) on a fresh data directory with one app store and one stored verdict, then:
1. drives `GET /api/v1/store/submissions/{sha256}` with `wrk` (C, so the load generator is not the
   bottleneck; a Lua script adds the bearer header) and prints requests/s and p50/p99 latency
   (target ≥ 500 req/s, p99 < 100 ms), next to the baseline measured in the same run:
   `GET /api/v1/checks/{id}` (no database, no auth) — the framework's own floor. Without `wrk`
   (`apt-get install wrk`) it falls back to httpx/asyncio clients and says so;
2. uploads a 100 MB APK-shaped file to `/api/v1/evidence` (kind apk) and prints the server's peak
   RSS before and after (bounded memory: the body streams to disk).
Writes `benchmarks/results/web_verdicts.json`. Run: `python -m benchmarks.web_verdicts`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil  # type: ignore[import-untyped]

PASSWORD = "benchmark-password"
RESULTS = Path(__file__).resolve().parent / "results"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(home: Path) -> tuple[str, str, str]:
    """Migrate, add a store and a regulator, record one verdict; returns (store token, admin token, sha)."""
    os.environ["GANZHI_HOME"] = str(home)
    from ganzhi.accounts import users as accounts
    from ganzhi.accounts.roles import Role
    from ganzhi.appstore import submissions as submission_repo
    from ganzhi.settings import load_settings
    from ganzhi.store.db import make_engine, session_factory, session_scope
    from ganzhi.store.migrate import upgrade

    url = load_settings().database_url
    upgrade(url)
    sessions = session_factory(make_engine(url))
    sha = "ab" * 32
    with session_scope(sessions) as session:
        accounts.create_user(session, "store", PASSWORD, Role.APP_STORE, scope_id="bench-store")
        accounts.create_user(session, "admin", PASSWORD, Role.REGULATOR_ADMIN)
        row = submission_repo.create(
            session,
            store_id="bench-store",
            sha256=sha,
            filename="bench.apk",
            size=1,
            submitted_by="bench",
            callback_url=None,
        )
        row.status, row.verdict = "done", "block"
        row.findings = [{"check_id": "t11_self_start", "status": "FAIL", "severity": "high"}] * 5
        store_token = accounts.issue_token(session, "store", "bench")
        admin_token = accounts.issue_token(session, "admin", "bench")
    return store_token, admin_token, sha


async def load(url: str, headers: dict[str, str], seconds: float, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                errors += response.status_code != 200

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
    }


WRK_CONNECTIONS = 16
WRK_SECONDS = 8


def _ms(text: str) -> float:
    """wrk's latency text (`850.00us`, `12.3ms`, `1.02s`) in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    value, unit = float(match.group(1)), match.group(2)
    return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)


def wrk(url: str, token: str | None, seconds: int, connections: int) -> dict[str, float]:
    """Run wrk (1 thread: the server gets the other core) and parse req/s, p50, p99 and non-2xx answers."""
    script = Path(tempfile.mkdtemp(prefix="ganzhi-wrk-")) / "auth.lua"
    script.write_text(f'wrk.headers["Authorization"] = "Bearer {token}"\n' if token else "", encoding="utf-8")
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\s50%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "requests": total,
        "errors": int(errors.group(1)) if errors else 0,
        "rps": round(rps, 1),
        "p50_ms": _ms(p50),
        "p99_ms": _ms(p99),
    }


def upload(base: str, token: str, size: int, server: psutil.Process) -> dict[str, float]:
    chunk = b"PK\x03\x04" + b"\x00" * ((1 << 20) - 4)

    def body() -> object:
        sent = 0
        yield b'--BOUNDARY\r\nContent-Disposition: form-data; name="kind"\r\n\r\napk\r\n'
        yield b'--BOUNDARY\r\nContent-Disposition: form-data; name="file"; filename="big.apk"\r\n'
        yield b"Content-Type: application/octet-stream\r\n\r\n"
        while sent < size:
            yield chunk
            sent += len(chunk)
        yield b"\r\n--BOUNDARY--\r\n"

    rss_before = max(p.memory_info().rss for p in [server, *server.children(recursive=True)])
    peak = rss_before
    started = time.perf_counter()
    with httpx.Client(timeout=120) as client:
        response = client.post(
            f"{base}/api/v1/evidence",
            content=body(),  # type: ignore[arg-type]
            headers={"Authorization": f"Bearer {token}", "Content-Type": "multipart/form-data; boundary=BOUNDARY"},
        )
        peak = max([peak] + [p.memory_info().rss for p in [server, *server.children(recursive=True)]])
    seconds = time.perf_counter() - started
    status = response.status_code
    peak_hwm = max([_peak_rss(p.pid) or 0 for p in [server, *server.children(recursive=True)]] + [peak])
    return {
        "status": status,
        "seconds": round(seconds, 2),
        "rss_before_mb": round(rss_before / 2**20, 1),
        "peak_rss_mb": round(peak_hwm / 2**20, 1),
        "upload_mb": size / 2**20,
    }


def _peak_rss(pid: int) -> int | None:
    """VmHWM (the process's peak resident set) from /proc, in bytes."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="ganzhi-bench-web-"))
    store_token, admin_token, sha = prepare(home)
    port = free_port()
    env = {**os.environ, "GANZHI_HOME": str(home)}
    from ganzhi.cli.serve import _fast_server

    workers = os.cpu_count() or 1
    fast = _fast_server()
    options = [f"--{name}={value}" for name, value in fast.items()]
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "ganzhi.web.app:app_from_environment",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            *options,
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/api/v1/checks/t11_self_start", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        server = psutil.Process(child.pid)
        seconds, concurrency = WRK_SECONDS, WRK_CONNECTIONS
        verdict_url, baseline_url = f"{base}/api/v1/store/submissions/{sha}", f"{base}/api/v1/checks/t11_self_start"
        tool = "wrk" if shutil.which("wrk") else "httpx"
        if tool == "wrk":
            wrk(verdict_url, store_token, 2, concurrency)  # warm-up: imports, caches, connections
            wrk(baseline_url, None, 2, concurrency)
            baseline = wrk(baseline_url, None, seconds, concurrency)
            verdicts = wrk(verdict_url, store_token, seconds, concurrency)
        else:
            print("wrk not found (apt-get install wrk): measuring with httpx clients, which cap the figure")
            baseline = asyncio.run(load(baseline_url, {}, seconds, concurrency))
            auth = {"Authorization": f"Bearer {store_token}"}
            verdicts = asyncio.run(load(verdict_url, auth, seconds, concurrency))
        big = upload(base, admin_token, 100 << 20, server)
    finally:
        child.terminate()
        child.wait(timeout=30)
    report = {
        "load_generator": tool,
        "server": {"workers": workers, **fast},
        "baseline_checks_lookup": baseline,
        "verdict_lookup": verdicts,
        "upload_100mb": big,
        "concurrency": concurrency,
        "seconds": seconds,
        "targets": {"rps": 500, "p99_ms": 100},
    }
    print(f"load generator: {tool}, {concurrency} connections, {seconds} s; server: {workers} workers {fast}")
    print(f"{'what':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for name, row in (("baseline GET /checks/{id}", baseline), ("verdict GET /submissions", verdicts)):
        print(f"{name:<28}{row['rps']:>10}{row['p50_ms']:>10}{row['p99_ms']:>10}{row['errors']:>8}")
    met = verdicts["rps"] >= 500 and verdicts["p99_ms"] < 100
    print(f"target ≥ 500 req/s with p99 < 100 ms: {'met' if met else 'NOT met'}")
    print(
        f"100 MB upload: HTTP {big['status']} in {big['seconds']} s; server RSS {big['rss_before_mb']} MB before, "
        f"peak {big['peak_rss_mb']} MB"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "web_verdicts.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
