"""The runs, enterprises, audit, campaign and publication lists: SQL filters change the rows, pages
do not overlap, sorting is honoured, bad input is a 422, a provincial regulator sees only its
provinces, and the CSV/XLSX export holds exactly the filtered rows (the shared `listing` helpers);
in Chromium, the enterprise filter changes the rows and the downloaded CSV holds them."""

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
from ganzhi.store import publication_repo, supervision_repo
from ganzhi.store.db import session_scope
from ganzhi.supervision.models import Campaign
from ganzhi.supervision.publications import BEIJING, Publication, PublicationKind, PublicationStatus
from ganzhi.web.security import SESSION_COOKIE


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world(tmp_path)
    with session_scope(w.sessions) as session:
        for eid, province in (("ent-a", "北京"), ("ent-b", "广东"), ("store-1", "北京"), ("store-2", "广东")):
            found = supervision_repo.get_enterprise(session, eid)
            assert found is not None
            supervision_repo.upsert_enterprise(session, found.model_copy(update={"province": province}))
        accounts.create_user(session, "gd", PASSWORD, Role.REGULATOR_INSPECTOR, provinces=["广东"])
    yield w
    w.client.close()


def sign_in(world: World, username: str) -> None:
    world.client.cookies.clear()
    response = world.client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303 and SESSION_COOKIE in world.client.cookies, response.text


def _cells(html: str, row_class: str) -> list[str]:
    """The first cell's text of every row of the list (links unwrapped)."""
    rows = re.findall(rf'<tr class="{row_class}"><td>(.*?)</td>', html, flags=re.S)
    return [re.sub(r"<[^>]+>", "", r).strip() for r in rows]


