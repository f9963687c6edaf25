"""A demo or reset account that must change its password cannot use the API until it did (403, Chinese first)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from web_fixtures import World, build_world

from ganzhi.accounts import users as accounts
from ganzhi.store.db import session_scope

TEMPORARY = "temporary-pass-1"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world(tmp_path)
    yield w
    w.client.close()


def _refused(response: httpx.Response) -> None:
    detail = str(response.json()["detail"])
    assert response.status_code == 403 and detail.startswith("该账户须先修改初始密码"), (response.status_code, detail)


def test_api_login_and_token_are_refused_until_the_password_changed(world: World) -> None:
    with session_scope(world.sessions) as session:
        accounts.set_password(session, "inspector", TEMPORARY, must_change=True)
        token = accounts.issue_token(session, "inspector", "test", ttl=None)
    client = world.client
    _refused(client.post("/api/v1/auth/login", json={"username": "inspector", "password": TEMPORARY}))
    assert "ganzhi_session" not in str(client.cookies)
    bearer = {"Authorization": f"Bearer {token}"}
    _refused(client.get("/api/v1/me", headers=bearer))
    _refused(client.get("/api/v1/issues", headers=bearer))
    # a browser session of the same account: pages send it to /account, the API refuses
    client.post("/login", data={"username": "inspector", "password": TEMPORARY}, follow_redirects=False)
    assert client.get("/issues", follow_redirects=False).headers["location"] == "/account"
    _refused(client.get("/api/v1/me"))
    client.cookies.clear()

    weak = client.post("/api/v1/auth/password", json={"username": "inspector", "current": TEMPORARY, "new": "short"})
    assert weak.status_code == 422
    wrong = client.post("/api/v1/auth/password", json={"username": "inspector", "current": "nope", "new": "x" * 12})
    assert wrong.status_code == 401
    changed = client.post(
        "/api/v1/auth/password", json={"username": "inspector", "current": TEMPORARY, "new": "my-own-secret-2"}
    )
    assert changed.status_code == 204, changed.text
    assert client.get("/api/v1/me", headers=bearer).json()["username"] == "inspector"
    login = client.post("/api/v1/auth/login", json={"username": "inspector", "password": "my-own-secret-2"})
    assert login.status_code == 200 and login.json()["role"] == "regulator_inspector"


def test_accounts_without_a_pending_change_are_unaffected(world: World) -> None:
    login = world.client.post("/api/v1/auth/login", json={"username": "admin", "password": "correct-horse-battery"})
    assert login.status_code == 200
