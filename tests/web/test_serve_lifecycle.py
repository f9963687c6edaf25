"""Process lifecycle of `ganzhi serve`: scan workers die with the server, a restart gets the port back.

The server runs as a real subprocess on a free loopback port with scans in child processes (the
default `scan_mode=process`). After one APK was scanned the scan workers exist; `kill -9` of the server
must leave no process behind (none holding the listening socket), so the same port can be served
again at once; SIGTERM must stop everything within the configured bound.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from web_fixtures import PASSWORD, forged_apk

from ganzhi.accounts import users as accounts
from ganzhi.accounts.roles import Role
from ganzhi.store.db import make_engine, session_factory, session_scope
from ganzhi.store.migrate import upgrade

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")

#: Seconds the server gets to come up / its processes to vanish (generous on a shared 2-core machine).
START_S = 60.0
GONE_S = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "ganzhi", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited with {server.returncode}: {log.read_text(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/me", timeout=2.0).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError(f"server did not answer within {START_S} s: {log.read_text(errors='replace')}")


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process from /proc, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def descendants(root: int) -> list[int]:
    """Every live descendant of `root` (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            parents.setdefault(found[1], []).append(int(entry.name))
    result, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            result.append(child)
            todo.append(child)
    return result


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except FileNotFoundError:
        return "(gone)"


def wait_gone(pids: list[int], timeout_s: float) -> list[int]:
    deadline = time.monotonic() + timeout_s
    alive = pids
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if (found := _stat(pid)) is not None and found[0] != "Z"]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


@pytest.fixture
def home(tmp_path: Path) -> tuple[dict[str, str], str]:
    home = tmp_path / "home"
    url = f"sqlite:///{home / 'ganzhi.db'}"
    home.mkdir()
    upgrade(url)
    engine = make_engine(url)
    with session_scope(session_factory(engine)) as session:
        accounts.create_user(session, "shop", PASSWORD, Role.APP_STORE, scope_id="store-1")
        token = accounts.issue_token(session, "shop", "lifecycle", ttl=None)
    engine.dispose()
    env = dict(os.environ)
    env.update(
        GANZHI_HOME=str(home),
        GANZHI_WEB_SCAN_WORKERS="2",
        GANZHI_WEB_SCAN_MODE="process",
        GANZHI_WEB_SHUTDOWN_TIMEOUT_S="3",
        PYTHONUNBUFFERED="1",
    )
    env.pop("GANZHI_DATABASE_URL", None)
    return env, token


def scan_one(port: int, token: str, apk: Path) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{port}/api/v1/store/submissions"
    with apk.open("rb") as handle:
        sent = httpx.post(base, headers=headers, files={"file": (apk.name, handle)}, timeout=30.0)
    assert sent.status_code in (200, 202), sent.text
    sha = sent.json()["sha256"]
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        status = httpx.get(f"{base}/{sha}", headers=headers, timeout=10.0).json()["status"]
        if status in ("done", "error"):
            assert status == "done"
            return
        time.sleep(0.2)
    raise AssertionError("scan did not finish")


def test_kill_9_leaves_no_worker_and_the_port_is_served_again(home: tuple[dict[str, str], str], tmp_path: Path) -> None:
    env, token = home
    port = free_port()
    log = tmp_path / "serve.log"
    server = start_server(env, port, log)
    try:
        scan_one(port, token, forged_apk(tmp_path / "one.apk", "com.lifecycle.one"))
        children = descendants(server.pid)
        assert children, "the scan should have started worker processes"
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        left = wait_gone(children, GONE_S)
        assert not left, f"orphaned after kill -9: {[cmdline(p) for p in left]}"
        assert port_is_free(port), "something still holds the listening port"
    finally:
        if server.poll() is None:
            server.kill()
    again = start_server(env, port, log)  # the same port, at once
    try:
        scan_one(port, token, forged_apk(tmp_path / "two.apk", "com.lifecycle.two"))
        children = descendants(again.pid)
        assert children
        started = time.monotonic()
        again.send_signal(signal.SIGTERM)
        again.wait(20)
        assert time.monotonic() - started < 20
        assert not wait_gone(children, GONE_S)
        assert port_is_free(port)
    finally:
        if again.poll() is None:
            again.kill()
