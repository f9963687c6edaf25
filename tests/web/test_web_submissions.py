"""The store submissions list: scope (store's own, provincial regulator's provinces), SQL filters, search,
paging, an export of exactly the filtered rows, a detail page with findings and history, and the same in
Chromium (filters change the rows; the downloaded CSV holds the rows on the page)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_web_browser import CHROMIUM, CHROMIUM_ARGS
from web_fixtures import PASSWORD, World, build_world, served

from ganzhi.accounts import users as accounts
from ganzhi.accounts.roles import Role
from ganzhi.store import supervision_repo
from ganzhi.store.db import session_scope
from ganzhi.store.web_tables import SubmissionRow
from ganzhi.web import audit
from ganzhi.web.security import SESSION_COOKIE

T0 = dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)  # 10:00 Beijing
FINDING = {
    "check_id": "t11_pi_before_consent",
    "task": "T11",
    "requirement_ids": ["T11.1"],
    "status": "FAIL",
    "severity": "high",
    "title": {"zh": "同意前收集个人信息", "en": "collects PI before consent"},
    "message": {"zh": "启动即读取设备标识", "en": "reads the device id at start"},
    "data": {},
    "fingerprint": "f" * 64,
}
#: (store, package, app name, status, verdict, days after T0)
ROWS = [
    ("store-1", "com.alpha.video", "阿尔法视频", "done", "block", 0),
    ("store-1", "com.alpha.shop", "阿尔法商城", "done", "pass", 1),
    ("store-1", "com.alpha.news", "阿尔法资讯", "done", "review", 2),
    ("store-1", "com.alpha.game", "阿尔法游戏", "error", None, 3),
    ("store-2", "com.beta.video", "贝塔视频", "done", "block", 4),
    ("store-2", "com.beta.map", "贝塔地图", "queued", None, 5),
    ("store-2", "com.beta.bank", "贝塔银行", "done", "pass", 6),
]


def _sha(n: int) -> str:
    return f"{n:064x}"


def seed(world: World) -> None:
    """Seven submissions of two stores (store-1 in 北京, store-2 in 广东) and a Guangdong regulator."""
    with session_scope(world.sessions) as session:
        for store_id, province in (("store-1", "北京"), ("store-2", "广东")):
            found = supervision_repo.get_enterprise(session, store_id)
            assert found is not None
            supervision_repo.upsert_enterprise(session, found.model_copy(update={"province": province}))
        accounts.create_user(session, "gd", PASSWORD, Role.REGULATOR_INSPECTOR, provinces=["广东"])
        for n, (store, package, name, status, verdict, days) in enumerate(ROWS, start=1):
            at = T0 + dt.timedelta(days=days)
            session.add(
                SubmissionRow(
                    store_id=store,
                    sha256=_sha(n),
                    filename=f"{package}.apk",
                    size=1000 + n,
                    status=status,
                    verdict=verdict,
                    package=package,
                    version_name="1.0",
                    app_name=name,
                    findings=[FINDING] if verdict in ("block", "review") else [],
                    submitted_by=f"app_store:{store}",
                    created_at=at,
                    finished_at=at + dt.timedelta(minutes=3) if status == "done" else None,
                )
            )
        store1 = accounts.authenticate(session, "shop1", PASSWORD)
        assert store1 is not None
        audit.record(session, store1, "store.submit", f"submission:{_sha(1)}", {"filename": "com.alpha.video.apk"})


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world(tmp_path)
    seed(w)
    yield w
    w.client.close()


def sign_in(world: World, username: str) -> None:
    world.client.cookies.clear()
    response = world.client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303 and SESSION_COOKIE in world.client.cookies, response.text


def packages(html: str) -> list[str]:
    return re.findall(r"<td><code>(com\.[a-z.]+)</code></td>", html)


def test_scope_store_sees_its_own_provincial_regulator_its_provinces(world: World) -> None:
    sign_in(world, "shop1")
    page = world.client.get("/submissions").text
    assert sorted(packages(page)) == sorted(r[1] for r in ROWS if r[0] == "store-1")
    assert "仅本单位" in page
    assert world.client.get(f"/submissions/store-2/{_sha(5)}").status_code == 404
    sign_in(world, "gd")
    page = world.client.get("/submissions").text
    assert sorted(packages(page)) == sorted(r[1] for r in ROWS if r[0] == "store-2") and "仅广东" in page
    sign_in(world, "alice")  # an enterprise sees only its own self-checks (none here)
    assert packages(world.client.get("/submissions").text) == []


def test_filters_search_paging_and_export_are_the_same_rows(world: World) -> None:
    sign_in(world, "admin")
    client = world.client
    assert len(packages(client.get("/submissions").text)) == len(ROWS)
    blocked = packages(client.get("/submissions?verdict=block").text)
    assert sorted(blocked) == ["com.alpha.video", "com.beta.video"]
    assert packages(client.get("/submissions?store=store-2&verdict=block").text) == ["com.beta.video"]
    assert packages(client.get("/submissions?status=error").text) == ["com.alpha.game"]
    assert packages(client.get("/submissions?q=贝塔银").text) == ["com.beta.bank"]
    assert sorted(packages(client.get("/submissions?q=video").text)) == ["com.alpha.video", "com.beta.video"]
    # Beijing dates, both ends inclusive: T0 + 1 and + 2 days
    assert sorted(packages(client.get("/submissions?since=2026-11-03&until=2026-11-04").text)) == [
        "com.alpha.news",
        "com.alpha.shop",
    ]
    first = client.get("/submissions?per=3").text
    second = client.get("/submissions?per=3&page=2").text
    assert "第 1 / 3 页，共 7 条" in first and not set(packages(first)) & set(packages(second))
    exported = client.get("/submissions?verdict=block&export=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][:4] == ["提交时间", "应用商店/企业", "应用", "包名"]
    assert sorted(r[3] for r in table[1:]) == sorted(blocked)
    book = load_workbook(io.BytesIO(client.get("/submissions?store=store-1&export=xlsx").content))
    sheet = book.worksheets[0]
    assert sorted(str(r[3]) for r in sheet.iter_rows(min_row=2, values_only=True)) == sorted(
        r[1] for r in ROWS if r[0] == "store-1"
    )
    for bad in ("verdict=maybe", "status=x", "since=yesterday", "per=100000", "export=pdf"):
        assert client.get(f"/submissions?{bad}").status_code == 422, bad


def test_detail_page_has_findings_and_history(world: World) -> None:
    sign_in(world, "admin")
    page = world.client.get(f"/submissions/store-1/{_sha(1)}")
    assert page.status_code == 200
    text = page.text
    assert "同意前收集个人信息" in text and "不予上架" in text and "应用商店提交检测" in text
    assert "提交检测" in text and "检测完成" in text and "2026-11-02 10:00" in text
    assert world.client.get(f"/submissions/store-1/{_sha(99)}").status_code == 404


# --- Chromium ------------------------------------------------------------------------------------


@pytest.fixture
def base(world: World) -> Iterator[str]:
    with served(world.client.app) as url:
        yield url


def test_browser_filters_change_rows_and_export_has_them(base: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright; no browser download needed)")
    shots = Path(tempfile.mkdtemp(prefix="ganzhi-submissions-shots-"))
    print(f"\nsubmissions screenshots: {shots}")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base, locale="zh-CN", accept_downloads=True)
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/dashboard$"))
        page.click('nav a[href="/submissions"]')
        page.wait_for_url(re.compile(r".*/submissions$"))
        assert page.locator("tr.submission-row").count() == len(ROWS)
        page.screenshot(path=str(shots / "submissions-all.png"), full_page=True)
        page.select_option("select[name=verdict]", "block")
        page.click("#filters button[type=submit]")
        page.wait_for_url(re.compile(r".*verdict=block.*"))
        shown = sorted(page.locator("tr.submission-row td:nth-child(4)").all_inner_texts())
        assert shown == ["com.alpha.video", "com.beta.video"]
        page.screenshot(path=str(shots / "submissions-block.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#export-csv")
        table = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
        assert sorted(r[3] for r in table[1:]) == shown
        page.click("tr.submission-row a >> nth=0")
        page.wait_for_url(re.compile(r".*/submissions/store-\d/[0-9a-f]{64}$"))
        assert page.locator("#submission-findings tr.finding-row").count() == 1
        page.screenshot(path=str(shots / "submission-detail.png"), full_page=True)
        context.close()
        browser.close()
