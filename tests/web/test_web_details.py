"""Detail pages with their history: a campaign (rounds, runs, findings per round, assignments, its 通报,
its audit entries) and a publication (batch number, drafter/approver in Beijing time, hash chain,
audit history); and the dashboard's per-round trend (one point per round of the current campaign)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_fixtures import PASSWORD, World, build_world, token_for

from ganzhi.store import supervision_repo
from ganzhi.store.db import session_scope
from ganzhi.web.security import SESSION_COOKIE


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world(tmp_path)
    today = dt.date.today()
    created = w.client.post(
        "/api/v1/campaigns",
        headers=token_for(w, "admin"),
        json={
            "id": "camp-now",
            "name": "本年度专项行动",
            "starts": (today - dt.timedelta(days=30)).isoformat(),
            "ends": (today + dt.timedelta(days=30)).isoformat(),
            "tasks": ["T11"],
        },
    )
    assert created.status_code in (200, 201), created.text
    with session_scope(w.sessions) as session:
        supervision_repo.add_round(session, "camp-now", name="首轮检查", starts=today - dt.timedelta(days=20))
        supervision_repo.add_round(session, "camp-now", name="第二轮检查", starts=today - dt.timedelta(days=5))
        supervision_repo.add_round(session, "camp-now", name="回头看", starts=today)
        supervision_repo.attach_run(session, "camp-now", 1, w.run_a, actor="test")
        supervision_repo.attach_run(session, "camp-now", 2, w.run_b, actor="test")
    yield w
    w.client.close()


def sign_in(world: World, username: str) -> str:
    world.client.cookies.clear()
    response = world.client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303 and SESSION_COOKIE in world.client.cookies, response.text
    page: str = world.client.get("/account").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_campaign_page_shows_rounds_runs_and_its_history(world: World) -> None:
    sign_in(world, "admin")
    listing = world.client.get("/campaigns").text
    assert 'href="/campaigns/camp-now"' in listing
    page = world.client.get("/campaigns/camp-now")
    assert page.status_code == 200
    html = page.text
    assert len(re.findall(r'<tr class="round-row">', html)) == 3
    assert "首轮检查" in html and "第二轮检查" in html and f'href="/runs/{world.run_a}"' in html
    history = re.findall(r'<tr class="history-row">(.*?)</tr>', html, flags=re.S)
    assert history and "创建专项行动" in history[0] and "admin（监管管理员）" in history[0]
    assert "campaign.create" not in html
    assert world.client.get("/campaigns/nope").status_code == 404


def test_campaign_page_is_scoped_like_the_list(world: World) -> None:
    sign_in(world, "alice")  # ent-a has no assignment in camp-b
    assert world.client.get("/campaigns/camp-b").status_code == 404
    sign_in(world, "bob")
    own = world.client.get("/campaigns/camp-b").text
    assert "Enterprise ent-b" in own and 'class="history-row"' not in own


def test_publication_page_shows_batch_hash_and_history(world: World) -> None:
    csrf = sign_in(world, "inspector")
    made = world.client.post(
        "/publications/draft",
        data={"csrf_token": csrf, "publication_id": "pub-d1", "task": "T11", "kind": "notice", "campaign": "camp-now"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    draft = world.client.get("/publications/pub-d1").text
    assert "待审核" in draft and 'id="hash"></code>' in draft and "起草通报" in draft
    csrf = sign_in(world, "admin")
    assert 'href="/publications/pub-d1"' in world.client.get("/publications").text
    approved = world.client.post("/publications/pub-d1/approve", data={"csrf_token": csrf}, follow_redirects=False)
    assert approved.status_code == 303, approved.text
    html = world.client.get("/publications/pub-d1").text
    batch = re.search(r'<td id="batch">(.*?)</td>', html).group(1)  # type: ignore[union-attr]
    assert re.fullmatch(rf"{dt.date.today().year}年第\d+批，总第\d+批", batch)
    digest = re.search(r'<code id="hash">([0-9a-f]{16,})</code>', html)
    assert digest is not None
    assert 'id="prev-hash">' in html and "审核发布" in html and "起草通报" in html
    assert 'href="/campaigns/camp-now"' in html
    assert "pub-d1" in world.client.get("/campaigns/camp-now").text
    sign_in(world, "alice")
    assert world.client.get("/publications/pub-d1").status_code == 403
    world.client.cookies.clear()
    assert world.client.get("/publications/pub-d1", follow_redirects=False).status_code == 303


def test_dashboard_round_trend_has_one_point_per_round(world: World) -> None:
    sign_in(world, "admin")
    html = world.client.get("/dashboard").text
    raw = html.split('<script id="round-trend-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(raw)
    assert data["campaign_id"] == "camp-now" and len(data["rounds"]) == 3
    found, still_open = data["series"]
    assert len(found["data"]) == len(still_open["data"]) == 3
    assert found["data"][0] > 0 and found["data"][1] > 0 and found["data"][2] == 0
    assert all(o <= f for f, o in zip(found["data"], still_open["data"], strict=True))
    sign_in(world, "shop1")  # an app store sees only the subjects it distributes
    shop = world.client.get("/dashboard").text
    if 'id="round-trend-data"' in shop:
        part = shop.split('<script id="round-trend-data" type="application/json">', 1)[1].split("</script>", 1)[0]
        assert sum(json.loads(part)["series"][0]["data"]) <= sum(found["data"])