def _csv_first_column(body: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return [r[0] for r in rows[1:]]


def _total(html: str) -> int:
    return int(re.search(r"共 (\d+) 条", html).group(1))  # type: ignore[union-attr]


def test_enterprise_list_filters_pages_sorts_and_exports_the_filtered_rows(world: World) -> None:
    sign_in(world, "admin")
    everyone = world.client.get("/enterprises?per=500").text
    assert _total(everyone) == 4
    stores = world.client.get("/enterprises?type=app_store").text
    assert _total(stores) == 2 and len(_cells(stores, "enterprise-row")) == 2
    assert set(_cells(stores, "enterprise-row")) < set(_cells(everyone, "enterprise-row"))
    guangdong = world.client.get("/enterprises?province=广东&sort=name&desc=1").text
    names = _cells(guangdong, "enterprise-row")
    assert len(names) == 2 and names == sorted(names, reverse=True)
    first = _cells(world.client.get("/enterprises?per=1&page=1&sort=name").text, "enterprise-row")
    second = _cells(world.client.get("/enterprises?per=1&page=2&sort=name").text, "enterprise-row")
    assert len(first) == len(second) == 1 and first != second
    exported = world.client.get("/enterprises?type=app_store&export=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert sorted(_csv_first_column(exported.content)) == sorted(_cells(stores, "enterprise-row"))
    sheet = load_workbook(io.BytesIO(world.client.get("/enterprises?province=广东&export=xlsx").content)).active
    assert sheet is not None and sorted(str(r[0]) for r in sheet.iter_rows(min_row=2, values_only=True)) == sorted(
        names
    )
    assert world.client.get("/enterprises?type=bank").status_code == 422
    assert world.client.get("/enterprises?sort=uscc_drop").status_code == 422
    assert world.client.get("/enterprises?per=0").status_code == 422


def test_provincial_regulator_lists_and_exports_only_its_province(world: World) -> None:
    sign_in(world, "gd")
    page = world.client.get("/enterprises").text
    assert _total(page) == 2 and 'value="北京"' not in page
    exported = _csv_first_column(world.client.get("/enterprises?export=csv").content)
    assert len(exported) == 2
    assert _total(world.client.get("/enterprises?province=北京").text) == 0


def test_run_list_filters_pages_and_exports_the_filtered_rows(world: World) -> None:
    sign_in(world, "admin")
    everyone = world.client.get("/runs").text
    total = _total(everyone)
    assert total >= 2
    one = world.client.get("/runs?per=1&page=1").text
    two = world.client.get("/runs?per=1&page=2").text
    assert _cells(one, "run-row") and _cells(one, "run-row") != _cells(two, "run-row")
    assert _total(world.client.get("/runs?status=running").text) == 0
    assert _total(world.client.get("/runs?since=2999-01-01").text) == 0
    today = dt.datetime.now(BEIJING).date().isoformat()  # days are Beijing days, as the page prints times
    assert _total(world.client.get(f"/runs?since={today}&until={today}").text) == total
    assert _total(world.client.get("/runs?task=T11").text) == total
    assert _total(world.client.get("/runs?task=T1").text) == 0  # "T1" must not match "T11"
    exported = _csv_first_column(world.client.get("/runs?per=1&export=csv").content)
    assert sorted(exported) == sorted(_cells(everyone, "run-row"))  # the export ignores the page, not the filters
    assert _csv_first_column(world.client.get("/runs?since=2999-01-01&export=csv").content) == []
    assert world.client.get("/runs?since=yesterday").status_code == 422
    assert world.client.get("/runs?task=T99").status_code == 422


def test_audit_log_filters_pages_and_exports_the_filtered_rows(world: World) -> None:
    sign_in(world, "gd")
    sign_in(world, "admin")
    everyone = world.client.get("/audit?per=500").text
    total = _total(everyone)
    assert total >= 2
    mine = world.client.get("/audit?actor=regulator_inspector:gd&per=500").text
    assert 0 < _total(mine) < total
    one = world.client.get("/audit?per=1&page=1").text
    two = world.client.get("/audit?per=1&page=2").text
    assert _cells(one, "audit-row") and re.findall("audit-row.*", one) != re.findall("audit-row.*", two)
    exported = list(
        csv.reader(
            io.StringIO(world.client.get("/audit?actor=regulator_inspector:gd&export=csv").content.decode("utf-8-sig"))
        )
    )
    assert len(exported) - 1 == _total(mine)
    assert _total(world.client.get("/audit?until=2000-01-01").text) == 0
    assert world.client.get("/audit?desc=maybe").status_code == 422
    sign_in(world, "gd")
    assert world.client.get("/audit").status_code == 403


def _seed_campaigns_and_publications(world: World) -> None:
    """Three more campaigns (2022, 2023, 2024) and two more drafts (a 2022 removal notice, a ranking)."""
    now = dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)
    with session_scope(world.sessions) as session:
        for year in (2022, 2023, 2024):
            supervision_repo.save_campaign(
                session,
                Campaign(
                    id=f"camp-{year}",
                    name=f"{year}年专项行动",
                    starts=dt.date(year, 3, 1),
                    ends=dt.date(year, 11, 30),
                    tasks=["T11"],
                    created_at=now,
                ),
            )
        for pid, kind, at in (
            ("pub-removal-2022", PublicationKind.REMOVAL, dt.datetime(2022, 6, 1, tzinfo=dt.UTC)),
            ("pub-ranking", PublicationKind.RANKING, now),
        ):
            publication_repo.save_draft(
                session,
                Publication(
                    id=pid,
                    kind=kind,
                    status=PublicationStatus.DRAFT,
                    created_by="regulator_admin:admin",
                    created_at=at,
                    body={"title": pid},
                ),
            )


def test_campaign_list_filters_by_year_and_search_pages_and_exports(world: World) -> None:
    _seed_campaigns_and_publications(world)
    sign_in(world, "admin")
    everyone = world.client.get("/campaigns").text
    assert _total(everyone) == 4
    only_2023 = world.client.get("/campaigns?year=2023").text
    assert _total(only_2023) == 1 and 'id="campaign-camp-2023"' in only_2023 and "camp-2022" not in only_2023
    assert _total(world.client.get("/campaigns?q=2022年").text) == 1
    first = world.client.get("/campaigns?per=2&page=1&sort=starts").text
    second = world.client.get("/campaigns?per=2&page=2&sort=starts").text
    ids = re.findall(r'id="campaign-([\w-]+)"', first) + re.findall(r'id="campaign-([\w-]+)"', second)
    assert sorted(ids) == sorted(re.findall(r'id="campaign-([\w-]+)"', everyone)) and len(set(ids)) == 4
    exported = _csv_first_column(world.client.get("/campaigns?year=2023&export=csv").content)
    assert exported == ["camp-2023"]
    assert world.client.get("/campaigns?year=23").status_code == 422
    sign_in(world, "bob")  # an enterprise sees only the campaigns it is assigned to
    assert re.findall(r'id="campaign-([\w-]+)"', world.client.get("/campaigns").text) == ["camp-b"]


def test_publication_list_filters_by_kind_status_year_pages_and_exports(world: World) -> None:
    _seed_campaigns_and_publications(world)
    sign_in(world, "admin")
    everyone = world.client.get("/publications").text
    assert _total(everyone) == 3
    removal = world.client.get("/publications?kind=removal").text
    assert _total(removal) == 1 and "pub-removal-2022" in removal.split('id="published"', 1)[1]
    assert _total(world.client.get("/publications?year=2022").text) == 1
    assert _total(world.client.get("/publications?status=approved").text) == 0
    one = world.client.get("/publications?per=1&page=1").text.split('id="published"', 1)[1]
    two = world.client.get("/publications?per=1&page=2").text.split('id="published"', 1)[1]
    assert re.findall(r'href="/notices/([\w.-]+)"', one) != re.findall(r'href="/notices/([\w.-]+)"', two)
    exported = _csv_first_column(world.client.get("/publications?kind=ranking&export=csv").content)
    assert exported == ["pub-ranking"]
    sheet = load_workbook(io.BytesIO(world.client.get("/publications?status=draft&export=xlsx").content)).active
    assert sheet is not None and sheet.max_row - 1 == 3
    assert world.client.get("/publications?kind=poster").status_code == 422


# --- Chromium ------------------------------------------------------------------------------------


@pytest.fixture
def base(world: World) -> Iterator[str]:
    _seed_campaigns_and_publications(world)
    with served(world.client.app) as url:
        yield url


def test_browser_enterprise_filter_changes_rows_and_export_has_them(base: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright; no browser download needed)")
    shots = Path(tempfile.mkdtemp(prefix="ganzhi-lists-shots-"))
    print(f"\nlist screenshots: {shots}")
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
        page.click('nav a[href="/enterprises"]')
        page.wait_for_url(re.compile(r".*/enterprises$"))
        assert page.locator("tr.enterprise-row").count() == 4
        page.screenshot(path=str(shots / "enterprises-all.png"), full_page=True)
        page.select_option("select[name=type]", "app_store")
        page.select_option("select[name=sort]", "name")
        page.select_option("#direction", "1")
        page.click("#filters button[type=submit]")
        page.wait_for_url(re.compile(r".*type=app_store.*"))
        shown = page.locator("tr.enterprise-row td:nth-child(1)").all_inner_texts()
        assert len(shown) == 2 and shown == sorted(shown, reverse=True)
        assert "共 2 条" in page.inner_text("#page-label")
        page.screenshot(path=str(shots / "enterprises-stores.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#export-csv")
        table = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
        assert [r[0] for r in table[1:]] == shown
        for path in ("/runs", "/audit", "/campaigns", "/publications", "/campaigns?year=2023&per=1"):
            page.goto(path)
            assert page.locator("#export-xlsx").count() == 1 and page.locator("#page-label").count() == 1
            name = path.strip("/").replace("?", "-").replace("&", "-").replace("=", "")
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        context.close()
        browser.close()
