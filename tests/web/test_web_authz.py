"""Object-level authorisation over every API route: enterprise A never reads or changes B's objects,
an app store never sees another store's submissions, and the public sees only published data.

Routes are enumerated from the OpenAPI document, so a new endpoint is covered as soon as it exists:
its path parameters must appear in `TARGETS` and a state-changing route needs a sample request in
`SAMPLES` (the test fails and says so otherwise).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_fixtures import PASSWORD, World, build_world, token_for

from ganzhi.accounts import users as accounts
from ganzhi.store.db import session_scope
from ganzhi.store.repositories import get_issues
from ganzhi.supervision.uscc import complete_uscc
from ganzhi.web import audit

MUTATING = {"post", "put", "patch", "delete"}
#: Routes anyone may call without an object of someone else being involved (with why).
EXEMPT = {
    ("post", "/api/v1/auth/login"): "signs the caller in; touches no object",
    ("post", "/api/v1/auth/logout"): "clears the caller's own cookie",
    ("post", "/api/v1/auth/password"): "changes the password of the account whose current password is given",
}
#: Routes the public may read (published rules and approved snapshots).
PUBLIC_READS = {
    "/api/v1/catalog/tasks",
    "/api/v1/catalog/tasks/{task_id}",
    "/api/v1/checks",
    "/api/v1/checks/{check_id}",
    "/api/v1/publications",
    "/api/v1/publications/{publication_id}",
    "/api/v1/me",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = build_world(tmp_path_factory.mktemp("authz"))
    s2 = token_for(w, "shop2")
    with w.apk_s2.open("rb") as handle:
        response = w.client.post("/api/v1/store/submissions", headers=s2, files={"file": ("s2.apk", handle)})
    assert response.status_code == 202, response.text
    w.client.app.state.submissions.wait_idle()  # type: ignore[attr-defined]
    w.sha_s2 = response.json()["sha256"]
    yield w
    w.client.close()


def targets(world: World) -> dict[str, str]:
    """A value of B (or of store 2) for every path parameter name."""
    return {
        "run_id": world.run_b,
        "fingerprint": world.issue_b,
        "enterprise_id": "ent-b",
        "campaign_id": "camp-b",
        "publication_id": "pub-draft-b",
        "sha256": world.sha_s2,
        "task_id": "T11",
        "check_id": "t11_self_start",
        "username": "bob",
        "token_ref": live_token_of(world, "bob"),
    }


def live_token_of(world: World, username: str) -> str:
    """The id of a live API token of `username` (issued here when there is none)."""
    with session_scope(world.sessions) as session:
        now = dt.datetime.now(dt.UTC)
        live = [t for t in accounts.list_tokens(session, username) if t.live(now)]
        if not live:
            accounts.issue_token(session, username, "authz", ttl=None)
            live = [t for t in accounts.list_tokens(session, username) if t.live(now)]
        return str(live[0].id)


def markers(world: World) -> list[str]:
    """Strings that only appear in B's (or store 2's, or unpublished) objects."""
    return [world.issue_b, world.run_b, "ent-b", "com.beta.app", "camp-b", "pub-draft-b", world.sha_s2]


def samples(tmp: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid request per state-changing route (valid for a regulator; see test_samples_are_valid)."""
    policy = tmp / "policy.html"
    policy.write_text("<html><body>隐私政策</body></html>", encoding="utf-8")
    return {
        ("post", "/api/v1/issues/{fingerprint}/transitions"): {"json": {"to": "RECTIFYING", "reason": "整改中"}},
        ("post", "/api/v1/enterprises"): {
            "json": {
                "id": "ent-new",
                "name": "New Co",
                "uscc": complete_uscc("9111010800000999"),
                "type": "internet_company",
            }
        },
        ("post", "/api/v1/campaigns"): {
            "json": {"id": "camp-new", "name": "新行动", "starts": "2026-01-01", "ends": "2026-12-31", "tasks": ["T3"]}
        },
        ("post", "/api/v1/evidence"): {"data": {"kind": "policy"}, "file": policy},
        ("post", "/api/v1/store/submissions"): {"file": tmp / "s1.apk"},
        ("post", "/api/v1/store/rescan"): {"data": {}},
        ("post", "/api/v1/users/{username}/disable"): {"data": {}},
        ("post", "/api/v1/users/{username}/enable"): {"data": {}},
        ("post", "/api/v1/users/{username}/tokens"): {"json": {"name": "ci", "days": 30}},
        ("post", "/api/v1/users/{username}/tokens/{token_ref}/revoke"): {"data": {}},
        ("post", "/api/v1/users/{username}/tokens/revoke-all"): {"data": {}},
    }


def routes(world: World) -> list[tuple[str, str]]:
    schema = world.client.get("/api/v1/openapi.json").json()
    return sorted((method, path) for path, ops in schema["paths"].items() for method in ops)


def call(world: World, method: str, path: str, headers: dict[str, str], sample: dict[str, Any] | None) -> Any:
    url = path.format(**targets(world))
    kwargs: dict[str, Any] = {"headers": headers}
    if sample:
        if "json" in sample:
            kwargs["json"] = sample["json"]
        if "data" in sample:
            kwargs["data"] = sample["data"]
        if "file" in sample:
            kwargs["files"] = {"file": (sample["file"].name, sample["file"].read_bytes())}
    return world.client.request(method.upper(), url, **kwargs)


