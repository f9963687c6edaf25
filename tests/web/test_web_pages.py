"""The pages of part 2: public portal and 通报, hall finder, speed test, publication workflow, app page,
enterprise portal (self-check, rectification evidence) — and hostile strings escaped on each of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_fixtures import PASSWORD, World, build_world

from ganzhi.demo.halls import write_demo_registry
from ganzhi.store import publication_repo
from ganzhi.store.db import session_scope
from ganzhi.store.repositories import get_issues
from ganzhi.supervision.publications import (
    NoticeRow,
    PublicationBody,
    PublicationKind,
    RankingRow,
    new_draft,
)
from ganzhi.web.security import SESSION_COOKIE

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;"
#: File names lose everything up to a slash, so a hostile file name has none.
HOSTILE_NAME = "<img src=x onerror=alert(1)>"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    halls = tmp_path / "halls.csv"
    w = build_world(tmp_path, config_changes={"halls_file": str(halls), "speedtest_max_download_bytes": 4 << 20})
    write_demo_registry(halls)
    yield w
    w.client.close()


def sign_in(world: World, username: str) -> str:
    """Sign in through the login form; returns the session's CSRF token (read from a page)."""
    world.client.cookies.clear()
    response = world.client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303 and SESSION_COOKIE in world.client.cookies
    page: str = world.client.get("/issues").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _hostile_publication(world: World) -> None:
    body = PublicationBody(
        kind=PublicationKind.NOTICE,
        title_prefix=HOSTILE,
        issuer=HOSTILE,
        intro=HOSTILE,
        notice=[NoticeRow(number=1, app_name=HOSTILE, developer=HOSTILE, source=HOSTILE, version="1", problem=HOSTILE)],
        rankings=[RankingRow(group=HOSTILE, rank=1, name=HOSTILE, score=99.5, detail=HOSTILE)],
    )
    now = dt.datetime.now(dt.UTC)
    with session_scope(world.sessions) as session:
        publication_repo.save_draft(session, new_draft("pub-hostile", body, created_by="inspector", at=now))
        publication_repo.approve(session, "pub-hostile", approver="admin", at=now)


def test_public_portal_shows_published_notice_and_ranking_escaped(world: World) -> None:
    _hostile_publication(world)
    home = world.client.get("/")
    assert home.status_code == 200 and 'href="/notices/pub-hostile"' in home.text and 'id="rankings"' in home.text
    assert "pub-draft-b" not in home.text
    detail = world.client.get("/notices/pub-hostile")
    assert detail.status_code == 200 and "99.5" in detail.text
    for text in (home.text, detail.text):
        assert HOSTILE not in text and ESCAPED in text
    assert world.client.get("/notices/pub-draft-b").status_code == 404  # the public never sees a draft


def test_hall_finder_by_name_code_and_point(world: World) -> None:
    page = world.client.get("/halls", params={"place": "海淀区"})
    assert page.status_code == 200 and 'id="halls"' in page.text and "海淀区示例营业厅" in page.text
    rows = page.text.split('id="halls"', 1)[1].split("</table>", 1)[0].count("<tr>") - 1
    assert rows == 5
    ambiguous = world.client.get("/halls", params={"place": "朝阳区"})
    assert "110105" in ambiguous.text and "220104" in ambiguous.text and 'id="halls"' not in ambiguous.text
    by_point = world.client.get("/halls", params={"place": "31.2304,121.4737"})
    table = by_point.text.split('id="halls"', 1)[1].split("</table>", 1)[0]
    assert "31.2304, 121.4737" in by_point.text and "示例营业厅" in table
    hostile = world.client.get("/halls", params={"place": HOSTILE})
    assert hostile.status_code == 200 and HOSTILE not in hostile.text


