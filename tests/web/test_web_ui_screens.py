"""Judged UI screens on the app page: the overlay picture served as a scope-checked PNG, shown beside the
T4 results, and loaded by Chromium.

A forged cold-start bundle (small, low-contrast close button) is analysed by the real detector, owned by
enterprise A's app `com.alpha.app`, inspected through the ledger and its judged screen kept
(`usecases.ui_pictures.inspect_ui`) in the app's own blob store.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_web_browser import CHROMIUM, CHROMIUM_ARGS
from web_fixtures import PASSWORD, World, build_world, served

from ganzhi.collect.ui.overlay import COLOURS, MAX_SIDE
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.ui import UiEpisode
from ganzhi.store.blobs import BlobStore
from ganzhi.store.db import session_scope
from ganzhi.store.ui_picture_repo import UiPicture, pictures_of
from ganzhi.usecases.ui_pictures import inspect_ui
from ganzhi.web.security import SESSION_COOKIE

ALPHA = Subject(type="app", id="com.alpha.app", version="1.0", name="Alpha")
FAIL_RED = COLOURS["FAIL"]


def ui_evidence(folder: Path, subject: Subject) -> tuple[Evidence, dict[str, Path]]:
    """A forged splash capture (20 dp close button at 1.5:1 contrast, shown after 3 s) analysed for `subject`."""
    from ganzhi.collect.ui.analyze import bundle_evidence
    from ganzhi.collect.ui.detect import Detector
    from ganzhi.collect.ui.paths import DEFAULT_TEMPLATE_DIR
    from ganzhi.forge.ui.scenarios import cold_start

    bundle = cold_start(folder / "alpha-bundle", close_dp=20, contrast=1.5, close_delay_ms=3000)
    found = bundle_evidence(bundle, Detector.default(DEFAULT_TEMPLATE_DIR if DEFAULT_TEMPLATE_DIR.is_dir() else None))
    episode = found.payload(UiEpisode)
    owned = Evidence.of(episode, subject, source=found.source, collected_at=dt.datetime.now(dt.UTC))
    return owned, {episode.bundle: bundle}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, UiPicture, Evidence]]:
    tmp = tmp_path_factory.mktemp("ui-screens")
    built = build_world(tmp)
    evidence, bundles = ui_evidence(tmp, ALPHA)
    blobs = BlobStore(built.settings.blob_dir)  # the blob store the app serves from
    done, kept = inspect_ui([evidence], bundles, built.sessions, blobs, note="ui screens test")
    assert kept.skipped == [] and len(kept.stored) == 1 and done.results
    with session_scope(built.sessions) as session:
        stored = pictures_of(session, "app", ALPHA.id)
    assert len(stored) == 1
    yield built, stored[0], evidence
    built.client.close()


def sign_in(world: World, username: str) -> None:
    world.client.cookies.clear()
    response = world.client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303 and SESSION_COOKIE in world.client.cookies


def _url(picture: UiPicture, package: str = ALPHA.id) -> str:
    return f"/apps/{package}/screens/{picture.id}.png"


def test_route_serves_a_png_with_the_close_control_boxed_where_the_analyser_found_it(
    world: tuple[World, UiPicture, Evidence],
) -> None:
    client_world, picture, evidence = world
    sign_in(client_world, "alice")
    response = client_world.client.get(_url(picture))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    image = np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"))
    episode = evidence.payload(UiEpisode)
    window = episode.ad_windows[0]
    assert window.close is not None and picture.verdict == "FAIL"  # 20 dp at 1.5:1 fails size and contrast
    screen = (episode.device.screen_width_px, episode.device.screen_height_px)
    scale = min(1.0, MAX_SIDE / max(screen))
    assert image.shape[1] == round(screen[0] * scale)
    assert image.shape[0] > round(screen[1] * scale)  # the verdict band below the screenshot
    left, top, right, bottom = (round(v * scale) for v in window.close.bounds)
    middle_x, middle_y = (left + right) // 2, (top + bottom) // 2

    def red(pixels: np.ndarray) -> bool:
        return bool((np.abs(pixels.astype(int) - np.array(FAIL_RED)).sum(axis=-1) <= 6).any())

    margin = 12  # the outline sits a few pixels outside the control
    assert red(image[middle_y, max(0, left - margin) : left + 1]), "left edge of the box"
    assert red(image[middle_y, right : right + margin]), "right edge of the box"
    assert red(image[bottom : bottom + margin, middle_x]), "bottom edge of the box"
    assert not red(image[top + 3 : bottom - 2, left + 3 : right - 2]), "inside the box: the screenshot, not the box"
    assert not red(image[middle_y, : max(0, left - margin)]), "nothing red left of the box on the same row"
    assert picture.facts["close"]["bounds"] == list(window.close.bounds)
    assert (picture.width, picture.height) == (image.shape[1], image.shape[0])


def test_app_page_shows_the_picture_with_verdict_words_and_the_t4_results(
    world: tuple[World, UiPicture, Evidence],
) -> None:
    client_world, picture, _ = world
    sign_in(client_world, "alice")
    page = client_world.client.get("/apps/com.alpha.app").text
    section = page.split('id="screens"', 1)[1]
    tag = re.search(r'<img src="([^"]+)" alt="([^"]+)"', section)
    assert tag is not None and tag.group(1) == _url(picture)
    alt = tag.group(2)
    assert "开屏广告截图" in alt and "不通过（FAIL）" in alt and "右上角" in alt and "短边 20 dp" in alt
    for aspect in ("size", "contrast", "presence"):  # the T4 results beside the picture
        assert f"<code>{aspect}</code>" in section
    assert "关闭控件短边仅20dp" in section
    english = client_world.client.get("/apps/com.alpha.app?lang=en").text
    assert "verdict: fail (FAIL)" in english and "at the top right of the screen" in english
    client_world.client.get("/apps/com.alpha.app?lang=zh")


def test_another_tenant_gets_no_picture(world: tuple[World, UiPicture, Evidence]) -> None:
    client_world, picture, _ = world
    client_world.client.cookies.clear()
    anonymous = client_world.client.get(_url(picture), follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
    for other in ("bob", "shop1"):
        sign_in(client_world, other)
        refused = client_world.client.get(_url(picture))
        assert refused.status_code == 404 and not refused.content.startswith(b"\x89PNG")
        assert client_world.client.get("/apps/com.alpha.app").status_code == 404  # the app page itself
    sign_in(client_world, "alice")
    assert client_world.client.get(_url(picture, "com.beta.app")).status_code == 404  # id under another app
    assert client_world.client.get(f"/apps/com.alpha.app/screens/{picture.id + 999}.png").status_code == 404
    sign_in(client_world, "admin")
    assert client_world.client.get(_url(picture)).status_code == 200  # a national regulator sees every app


def test_browser_shows_the_loaded_picture_and_the_verdict(world: tuple[World, UiPicture, Evidence]) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright; no browser download needed)")
    client_world, picture, _ = world
    shots = Path(tempfile.mkdtemp(prefix="ganzhi-ui-screens-"))
    print(f"\napp page screenshot: {shots}")
    with served(client_world.client.app) as base, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=base, locale="zh-CN")
            context.set_default_timeout(60_000)  # the machine may be busy; nothing here should take long
            page = context.new_page()
            page.goto("/login")
            page.fill("input[name=username]", "alice")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r".*/portal$"), wait_until="commit", timeout=60_000)
            page.goto("/apps/com.alpha.app")
            image = page.locator(f"#screen-{picture.id} img")
            image.wait_for()
            page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle())
            assert image.evaluate("el => el.naturalWidth") == picture.width
            assert image.evaluate("el => el.naturalHeight") == picture.height
            assert "不通过（FAIL）" in (image.get_attribute("alt") or "")
            verdict = page.inner_text(f"#screen-{picture.id} .verdict")
            assert verdict.strip() == "判定: 不通过（FAIL）"
            assert "右上角" in page.inner_text(f"#screen-{picture.id} .close-words")
            page.screenshot(path=str(shots / "app-screens.png"), full_page=True)
        finally:
            browser.close()
