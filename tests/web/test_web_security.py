"""Sessions, CSRF, API tokens, login rate limiting and escaping of hostile strings in pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_fixtures import PASSWORD, World, build_world, token_for

from ganzhi.accounts import users as accounts
from ganzhi.accounts.credentials import hash_password, verify_password
from ganzhi.store.db import session_scope
from ganzhi.web.security import SESSION_COOKIE


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world(tmp_path, config_changes={"login_attempts": 3})
    yield w
    w.client.close()


def test_passwords_and_tokens_are_hashed_at_rest(world: World) -> None:
    stored = hash_password("a-long-password")
    assert stored.startswith("scrypt$") and "a-long-password" not in stored
    assert verify_password("a-long-password", stored) and not verify_password("a-long-passwore", stored)
    with pytest.raises(ValueError, match="at least 10"):
        hash_password("short")
    headers = token_for(world, "alice")
    token = headers["Authorization"].split()[1]
    raw = world.settings.home / "ganzhi.db"
    assert token.encode() not in raw.read_bytes() and PASSWORD.encode() not in raw.read_bytes()
    assert world.client.get("/api/v1/me", headers=headers).json()["scope_id"] == "ent-a"
    with session_scope(world.sessions) as session:
        assert accounts.revoke_tokens(session, "alice") == 1
    assert world.client.get("/api/v1/me", headers=headers).status_code == 401
    assert world.client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_session_cookie_needs_csrf_for_state_changes(world: World) -> None:
    login = world.client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
    assert login.status_code == 200 and SESSION_COOKIE in world.client.cookies
    csrf = login.json()["csrf_token"]
    url = f"/api/v1/issues/{world.issue_a}/transitions"
    body = {"to": "RECTIFYING", "reason": "整改中"}
    refused = world.client.post(url, json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert world.client.post(url, json=body, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert world.client.post(url, json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    page_form = world.client.post(f"/issues/{world.issue_a}/move", data={"to": "FIXED", "reason": "x"})
    assert page_form.status_code == 403
    world.client.cookies.set(SESSION_COOKIE, world.client.cookies[SESSION_COOKIE][:-2] + "xx")
    assert world.client.get("/api/v1/me").json()["role"] == "public"  # a tampered cookie is no session


def test_login_is_rate_limited(world: World) -> None:
    for _ in range(3):
        wrong = world.client.post("/api/v1/auth/login", json={"username": "bob", "password": "not-the-password"})
        assert wrong.status_code == 401
    limited = world.client.post("/api/v1/auth/login", json={"username": "bob", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    page = world.client.post("/login", data={"username": "bob", "password": PASSWORD})
    assert page.status_code == 429


def test_login_page_signs_in_and_pages_escape_hostile_strings(world: World) -> None:
    hostile = '<script>alert("x")</script>'
    shop = token_for(world, "shop1")
    response = world.client.post(
        "/api/v1/store/submissions", headers=shop, files={"file": (f"{hostile}.apk", world.apk_s1.read_bytes())}
    )
    assert response.status_code == 202
    world.client.app.state.submissions.wait_idle()  # type: ignore[attr-defined]
    form = world.client.post("/login", data={"username": "admin", "password": PASSWORD}, follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"] == "/dashboard"
    dashboard = world.client.get("/dashboard")
    assert dashboard.status_code == 200
    assert hostile not in dashboard.text and "&lt;script&gt;" in dashboard.text
    assert "监管看板" in dashboard.text and "/static/vendor/echarts.min.js" in dashboard.text
    english = world.client.get("/dashboard?lang=en")
    assert "Dashboard" in english.text and "监管看板" not in english.text
    issues = world.client.get("/issues")
    assert world.issue_a in issues.text and 'name="csrf_token"' in issues.text


def test_public_pages_and_static_files(world: World) -> None:
    home = world.client.get("/")
    assert home.status_code == 200 and "已发布通报" in home.text and "pub-draft-b" not in home.text
    assert world.client.get("/dashboard", follow_redirects=False).status_code == 303
    assert world.client.get("/static/vendor/htmx.min.js").status_code == 200
    assert world.client.get("/api/v1/openapi.json").json()["info"]["title"].startswith("ganzhi")