def test_speedtest_page_endpoints_and_diagnosis(world: World) -> None:
    page = world.client.get("/speedtest/")
    # The probe's script and style are served as files (the CSP runs no inline script); the endpoints
    # they call are moved under the prefix there.
    assert page.status_code == 200 and "<script>" not in page.text and "<style>" not in page.text
    script = world.client.get("/speedtest/page.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert '"/speedtest/download?' in script.text and '"/download?' not in script.text
    assert world.client.get("/speedtest/page.css").status_code == 200
    assert world.client.get("/speedtest/ping").status_code == 200
    data = world.client.get("/speedtest/download", params={"bytes": 3_000_000}).content
    assert len(data) == 3_000_000 and len(set(data[:4096])) > 200  # random, incompressible
    assert world.client.get("/speedtest/download", params={"bytes": 5 << 20}).status_code == 422
    sent = world.client.post("/speedtest/upload", content=b"\x01" * 1_500_000)
    assert sent.json()["received"] == 1_500_000
    over = world.client.post("/speedtest/upload", content=b"\x01" * (65 << 20))
    assert over.status_code == 413
    diagnosis = world.client.get(
        "/speedtest/diagnose",
        params={"download_mbps": "93.5", "contract": "1000", "connection": "wired", "nic_mbps": "100"},
    )
    assert 'id="findings"' in diagnosis.text and "网卡" in diagnosis.text
    bad = world.client.get("/speedtest/diagnose", params={"download_mbps": "50", "cable_category": HOSTILE})
    assert bad.status_code == 200 and 'class="error"' in bad.text and HOSTILE not in bad.text


def test_publication_workflow_needs_a_second_person(world: World) -> None:
    csrf = sign_in(world, "inspector")
    drafted = world.client.post(
        "/publications/draft",
        data={"publication_id": "pub-web-1", "kind": "notice", "task": "", "campaign": "", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert drafted.status_code == 303
    assert 'id="draft-pub-web-1"' in world.client.get("/publications").text
    assert "pub-web-1" not in world.client.get("/").text  # a draft is not public
    own = world.client.post("/publications/pub-web-1/approve", data={"csrf_token": csrf})
    assert own.status_code == 409 and "different person" in own.text
    no_csrf = world.client.post("/publications/pub-web-1/approve")
    assert no_csrf.status_code == 403
    csrf = sign_in(world, "admin")
    approved = world.client.post("/publications/pub-web-1/approve", data={"csrf_token": csrf}, follow_redirects=False)
    assert approved.status_code == 303
    world.client.cookies.clear()
    public = world.client.get("/")
    assert 'href="/notices/pub-web-1"' in public.text and "总第1批" in public.text
    notice = world.client.get("/notices/pub-web-1")
    assert "com.alpha.app" in notice.text or "Enterprise ent-a" in notice.text
    sign_in(world, "alice")
    assert world.client.get("/publications", follow_redirects=False).status_code == 303  # not for enterprises


def test_enterprise_portal_self_check_and_rectification(world: World) -> None:
    csrf = sign_in(world, "alice")
    portal = world.client.get("/portal")
    assert portal.status_code == 200 and world.issue_a in portal.text and world.issue_b not in portal.text
    checked = world.client.post(
        "/portal/self-check",
        data={"csrf_token": csrf},
        files={"file": (f"{HOSTILE_NAME}.apk", world.apk_s1.read_bytes())},
        follow_redirects=False,
    )
    assert checked.status_code == 303
    world.client.app.state.submissions.wait_idle()  # type: ignore[attr-defined]
    portal = world.client.get("/portal")
    assert "com.gamma.app" in portal.text and "verdict-block" in portal.text and "t11_self_start" in portal.text
    assert HOSTILE_NAME not in portal.text and "&lt;img src=x onerror=alert(1)&gt;.apk" in portal.text
    app_page = world.client.get("/apps/com.gamma.app")
    assert app_page.status_code == 200 and 'class="call-path"' in app_page.text and "onCreate" in app_page.text
    not_apk = world.client.post(
        "/portal/self-check", data={"csrf_token": csrf}, files={"file": ("x.apk", b"not a zip")}
    )
    assert not_apk.status_code == 415
    wrong = world.client.post(
        f"/portal/rectification/{world.issue_a}",
        data={"csrf_token": csrf, "note": "x"},
        files={"file": ("fix.exe", b"MZ")},
    )
    assert wrong.status_code == 415
    moved = world.client.post(
        f"/portal/rectification/{world.issue_a}",
        data={"csrf_token": csrf, "note": HOSTILE},
        files={"file": ("整改报告.pdf", b"%PDF-1.4 rectified")},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    with session_scope(world.sessions) as session:
        assert get_issues(session, fingerprints=[world.issue_a])[0].state.value == "RECTIFYING"
    portal = world.client.get("/portal")
    assert "整改报告.pdf" in portal.text and HOSTILE not in portal.text
    other = world.client.post(
        f"/portal/rectification/{world.issue_b}",
        data={"csrf_token": csrf, "note": "x"},
        files={"file": ("fix.pdf", b"%PDF-1.4")},
    )
    assert other.status_code == 404
    with session_scope(world.sessions) as session:
        assert get_issues(session, fingerprints=[world.issue_b])[0].state.value == "OPEN"
    assert world.client.get("/apps/com.beta.app").status_code == 404  # B's app is not visible to A


def test_store_cannot_self_check_and_public_is_redirected(world: World) -> None:
    assert world.client.get("/portal", follow_redirects=False).status_code == 303
    assert world.client.get("/apps/com.alpha.app", follow_redirects=False).status_code == 303
    csrf = sign_in(world, "shop1")
    refused = world.client.post(
        "/portal/self-check", data={"csrf_token": csrf}, files={"file": ("a.apk", world.apk_s1.read_bytes())}
    )
    assert refused.status_code == 403
