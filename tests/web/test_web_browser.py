"""`ganzhi serve --demo` end to end: the demo platform, then Playwright driving Debian's Chromium headless.

The demo is loaded once into a temporary data directory and served by uvicorn in a thread. The browser
signs in as the demo users, uploads an APK for a self-check and sees its findings, approves the demo's
draft publication, sees it on the public portal and finds the nearest port-out hall. Screenshots are
kept under a temporary directory whose path is printed (`pytest -s` shows it). Without Chromium
(`apt-get install chromium`) or the `playwright` package the browser tests skip and say why.
"""

from __future__ import annotations

import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn

from ganzhi.catalog.loader import default_catalog
from ganzhi.demo.platform import DRAFT_ID, PUBLISHED_ID, demo_apk, load_demo
from ganzhi.settings import Settings
from ganzhi.store.db import make_engine, session_factory, session_scope
from ganzhi.store.migrate import upgrade
from ganzhi.store.publication_repo import list_publications
from ganzhi.store.repositories import get_issues
from ganzhi.web.app import create_app
from ganzhi.web.config import WebConfig

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Demo:
    base: str
    passwords: dict[str, str]
    home: Path
    halls: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    home = tmp_path_factory.mktemp("demo-home")
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'ganzhi.db'}")
    upgrade(settings.database_url)
    config = WebConfig(secret_key="d" * 48, scan_mode="thread", scan_workers=1, halls_file=str(home / "halls.csv"))
    app = create_app(settings, config)
    loaded = load_demo(app.state.sessions, app.state.submissions, home / "halls.csv")
    again = load_demo(app.state.sessions, app.state.submissions, home / "halls.csv")
    assert again.logins == [] and not again.loaded  # a second start loads nothing twice
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start within 30 s"
    yield Demo(f"http://127.0.0.1:{port}", {x.username: x.password for x in loaded.logins}, home, loaded.halls)
    server.should_exit = True
    thread.join(timeout=10)


def test_demo_platform_is_populated(demo: Demo) -> None:
    import httpx

    assert set(demo.passwords) == {"admin", "inspector", "guangdong", "enterprise", "store"} and demo.halls > 100
    with httpx.Client(base_url=demo.base) as client:
        # demo accounts must choose their own password before the API serves them
        refused = client.post("/api/v1/auth/login", json={"username": "admin", "password": demo.passwords["admin"]})
        assert refused.status_code == 403 and refused.json()["detail"].startswith("该账户须先修改初始密码")
        for user in ("admin", "inspector"):
            chosen = f"{user}-own-password-1"
            changed = client.post(
                "/api/v1/auth/password", json={"username": user, "current": demo.passwords[user], "new": chosen}
            )
            assert changed.status_code == 204, changed.text
            demo.passwords[user] = chosen
        token = client.post(
            "/api/v1/auth/login", json={"username": "admin", "password": demo.passwords["admin"]}
        ).json()
        assert token["role"] == "regulator_admin"
        submissions = client.get("/api/v1/store/submissions").json()
        assert submissions[0]["verdict"] == "block" and submissions[0]["package"] == "com.example.video"
        runs = client.get("/api/v1/runs").json()
        assert len(runs) >= 4  # T9 round 1 and 2, the T6/T7 inspection, the store scan
        public = client.get("/").text
        assert f"/notices/{PUBLISHED_ID}" in public and "总第21批" in public and DRAFT_ID not in public
    engine = make_engine(f"sqlite:///{demo.home / 'ganzhi.db'}")
    with session_scope(session_factory(engine)) as session:
        assert {p.id for p in list_publications(session)} == {PUBLISHED_ID, DRAFT_ID}
        tasks_with_issues = {issue.task for issue in get_issues(session)}
    engine.dispose()
    assert tasks_with_issues == {task.id for task in default_catalog().tasks}  # the heatmap shows every task
    with httpx.Client(base_url=demo.base) as client:
        client.post("/api/v1/auth/login", json={"username": "inspector", "password": demo.passwords["inspector"]})
        for path, marker in (("/lookbacks", "lookback-lb-demo-1"), ("/interviews", "iv-demo-1")):
            shown = client.get(path)
            assert shown.status_code == 200 and marker in shown.text, path  # the pages are not empty
    assert "第三方共享清单按SDK逐项列明" in httpx.get(f"{demo.base}/").text  # an approved 典型案例


# --- the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright; no browser download needed)")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="ganzhi-browser-shots-"))
    print(f"\nbrowser screenshots: {folder}")
    return folder


def _page(browser: Browser, demo: Demo) -> Any:
    context = browser.new_context(base_url=demo.base, locale="zh-CN")
    context.set_default_timeout(20_000)
    return context.new_page()


