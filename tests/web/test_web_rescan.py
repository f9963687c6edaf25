"""Batch re-scan of a store's catalogue: queued again through the same service, idempotent per (sha256, version)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import httpx
from web_fixtures import World, build_world, token_for

from ganzhi.appstore.service import SubmissionService, scan_run_id


def _submit(world: World, user: str, apk: Path) -> httpx.Response:
    response: httpx.Response = world.client.post(
        "/api/v1/store/submissions", headers=token_for(world, user), files={"file": (apk.name, apk.read_bytes())}
    )
    return response


def _service(world: World) -> SubmissionService:
    service: SubmissionService = world.client.app.state.submissions  # type: ignore[attr-defined]
    return service


def test_rescan_requeues_own_submissions_once_per_catalog_version(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    service = _service(world)
    first = _submit(world, "shop1", world.apk_s1).json()["sha256"]
    second = _submit(world, "shop1", world.apk_s2).json()["sha256"]
    other = _submit(world, "shop2", world.apk_s2).json()["sha256"]
    service.wait_idle()
    version = service.catalog_version
    shop1 = token_for(world, "shop1")
    verdict = world.client.get(f"/api/v1/store/submissions/{first}", headers=shop1).json()
    assert verdict["run_id"] == scan_run_id(first, version) and verdict["verdict"] == "block"

    same = world.client.post("/api/v1/store/rescan", headers=shop1)
    assert same.status_code == 202
    assert same.json()["queued"] == [] and sorted(same.json()["current"]) == sorted([first, second])

    with mock.patch.object(SubmissionService, "catalog_version", new_callable=mock.PropertyMock) as newer:
        newer.return_value = "2099.1-test"
        moved = world.client.post("/api/v1/store/rescan", headers=shop1).json()
        assert moved["catalog_version"] == "2099.1-test" and sorted(moved["queued"]) == sorted([first, second])
        service.wait_idle()
        again = world.client.post("/api/v1/store/rescan", headers=shop1).json()
        assert again["queued"] == [] and sorted(again["current"]) == sorted([first, second])
        rescanned = world.client.get(f"/api/v1/store/submissions/{first}", headers=shop1).json()
        assert rescanned["status"] == "done" and rescanned["verdict"] == "block"
        assert rescanned["run_id"] == scan_run_id(first, "2099.1-test")
        # the other store's copy of the same APK reuses the finished scan of this version
        shop2 = token_for(world, "shop2")
        reused = world.client.post("/api/v1/store/rescan", headers=shop2).json()
        assert reused["queued"] == [other]
        service.wait_idle()
        copy = world.client.get(f"/api/v1/store/submissions/{other}", headers=shop2).json()
        assert copy["run_id"] == scan_run_id(other, "2099.1-test") and copy["status"] == "done"
    assert world.client.get(f"/api/v1/store/submissions/{other}", headers=shop1).status_code == 200  # shop1 has it too
    world.client.close()


def test_rescan_is_for_app_stores_only(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    assert world.client.post("/api/v1/store/rescan").status_code == 401
    assert world.client.post("/api/v1/store/rescan", headers=token_for(world, "alice")).status_code == 403
    assert world.client.post("/api/v1/store/rescan", headers=token_for(world, "admin")).status_code == 403
    empty = world.client.post("/api/v1/store/rescan", headers=token_for(world, "shop2")).json()
    assert empty["queued"] == [] and empty["current"] == [] and empty["busy"] == []
    world.client.close()
