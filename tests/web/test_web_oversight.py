"""Interview and look-back pages: regulators only (scoped in the query layer), user text escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_fixtures import PASSWORD, World, build_world

from ganzhi.accounts import scope as scoped
from ganzhi.accounts import users as accounts
from ganzhi.store import publication_repo, supervision_repo
from ganzhi.store.db import session_scope
from ganzhi.supervision.models import Interview
from ganzhi.web.security import SESSION_COOKIE

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world(tmp_path)
    yield w
    w.client.close()


def sign_in(world: World, username: str) -> str:
    """Sign in through the login form; returns the CSRF token read from a page."""
    world.client.cookies.clear()
    response = world.client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303 and SESSION_COOKIE in world.client.cookies
    page: str = world.client.get("/issues").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _form(csrf: str, interview_id: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": csrf,
        "interview_id": interview_id,
        "enterprise_id": "ent-b",
        "held_on": "2026-03-02",
        "attendees": f"张三, {HOSTILE}",
        "minutes": f"纪要 {HOSTILE}",
        "commitment": f"十五日内整改 {HOSTILE}",
        "commitment_due": "2026-03-17",
    }
    return form | changes


def test_interviews_are_recorded_and_listed_by_regulators_only(world: World) -> None:
    assert world.client.get("/interviews", follow_redirects=False).headers["location"] == "/login"
    csrf = sign_in(world, "inspector")
    assert world.client.post("/interviews", data=_form("", "iv-1")).status_code == 403  # no CSRF token
    made = world.client.post("/interviews", data=_form(csrf, "iv-1"), follow_redirects=False)
    assert made.status_code == 303
    listed = world.client.get("/interviews")
    assert listed.status_code == 200 and 'id="interview-iv-1"' in listed.text
    assert HOSTILE not in listed.text and ESCAPED in listed.text and "2026-03-17" in listed.text
    assert "interview-iv-1" not in world.client.get("/interviews", params={"enterprise": "ent-a"}).text
    again = world.client.post("/interviews", data=_form(csrf, "iv-1"))
    assert again.status_code == 422 and "already exists" in again.text
    early = world.client.post("/interviews", data=_form(csrf, "iv-2", commitment_due="2026-03-01"))
    assert early.status_code == 422 and "before the interview" in early.text
    bad_date = world.client.post("/interviews", data=_form(csrf, "iv-3", held_on="02/03/2026"))
    assert bad_date.status_code == 422 and "02/03/2026" in bad_date.text
    unknown = world.client.post("/interviews", data=_form(csrf, "iv-4", enterprise_id="ent-zz"))
    assert unknown.status_code == 422 and "ent-zz" in unknown.text
    with session_scope(world.sessions) as session:
        assert [i.id for i in supervision_repo.list_interviews(session)] == ["iv-1"]

    csrf = sign_in(world, "alice")
    assert world.client.get("/interviews").status_code == 403
    assert world.client.post("/interviews", data=_form(csrf, "iv-5", enterprise_id="ent-a")).status_code == 403
    with session_scope(world.sessions) as session:
        assert [i.id for i in supervision_repo.list_interviews(session)] == ["iv-1"]


def test_interview_scoping_in_the_query_layer(world: World) -> None:
    now = dt.datetime.now(dt.UTC)
    with session_scope(world.sessions) as session:
        for iid, eid in (("iv-a", "ent-a"), ("iv-b", "ent-b")):
            supervision_repo.save_interview(
                session,
                Interview(
                    id=iid,
                    enterprise_id=eid,
                    held_on=now.date(),
                    attendees=["x"],
                    minutes="m",
                    recorded_by="admin",
                    recorded_at=now,
                ),
            )
        users = {u.username: u for u in accounts.list_users(session)}

        def seen(name: str, enterprise_id: str | None = None) -> list[str]:
            return [i.id for i in scoped.interviews(scoped.Scope(users[name], session), enterprise_id=enterprise_id)]

        assert sorted(seen("admin")) == ["iv-a", "iv-b"] and seen("admin", "ent-a") == ["iv-a"]
        assert seen("alice") == ["iv-a"] and seen("alice", "ent-b") == [] and seen("bob") == ["iv-b"]
        assert seen("shop1") == []
        alice = users["alice"]
        with pytest.raises(scoped.Forbidden):
            scoped.record_interview(
                scoped.Scope(alice, session),
                Interview(
                    id="iv-x",
                    enterprise_id="ent-a",
                    held_on=now.date(),
                    attendees=["x"],
                    minutes="m",
                    recorded_by="alice",
                    recorded_at=now,
                ),
            )


def _hostile_lookback(world: World) -> None:
    line = {
        "fingerprint": "f" * 16,
        "enterprise_id": "ent-b",
        "task": "T11",
        "check_id": "t11_self_start",
        "subject_key": f"app:{HOSTILE}",
        "verdict": "reopened",
        "deadline": "2026-04-01",
        "related": [],
    }
    report = {
        "lookback_id": "lb-1",
        "run_id": world.run_b,
        "counts": {"held": 0, "reopened": 1},
        "per_enterprise": {"ent-b": {"held": 0, "reopened": 1}},
        "lines": [line],
    }
    with session_scope(world.sessions) as session:
        publication_repo.save_lookback(
            session,
            "lb-1",
            run_id=world.run_b,
            actor="inspector",
            at=dt.datetime.now(dt.UTC),
            selection={"tasks": ["T11"]},
            report=report,
        )


def test_lookback_pages_show_the_report_to_regulators_only(world: World) -> None:
    _hostile_lookback(world)
    assert world.client.get("/lookbacks", follow_redirects=False).status_code == 303
    assert world.client.get("/lookbacks/lb-1", follow_redirects=False).status_code == 303
    sign_in(world, "admin")
    listing = world.client.get("/lookbacks")
    assert (
        listing.status_code == 200
        and 'href="/lookbacks/lb-1"' in listing.text
        and "整改不到位，问题复发 1" in listing.text
    )  # the verdict as words (issue 19)
    report = world.client.get("/lookbacks/lb-1?lang=en")
    assert report.status_code == 200 and "Look-backs" in report.text and "t11_self_start" in report.text
    assert HOSTILE not in report.text and ESCAPED in report.text and world.run_b in report.text
    assert world.client.get("/lookbacks/lb-none").status_code == 404
    for user in ("bob", "shop1"):
        sign_in(world, user)
        assert world.client.get("/lookbacks").status_code == 403
        denied = world.client.get("/lookbacks/lb-1")
        assert denied.status_code == 403 and "t11_self_start" not in denied.text