def state_of_b(world: World) -> tuple[str, int]:
    with session_scope(world.sessions) as session:
        issue_b = get_issues(session, fingerprints=[world.issue_b])[0]
        return issue_b.state.value, audit.count(session)


@pytest.mark.parametrize("who", ["alice", "shop1", "public"])
def test_no_route_leaks_or_changes_another_tenants_objects(world: World, who: str, tmp_path: Path) -> None:
    headers = {} if who == "public" else token_for(world, who)
    (tmp_path / "s1.apk").write_bytes(world.apk_s1.read_bytes())
    sample_for = samples(tmp_path)
    found = routes(world)
    assert len(found) >= 20
    for method, path in found:
        if (method, path) in EXEMPT:
            continue
        missing = [name for name in path.split("{")[1:] if name.split("}")[0] not in targets(world)]
        assert not missing, f"{method} {path}: add a value of enterprise B for {missing} to targets()"
        if method in MUTATING:
            assert (method, path) in sample_for, f"{method} {path}: add a sample request to samples()"
            before = state_of_b(world)
            response = call(world, method, path, headers, sample_for[(method, path)])
            own_write = who == "alice" and path == "/api/v1/evidence"  # an enterprise uploads its own evidence
            own_write |= who == "shop1" and path == "/api/v1/store/submissions"  # a store submits its own APK
            own_write |= who == "shop1" and path == "/api/v1/store/rescan"  # and re-scans its own catalogue
            if own_write:
                assert response.status_code in (200, 201, 202), (method, path, response.text)
                assert state_of_b(world)[0] == before[0]
                continue
            assert response.status_code in (401, 403, 404), (who, method, path, response.status_code, response.text)
            assert state_of_b(world) == before, f"{who} {method} {path} changed state"
            continue
        response = call(world, method, path, headers, None)
        if who == "public" and path not in PUBLIC_READS:
            assert response.status_code == 401, (method, path, response.status_code)
            continue
        if response.status_code >= 400:  # refused: the message may echo the id the caller sent, nothing more
            assert response.status_code in (403, 404), (who, method, path, response.status_code, response.text)
            continue
        leaked = [m for m in markers(world) if m in response.text]
        assert not leaked, f"{who} {method} {path} → {response.status_code} leaks {leaked}"


def test_own_objects_are_visible(world: World) -> None:
    """The filter is not simply 'show nothing': A sees its issue and run, store 1 its submission."""
    alice = token_for(world, "alice")
    assert world.client.get(f"/api/v1/issues/{world.issue_a}", headers=alice).status_code == 200
    assert world.client.get(f"/api/v1/runs/{world.run_a}/results", headers=alice).json()
    assert [e["id"] for e in world.client.get("/api/v1/enterprises", headers=alice).json()] == ["ent-a"]
    bob = token_for(world, "bob")
    assert [c["id"] for c in world.client.get("/api/v1/campaigns", headers=bob).json()] == ["camp-b"]
    shop2 = token_for(world, "shop2")
    response = world.client.get(f"/api/v1/store/submissions/{world.sha_s2}", headers=shop2)
    assert response.status_code == 200 and response.json()["store_id"] == "store-2"
    admin = token_for(world, "admin")
    assert len(world.client.get("/api/v1/issues", headers=admin).json()) >= 2
    assert "pub-draft-b" in world.client.get("/api/v1/publications", headers=admin).text


def test_samples_are_valid_for_a_regulator(tmp_path: Path) -> None:
    """The refusals above are authorisation, not validation: a regulator's identical request succeeds."""
    w = build_world(tmp_path)
    (tmp_path / "s1.apk").write_bytes(w.apk_s1.read_bytes())
    admin = token_for(w, "admin")
    for (method, path), sample in samples(tmp_path).items():
        if path in ("/api/v1/store/submissions", "/api/v1/store/rescan"):  # app stores only
            response = call(w, method, path, token_for(w, "shop1"), sample)
        else:
            response = call(w, method, path, admin, sample)
        assert response.status_code in (200, 201, 202), (method, path, response.text)
    w.client.app.state.submissions.wait_idle()  # type: ignore[attr-defined]
    w.client.close()


def test_enterprise_may_only_declare_rectifying(world: World) -> None:
    alice = token_for(world, "alice")
    url = f"/api/v1/issues/{world.issue_a}/transitions"
    refused = world.client.post(url, headers=alice, json={"to": "FALSE_POSITIVE", "reason": "not us"})
    assert refused.status_code == 403 and "RECTIFYING" in refused.json()["detail"]
    moved = world.client.post(url, headers=alice, json={"to": "RECTIFYING", "reason": "整改中 <b>"})
    assert moved.status_code == 201 and moved.json()["issue"]["state"] == "RECTIFYING"
    trail = world.client.get(f"{url}", headers=alice).json()
    assert trail[-1]["actor"] == "enterprise:alice@ent-a"
    wrong = world.client.post(url, headers=token_for(world, "admin"), json={"to": "OPEN", "reason": "x"})
    assert wrong.status_code == 409 and "not allowed" in wrong.json()["detail"]
    entries = world.client.get("/api/v1/audit", headers=token_for(world, "admin")).json()
    assert any(e["action"] == "issue.transition" and e["target"] == f"issue:{world.issue_a}" for e in entries)
    assert world.client.get("/api/v1/audit", headers=alice).status_code == 403
    assert PASSWORD  # the fixture's shared password is used by the login tests
