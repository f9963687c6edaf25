"""Revocable access: server-side sessions, token expiry and revocation, disabling users, the admin API,
login limits keyed on the real client address, security headers and bounded list limits."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from starlette.exceptions import StarletteDeprecationWarning
from web_fixtures import PASSWORD, World, build_world, token_for

from ganzhi.accounts import users as accounts
from ganzhi.store.db import session_scope
from ganzhi.web import audit
from ganzhi.web.limits import LoginLimiter
from ganzhi.web.security import SESSION_COOKIE, parse_networks, real_client

if TYPE_CHECKING:
    from starlette.testclient import TestClient

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "ganzhi" / "web" / "templates"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world(tmp_path, config_changes={"login_attempts": 3, "trusted_proxies": ("10.9.0.1",)})
    yield w
    w.client.close()


def client_at(world: World, address: str) -> TestClient:
    """A test client whose requests come from `address` (the TCP peer the app sees)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from starlette.testclient import TestClient as Client
    return Client(world.client.app, client=(address, 40000))


def login(world: World, client: object | None = None, username: str = "alice") -> str:
    c = client or world.client
    response = c.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def test_logout_ends_the_session_on_the_server(world: World) -> None:
    csrf = login(world)
    stolen = world.client.cookies[SESSION_COOKIE]
    assert world.client.get("/api/v1/me").json()["username"] == "alice"
    assert world.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    world.client.cookies.set(SESSION_COOKIE, stolen)  # a copy of the cookie kept from before the logout
    assert world.client.get("/api/v1/me").json()["role"] == "public"
    with session_scope(world.sessions) as session:
        assert [e.action for e in audit.entries(session, actor="enterprise:alice@ent-a")][:2] == ["logout", "login"]


def test_disabling_a_user_ends_its_sessions_and_refuses_its_tokens_at_once(world: World, tmp_path: Path) -> None:
    browser = client_at(world, "198.51.100.1")
    login(world, browser, "bob")
    bob_token = token_for(world, "bob")
    admin = token_for(world, "admin")
    assert browser.get("/api/v1/me").json()["username"] == "bob"
    done = world.client.post("/api/v1/users/bob/disable", headers=admin)
    assert done.status_code == 200 and done.json()["disabled"] is True
    assert browser.get("/api/v1/me").json()["role"] == "public"  # the open session is over
    assert world.client.get("/api/v1/me", headers=bob_token).status_code == 401
    refused = world.client.post("/api/v1/auth/login", json={"username": "bob", "password": PASSWORD})
    assert refused.status_code == 401
    assert world.client.post("/api/v1/users/admin/disable", headers=admin).status_code == 409  # not oneself
    assert world.client.post("/api/v1/users/bob/enable", headers=admin).json()["disabled"] is False
    assert world.client.get("/api/v1/me", headers=bob_token).status_code == 200  # not revoked, only refused
    assert browser.get("/api/v1/me").json()["role"] == "public"  # the old session stays ended
    assert world.client.post("/api/v1/users/bob/disable", headers=token_for(world, "inspector")).status_code == 403
    actions = [e["action"] for e in world.client.get("/api/v1/audit", headers=admin).json()]
    assert "user.disable" in actions and "user.enable" in actions
    browser.close()