def _sign_in(page: Page, demo: Demo, username: str) -> None:
    """Sign in; the first time, the demo account must choose its own password (forced change)."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo.passwords[username])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(dashboard|portal|account)$"))
    if page.url.endswith("/account"):
        assert "至少 10 位" in page.inner_text("#policy")
        chosen = f"{username}-own-password-1"
        page.fill("input[name=current]", demo.passwords[username])
        page.fill("input[name=new]", chosen)
        page.fill("input[name=again]", chosen)
        page.click("#password-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/(dashboard|portal)$"))
        demo.passwords[username] = chosen


def test_enterprise_uploads_an_apk_for_a_self_check_and_sees_findings(
    browser: Browser, demo: Demo, shots: Path, tmp_path: Path
) -> None:
    page = _page(browser, demo)
    _sign_in(page, demo, "enterprise")
    page.goto("/portal")
    assert "示例视频" in page.inner_text("h1")
    assert page.locator("#own-issues tr").count() > 1  # its T6/T7 issues
    apk = demo_apk(tmp_path / "self-check.apk", package="com.example.video.lite")
    page.set_input_files("#self-check input[type=file]", str(apk))
    page.click("#self-check button[type=submit]")
    page.wait_for_selector("#self-checks td.verdict-block", timeout=120_000)
    text = page.inner_text("#self-checks")
    assert "com.example.video.lite" in text and "无合理场景不得自启动" in text and "onCreate" in text
    page.screenshot(path=str(shots / "1-self-check.png"), full_page=True)
    page.goto("/apps/com.example.video.lite")
    assert page.locator("ol.call-path li").count() >= 2
    page.screenshot(path=str(shots / "2-app-findings.png"), full_page=True)
    page.context.close()


def test_admin_approves_the_draft_and_the_public_sees_it(browser: Browser, demo: Demo, shots: Path) -> None:
    page = _page(browser, demo)
    _sign_in(page, demo, "admin")
    page.goto("/publications")
    page.click(f"#draft-{DRAFT_ID} button[type=submit]")
    page.wait_for_url(re.compile(r".*/publications$"))
    assert page.locator(f"#draft-{DRAFT_ID}").count() == 0 and DRAFT_ID in page.inner_html("#published")
    page.screenshot(path=str(shots / "3-approved.png"), full_page=True)
    page.context.close()
    public = _page(browser, demo)
    public.goto("/")
    assert public.locator(f'a[href="/notices/{DRAFT_ID}"]').count() == 1
    assert "总第22批" in public.inner_text("#publications")
    public.click(f'a[href="/notices/{PUBLISHED_ID}"]')
    assert "示例视频" in public.inner_text("#notice")
    public.screenshot(path=str(shots / "4-public-notice.png"), full_page=True)
    public.goto("/?lang=en")
    assert "Published notices" in public.inner_text("main")
    public.context.close()


def test_public_finds_the_nearest_port_out_hall(browser: Browser, demo: Demo, shots: Path) -> None:
    page = _page(browser, demo)
    page.goto("/halls")
    page.fill("input[name=place]", "海淀区")
    page.click("#hall-form button[type=submit]")
    page.wait_for_selector("#halls")
    first = page.locator("#halls tr").nth(1).inner_text()
    assert "示例营业厅" in first
    page.screenshot(path=str(shots / "5-halls.png"), full_page=True)
    page.goto("/speedtest/")
    assert page.locator("#start").count() == 1
    page.context.close()


#: Words that must not show in the Chinese view: enum names, role ids and the English headers of old.
ENGLISH_LEFTOVERS = re.compile(
    r"\b(OPEN|RECTIFYING|FIXED|VERIFIED|REOPENED|WAIVED|FALSE_POSITIVE|finished|running|regulator_admin|"
    r"regulator_inspector|app_store|run|note|stats|package|findings|campaign|hash|kind)\b"
)
#: The main pages of each role (the enterprise works in its portal, the store in its workspace).
ROLE_PAGES = {
    "admin": [
        "/dashboard",
        "/issues",
        "/runs",
        "/enterprises",
        "/campaigns",
        "/publications",
        "/audit",
        "/complaints",
        "/practices",
        "/interviews",
        "/lookbacks",
        "/checks",
    ],
    "guangdong": ["/dashboard", "/issues", "/enterprises"],
    "enterprise": ["/portal", "/issues", "/runs"],
    "store": ["/dashboard", "/issues"],
}


def test_dashboard_heatmap_draws_and_a_cell_opens_its_queue(browser: Browser, demo: Demo, shots: Path) -> None:
    page = _page(browser, demo)
    _sign_in(page, demo, "inspector")
    page.goto("/dashboard")
    page.wait_for_selector("#heatmap[data-drawn] canvas")
    assert int(page.get_attribute("#heatmap", "data-drawn") or 0) >= 10  # every task has issues in the demo
    coloured = page.evaluate(
        """() => {
          const c = document.querySelector('#heatmap canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 0 && d[i] > 150 && d[i + 2] < 120) n++; }
          return n;
        }"""
    )
    assert coloured > 500, f"the heatmap canvas has {coloured} coloured pixels"
    page.screenshot(path=str(shots / "6-dashboard.png"), full_page=True)
    page.goto("/issues?task=T9&state=active")
    t9 = page.locator("tr.issue-row").count()
    page.select_option("#filters select[name=task]", "T1")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r".*task=T1.*"))
    t1 = page.locator("tr.issue-row").count()
    assert t9 > 0 and t1 > 0 and page.locator("tr.issue-row", has_text="T9").count() == 0
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = download.value.path().read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(rows) - 1 == int(re.search(r"共 (\d+) 条", page.inner_text("#page-label")).group(1))  # type: ignore[union-attr]
    assert all("T1" in row for row in rows[1:])
    page.context.close()


def test_main_pages_of_each_role_are_chinese(browser: Browser, demo: Demo, shots: Path) -> None:
    for username, paths in ROLE_PAGES.items():
        page = _page(browser, demo)
        _sign_in(page, demo, username)
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status == 200, (username, path)
            page.screenshot(path=str(shots / f"role-{username}{path.replace('/', '-')}.png"), full_page=True)
            shown = page.inner_text("main")
            leftovers = sorted(set(ENGLISH_LEFTOVERS.findall(shown)))
            assert not leftovers, (username, path, leftovers)
        page.context.close()
