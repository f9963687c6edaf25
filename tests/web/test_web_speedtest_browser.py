"""The browser speed test measures like `ganzhi speedtest run`: on one tc-shaped namespace link, Debian's
Chromium on the web platform's page and the CLI's client agree within 5 % in both directions.

The server namespace runs the web platform (uvicorn) and the CLI's probe server; the client namespace
runs Chromium (through a wrapper that enters the namespace) and the CLI client. Needs root, iproute2,
Chromium and the playwright package; skips and says which is missing otherwise.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from ganzhi.collect.speedtest.netns import SERVER_ADDR, NetnsPair, ShapedLink, unavailable
from ganzhi.store.migrate import upgrade

CHROMIUM = Path("/usr/bin/chromium")
WEB_PORT = 18524
PROBE_PORT = 18080
#: Link rate of the test (Mbit/s): fast enough to need several streams, slow enough for 2 shared cores.
RATE_MBIT = 100
SECONDS = 10
STREAMS = 4


def _wait_for_port(pair: NetnsPair, port: int, deadline_s: float = 30) -> None:
    probe = f"import socket; socket.create_connection(('{SERVER_ADDR}', {port}), timeout=1).close()"
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            pair.run(pair.client, [sys.executable, "-c", probe], timeout=5)
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_browser_speed_test_agrees_with_the_cli_on_a_shaped_link(tmp_path: Path) -> None:
    reason = unavailable()
    if reason:
        pytest.skip(f"network namespaces not usable here: {reason}")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    home = tmp_path / "home"
    upgrade(f"sqlite:///{home / 'ganzhi.db'}")
    with NetnsPair(ShapedLink(RATE_MBIT), "w") as pair:
        web = pair.popen(
            pair.server,
            [
                "env",
                f"GANZHI_HOME={home}",
                f"PATH={os.environ.get('PATH', '')}",
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "ganzhi.web.app:app_from_environment",
                "--host",
                SERVER_ADDR,
                "--port",
                str(WEB_PORT),
                "--log-level",
                "warning",
            ],
        )
        probe = pair.popen(
            pair.server, [sys.executable, "-m", "ganzhi.collect.speedtest.server", SERVER_ADDR, str(PROBE_PORT)]
        )
        try:
            _wait_for_port(pair, WEB_PORT)
            _wait_for_port(pair, PROBE_PORT)
            client = [sys.executable, "-m", "ganzhi.collect.speedtest.client", f"http://{SERVER_ADDR}:{PROBE_PORT}"]
            cli = json.loads(pair.run(pair.client, [*client, str(SECONDS), str(STREAMS)], timeout=4 * SECONDS + 60))
            wrapper = tmp_path / "chromium-in-netns"
            wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {pair.client} {CHROMIUM} "$@"\n', encoding="utf-8")
            wrapper.chmod(0o755)
            with sync_api.sync_playwright() as driver:
                browser = driver.chromium.launch(
                    executable_path=str(wrapper), args=["--headless", "--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page()
                page.goto(f"http://{SERVER_ADDR}:{WEB_PORT}/speedtest/")
                assert page.locator("header").count() == 1  # the site's header stays on the page
                page.click("#start")  # the defaults: 4 streams, 10 s per direction
                page.wait_for_selector('#status:has-text("done")', timeout=120_000)
                shown = json.loads(page.text_content("#json") or "{}")
                assert page.locator("#curve").count() == 1 and "上传" in page.inner_text("#summary")
                page.screenshot(path=str(tmp_path / "speedtest.png"), full_page=True)
                browser.close()
        finally:
            for process in (web, probe):
                process.terminate()
                process.wait(timeout=10)
    print(f"\nbrowser {shown} / cli down {cli['download_mbps']:.1f} up {cli['upload_mbps']:.1f} Mbit/s")
    for key in ("download_mbps", "upload_mbps"):
        assert shown[key] == pytest.approx(cli[key], rel=0.05), (key, shown[key], cli[key])
