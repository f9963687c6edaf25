"""The speed-test page explains its result in plain words under the figures (no click on 诊断 needed)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_web_browser import CHROMIUM, CHROMIUM_ARGS
from web_fixtures import World, build_world, served


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world(tmp_path)
    yield w
    w.client.close()


def test_diagnosis_json_speaks_plain_words_in_the_page_language(world: World) -> None:
    bare = world.client.get("/speedtest/diagnose.json", params={"download_mbps": "93.5", "upload_mbps": "40"})
    (only,) = bare.json()["findings"]
    assert only["text"].startswith("实测下载93.5Mbit/s、上传40.0Mbit/s") and "签约速率" in only["text"]
    slow_nic = world.client.get(
        "/speedtest/diagnose.json",
        params={"download_mbps": "93.5", "contract": "1000", "connection": "wired", "nic_mbps": "100", "lang": "en"},
    )
    texts = [f["text"] for f in slow_nic.json()["findings"]]
    assert any("bottleneck" in t for t in texts), texts
    assert world.client.get("/speedtest/diagnose.json").json() == {"findings": []}
    assert (
        world.client.get("/speedtest/diagnose.json", params={"download_mbps": "1", "connection": "x"}).status_code
        == 422
    )
    script = world.client.get("/speedtest/page.js").text
    assert '"/speedtest/diagnose.json?' in script


def test_page_shows_the_diagnosis_inline_after_a_test(world: World) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright; no browser download needed)")
    shots = Path(tempfile.mkdtemp(prefix="ganzhi-speedtest-shots-"))
    print(f"\nspeed-test screenshots: {shots}")
    with served(world.client.app) as base, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(base_url=base, locale="zh-CN").new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto("/speedtest/")
        assert page.locator("#diagnosis-box").is_hidden()
        page.fill("#streams", "1")
        page.fill("#duration", "3")
        page.click("#start")
        page.wait_for_selector("#diagnosis li", timeout=60_000)
        first = page.inner_text("#diagnosis")
        assert re.search(r"实测下载\d", first) and "签约速率" in first, first
        page.fill("#contract", "100000")
        page.locator("#contract").dispatch_event("change")
        page.locator("#diagnosis li", has_text="仅为签约速率").wait_for()
        page.screenshot(path=str(shots / "speedtest-diagnosis.png"), full_page=True)
        assert not [e for e in errors if "Content Security Policy" in e], errors
        browser.close()
