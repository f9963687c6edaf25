"""The cheap verdict-lookup path: brief caches for tokens and finished verdicts, invalidated on change."""

from __future__ import annotations

from pathlib import Path

from web_fixtures import build_world, token_for

from ganzhi.accounts import users as accounts
from ganzhi.accounts.scope import Scope
from ganzhi.appstore import submissions as submission_repo
from ganzhi.appstore.lookup import TtlCache, VerdictLookup
from ganzhi.store.db import session_scope


def test_ttl_cache_expires_bounds_and_drops() -> None:
    now = [0.0]
    cache: TtlCache[str, int] = TtlCache(2.0, max_entries=3, clock=lambda: now[0])
    for n, key in enumerate("abcd"):
        cache.put(key, n)
    assert len(cache) == 3 and cache.get("a") is None and cache.get("d") == 3  # oldest evicted
    now[0] = 2.5
    assert cache.get("d") is None  # expired
    cache.put("x1", 1)
    cache.put("y1", 2)
    assert cache.drop(lambda key: key.startswith("x")) == 1 and cache.get("y1") == 2


def test_lookup_answers_like_the_model_and_caches_only_finished_verdicts(tmp_path: Path) -> None:
    world = build_world(tmp_path, config_changes={"lookup_cache_s": 60.0})
    shop = token_for(world, "shop1")
    submitted = world.client.post(
        "/api/v1/store/submissions", headers=shop, files={"file": ("s1.apk", world.apk_s1.read_bytes())}
    ).json()
    sha = submitted["sha256"]
    lookup: VerdictLookup = world.client.app.state.verdict_lookup  # type: ignore[attr-defined]
    world.client.app.state.submissions.wait_idle()  # type: ignore[attr-defined]
    answer = world.client.get(f"/api/v1/store/submissions/{sha}", headers=shop)
    assert answer.status_code == 200 and answer.json()["verdict"] == "block"
    with session_scope(world.sessions) as session:
        principal = accounts.principal_for_token(session, shop["Authorization"].split()[1])
        assert principal is not None
        expected = submission_repo.get(Scope(principal, session), sha)
    assert expected is not None and answer.json() == expected.model_dump(mode="json")
    assert lookup.verdicts.get(("store-1", sha)) is not None
    # the service drops the cached verdict when the submission changes
    world.client.app.state.submissions._set("store-1", sha, status="queued")  # type: ignore[attr-defined]
    assert lookup.verdicts.get(("store-1", sha)) is None
    assert world.client.get(f"/api/v1/store/submissions/{sha}", headers=shop).json()["status"] == "queued"
    assert lookup.verdicts.get(("store-1", sha)) is None  # a queued answer is never cached
    # scoping holds on the fast path: another store, an enterprise and the public do not see it
    assert world.client.get(f"/api/v1/store/submissions/{sha}", headers=token_for(world, "shop2")).status_code == 404
    assert world.client.get(f"/api/v1/store/submissions/{sha}", headers=token_for(world, "alice")).status_code == 404
    assert world.client.get(f"/api/v1/store/submissions/{sha}").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert world.client.get(f"/api/v1/store/submissions/{sha}", headers=wrong).status_code == 401
    admin = token_for(world, "admin")
    assert world.client.get(f"/api/v1/store/submissions/{sha}", headers=admin).json()["store_id"] == "store-1"
    world.client.close()


def test_revoked_token_stops_working_once_its_cache_entry_expires(tmp_path: Path) -> None:
    world = build_world(tmp_path, config_changes={"lookup_cache_s": 0.001})
    shop = token_for(world, "shop1")
    url = f"/api/v1/store/submissions/{'0' * 64}"
    assert world.client.get(url, headers=shop).status_code == 404  # authenticated, nothing there
    with session_scope(world.sessions) as session:
        accounts.revoke_tokens(session, "shop1")
    assert world.client.get(url, headers=shop).status_code == 401
    world.client.close()
