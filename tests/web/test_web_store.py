"""The app-store pre-listing service: verdicts, idempotency, signed webhooks, upload limits."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import httpx
from web_fixtures import World, build_world, token_for

from ganzhi.accounts import users as accounts
from ganzhi.appstore.verdict import load_verdict_rule
from ganzhi.appstore.webhook import SIGNATURE_HEADER
from ganzhi.evidence.status import Severity, Status
from ganzhi.store.db import session_scope


def _submit(world: World, user: str, apk: Path, **data: str) -> httpx.Response:
    response: httpx.Response = world.client.post(
        "/api/v1/store/submissions",
        headers=token_for(world, user),
        files={"file": (apk.name, apk.read_bytes())},
        data=data,
    )
    return response


def test_verdict_rule_is_data() -> None:
    rule = load_verdict_rule()
    assert rule.block.matches(Status.FAIL, Severity.HIGH) and not rule.block.matches(Status.FAIL, Severity.LOW)
    assert rule.review.matches(Status.WARN, Severity.INFO) and not rule.review.matches(Status.PASS, Severity.HIGH)


def test_submission_blocks_then_is_idempotent_and_signs_its_webhook(tmp_path: Path) -> None:
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(204)

    world = build_world(tmp_path)
    world.client.app.state.submissions._transport = httpx.MockTransport(receiver)  # type: ignore[attr-defined]
    first = _submit(world, "shop1", world.apk_s1, callback_url="https://store.example/hook")
    assert first.status_code == 202 and first.json()["status"] == "queued"
    world.client.app.state.submissions.wait_idle()  # type: ignore[attr-defined]
    sha = first.json()["sha256"]
    assert sha == hashlib.sha256(world.apk_s1.read_bytes()).hexdigest()
    verdict = world.client.get(f"/api/v1/store/submissions/{sha}", headers=token_for(world, "shop1")).json()
    assert verdict["status"] == "done" and verdict["verdict"] == "block"
    assert verdict["package"] == "com.gamma.app"
    assert verdict["findings"][0]["status"] == "FAIL" and verdict["findings"][0]["check_id"] == "t11_self_start"
    assert verdict["callback_status"] == "delivered 204"
    assert len(received) == 1
    with session_scope(world.sessions) as session:
        secret = next(u for u in accounts.list_users(session) if u.username == "shop1").webhook_secret
    assert secret
    expected = "sha256=" + hmac.new(secret.encode(), received[0].content, hashlib.sha256).hexdigest()
    assert received[0].headers[SIGNATURE_HEADER] == expected
    assert json.loads(received[0].content)["verdict"] == "block"
    again = _submit(world, "shop1", world.apk_s1)
    assert again.status_code == 200 and again.json()["verdict"] == "block"  # same APK: same record, no rescan
    other_store = _submit(world, "shop2", world.apk_s1)
    assert other_store.status_code == 202 and other_store.json()["verdict"] == "block"  # reused, not rescanned
    clean = _submit(world, "shop2", world.apk_s2)
    world.client.app.state.submissions.wait_idle()  # type: ignore[attr-defined]
    clean_verdict = world.client.get(
        f"/api/v1/store/submissions/{clean.json()['sha256']}", headers=token_for(world, "shop2")
    ).json()
    assert clean_verdict["verdict"] in ("pass", "review") and clean_verdict["verdict"] != "block"
    world.client.close()


def test_broken_apk_ends_in_review_with_the_error(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    bad = tmp_path / "broken.apk"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    response = _submit(world, "shop1", bad)
    world.client.app.state.submissions.wait_idle()  # type: ignore[attr-defined]
    found = world.client.get(
        f"/api/v1/store/submissions/{response.json()['sha256']}", headers=token_for(world, "shop1")
    )
    assert found.json()["status"] == "error" and found.json()["verdict"] == "review" and found.json()["error"]
    world.client.close()


def test_upload_type_and_size_are_enforced(tmp_path: Path) -> None:
    world = build_world(tmp_path, config_changes={"max_apk_bytes": 64 << 10, "max_evidence_bytes": 32 << 10})
    not_zip = tmp_path / "fake.apk"
    not_zip.write_bytes(b"MZ" + b"\x00" * 100)
    refused = _submit(world, "shop1", not_zip)
    assert refused.status_code == 415 and "not an APK" in refused.json()["detail"]
    big = tmp_path / "big.apk"
    big.write_bytes(b"PK\x03\x04" + b"\x00" * (200 << 10))
    too_big = _submit(world, "shop1", big)
    assert too_big.status_code == 413
    assert _submit(world, "alice", world.apk_s1).status_code == 403  # enterprises do not use the store service
    alice = token_for(world, "alice")
    upload = world.client.post
    bad_ext = upload("/api/v1/evidence", headers=alice, data={"kind": "policy"}, files={"file": ("p.exe", b"MZ")})
    assert bad_ext.status_code == 415 and ".html" in bad_ext.json()["detail"]
    nul = upload("/api/v1/evidence", headers=alice, data={"kind": "policy"}, files={"file": ("p.html", b"<a>\x00")})
    assert nul.status_code == 415 and "NUL" in nul.json()["detail"]
    fake_pdf = upload("/api/v1/evidence", headers=alice, data={"kind": "policy"}, files={"file": ("p.pdf", b"hi")})
    assert fake_pdf.status_code == 415
    huge = upload(
        "/api/v1/evidence", headers=alice, data={"kind": "csv"}, files={"file": ("l.csv", b"a,b\n" * (20 << 10))}
    )
    assert huge.status_code == 413
    ok = upload(
        "/api/v1/evidence", headers=alice, data={"kind": "list"}, files={"file": ("l.csv", "名称,用途\n".encode())}
    )
    assert ok.status_code == 201 and world.client.app.state.blobs.exists(ok.json()["artefact"]["sha256"])  # type: ignore[attr-defined]
    assert world.client.post("/api/v1/campaigns", headers=alice, content=b"x" * (2 << 20)).status_code == 413
    world.client.close()