def test_tokens_expire_and_can_be_revoked_one_by_one(world: World) -> None:
    admin = token_for(world, "admin")
    issued = world.client.post("/api/v1/users/alice/tokens", headers=admin, json={"name": "ci", "days": 7})
    assert issued.status_code == 201
    body = issued.json()
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(days=6.9) < expires - dt.datetime.now(dt.UTC) < dt.timedelta(days=7.1)
    alice = {"Authorization": f"Bearer {body['token']}"}
    assert world.client.get("/api/v1/me", headers=alice).status_code == 200
    default = world.client.post("/api/v1/users/alice/tokens", headers=admin, json={"name": "default"}).json()
    lifetime = dt.datetime.fromisoformat(default["expires_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=89.9) < lifetime < dt.timedelta(days=90.1)  # the configured default
    listed = world.client.get("/api/v1/users/alice/tokens", headers=admin).json()
    assert all("token" not in t for t in listed) and body["token"] not in str(listed)
    revoked = world.client.post(f"/api/v1/users/alice/tokens/{body['prefix']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["live"] is False
    assert world.client.get("/api/v1/me", headers=alice).status_code == 401
    other = {"Authorization": f"Bearer {default['token']}"}
    assert world.client.get("/api/v1/me", headers=other).status_code == 200  # only that one token
    assert world.client.post("/api/v1/users/alice/tokens/999/revoke", headers=admin).status_code == 404
    assert world.client.post("/api/v1/users/alice/tokens", headers=admin, json={"days": -1}).status_code == 422
    with session_scope(world.sessions) as session:  # an expired token is refused
        short = accounts.issue_token(session, "alice", "short", ttl=dt.timedelta(seconds=1))
        row_id = accounts.list_tokens(session, "alice")[-1].id
    from ganzhi.store.web_tables import ApiTokenRow

    with session_scope(world.sessions) as session:
        row = session.get(ApiTokenRow, row_id)
        assert row is not None
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {short}"}).status_code == 401
    all_gone = world.client.post("/api/v1/users/alice/tokens/revoke-all", headers=admin)
    assert all_gone.status_code == 200 and all_gone.json()["revoked"] >= 1
    assert world.client.get("/api/v1/me", headers=other).status_code == 401
    actions = [e["action"] for e in world.client.get("/api/v1/audit", headers=admin).json()]
    assert {"token.issue", "token.revoke", "token.revoke_all"} <= set(actions)


def test_a_stranger_cannot_lock_a_user_out(world: World) -> None:
    attacker = client_at(world, "198.51.100.1")
    attacker_headers = {"X-Forwarded-For": "10.0.0.66"}  # ignored: the test client is no trusted proxy
    for _ in range(3):
        wrong = attacker.post(
            "/api/v1/auth/login", json={"username": "bob", "password": "not-the-password"}, headers=attacker_headers
        )
        assert wrong.status_code == 401
    assert attacker.post("/api/v1/auth/login", json={"username": "bob", "password": PASSWORD}).status_code == 429
    # A header cannot buy the attacker a fresh address ...
    forged = {"X-Forwarded-For": "10.0.0.67"}
    assert (
        attacker.post("/api/v1/auth/login", json={"username": "bob", "password": "x"}, headers=forged).status_code
        == 429
    )
    # ... and bob, from his own address, signs in at once.
    bob = client_at(world, "192.0.2.7")
    assert bob.post("/api/v1/auth/login", json={"username": "bob", "password": PASSWORD}).status_code == 200
    bob.close()
    attacker.close()


def test_forwarded_headers_count_only_from_trusted_proxies(world: World) -> None:
    proxy = client_at(world, "10.9.0.1")
    for _ in range(3):
        proxy.post(
            "/api/v1/auth/login",
            json={"username": "bob", "password": "nope-nope-nope"},
            headers={"X-Forwarded-For": "203.0.113.5"},
        )
    limited = proxy.post(
        "/api/v1/auth/login", json={"username": "bob", "password": PASSWORD}, headers={"X-Forwarded-For": "203.0.113.5"}
    )
    assert limited.status_code == 429  # the address behind the proxy is what is limited ...
    other = proxy.post(
        "/api/v1/auth/login",
        json={"username": "bob", "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
    )
    assert other.status_code == 200  # ... not the proxy itself
    cookie = other.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "strict-transport-security" in other.headers
    plain = world.client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
    assert "secure" not in plain.headers["set-cookie"].lower()  # plain HTTP from an untrusted peer
    proxy.close()
    trusted = parse_networks(["10.9.0.0/24"])
    assert real_client("10.9.0.1", "1.2.3.4, 198.51.100.2, 10.9.0.3", trusted) == "198.51.100.2"
    assert real_client("198.51.100.2", "1.2.3.4", trusted) == "198.51.100.2"
    assert real_client("10.9.0.1", "garbage", trusted) == "10.9.0.1"


def test_login_delay_grows_per_user_and_address_and_is_forgotten() -> None:
    now = [1000.0]
    limiter = LoginLimiter(2, 300.0, base_delay_s=1.0, max_delay_s=8.0, client_attempts=100, clock=lambda: now[0])
    waits = []
    for _ in range(7):
        limiter.failed("bob", "a")
        waits.append(limiter.retry_after("bob", "a"))
    assert waits == [0.0, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert limiter.retry_after("bob", "b") == 0.0 and limiter.retry_after("carol", "a") == 0.0
    now[0] += 301
    assert limiter.retry_after("bob", "a") == 0.0
    spray = LoginLimiter(5, 60.0, client_attempts=3, clock=lambda: now[0])
    for name in ("u1", "u2", "u3"):
        spray.failed(name, "x")
    assert spray.retry_after("u4", "x") > 0 and spray.retry_after("u4", "y") == 0.0


def test_security_headers_and_no_inline_script(world: World) -> None:
    for path in ("/", "/login", "/api/v1/me", "/speedtest/", "/static/site.css"):
        headers = world.client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    docs = world.client.get("/api/v1/docs")
    # Swagger UI is served from this origin now (issue 19): no inline script to pin, no CDN in the policy.
    docs_csp = docs.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in docs_csp and "cdn" not in docs_csp and "script-src 'self'" in docs_csp
    assert "<script>" not in docs.text
    executable = re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", re.I)
    for template in TEMPLATES.glob("*.html"):
        if template.name == "crawl.html":
            continue  # another page's owner; checked by its own tests
        assert not executable.search(template.read_text(encoding="utf-8")), f"inline script in {template.name}"
        assert not re.search(r"\son[a-z]+=", template.read_text(encoding="utf-8")), f"inline handler in {template.name}"


@pytest.mark.parametrize("path", ["/api/v1/audit", "/api/v1/store/submissions"])
@pytest.mark.parametrize("limit", ["-1", "0", "1001", "99999999999"])
def test_list_limits_are_bounded(world: World, path: str, limit: str) -> None:
    admin = token_for(world, "admin")
    assert world.client.get(path, params={"limit": limit}, headers=admin).status_code == 422
    assert world.client.get(path, params={"limit": "5"}, headers=admin).status_code == 200
