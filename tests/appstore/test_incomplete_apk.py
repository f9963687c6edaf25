"""An APK whose code cannot be read is never a store `pass`; a ZIP64 rewrite changes nothing.

Exercised through the store service (intake → analysis → checks → verdict), with APKs forged by
code: one whose findings all come from its DEX (an Application starting an analytics SDK that reads
the device id before any UI), rewritten as ZIP64 and broken the way the ZIP64 attack used to look.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from collect.apk.zip64_fixtures import break_sizes, rewrite_zip64
from collect.transfer.loopback import Listener
from ganzhi.accounts.roles import Role
from ganzhi.accounts.users import Principal
from ganzhi.appstore import submissions as repo
from ganzhi.appstore.service import SubmissionService
from ganzhi.appstore.submissions import SubmissionView
from ganzhi.appstore.verdict import Match, Verdict, VerdictRule, decide, load_verdict_rule
from ganzhi.collect.transfer.guarded import OutboundPolicy
from ganzhi.evidence.status import Severity, Status
from ganzhi.forge.apk.builder import write_apk
from ganzhi.forge.apk.spec import ApkSpec, ClassSpec, DexSpec, InvokeSpec, ManifestSpec, MethodSpec
from ganzhi.store.blobs import BlobStore
from ganzhi.store.db import session_scope

GET_DEVICE_ID = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
INIT = "Ljava/lang/Object;-><init>()V"
PACKAGE = "com.codeonly.app"
#: A rule that reviews nothing but failures: the incomplete-analysis guarantee must not depend on the rule file.
FAIL_ONLY = VerdictRule(
    block=Match(statuses=frozenset({Status.FAIL}), severities=frozenset({Severity.CRITICAL, Severity.HIGH})),
    review=Match(statuses=frozenset({Status.FAIL})),
)


@dataclass(frozen=True)
class Config:
    scan_workers: int = 1
    max_apk_bytes: int = 50 << 20
    scan_mode: str = "thread"
    verdict_rule: VerdictRule = field(default_factory=load_verdict_rule)
    webhook_timeout_s: float = 2.0
    webhook_attempts: int = 1


def code_only_apk(path: Path) -> Path:
    """Findings only from code: Application.onCreate → an SDK's init → getDeviceId (no receivers, no services)."""
    ctor = MethodSpec("<init>", "()V", invokes=(InvokeSpec(INIT, "direct"),))
    start_sdk = InvokeSpec("Lcom/umeng/analytics/MobclickAgent;->init()V", "static")
    on_create = MethodSpec("onCreate", invokes=(start_sdk,))
    app = ClassSpec(f"{PACKAGE}.App", superclass="android.app.Application", methods=(ctor, on_create))
    sdk = ClassSpec(
        "com.umeng.analytics.MobclickAgent",
        methods=(ctor, MethodSpec("init", static=True, invokes=(InvokeSpec(GET_DEVICE_ID, "virtual"),))),
    )
    manifest = ManifestSpec(
        package=PACKAGE,
        version_name="1.0",
        # READ_PHONE_STATE declared: getDeviceId can return data, so its call before consent is a finding
        permissions=("android.permission.INTERNET", "android.permission.READ_PHONE_STATE"),
        application_name=f"{PACKAGE}.App",
    )
    return write_apk(ApkSpec(manifest=manifest, dex=(DexSpec((app, sdk)),)), path)


@pytest.fixture
def service(sessions: sessionmaker[Session], tmp_path: Path) -> Iterator[SubmissionService]:
    svc = SubmissionService(sessions, BlobStore(tmp_path / "blobs"), Config())
    try:
        yield svc
    finally:
        svc.close()


def _submit(
    svc: SubmissionService, apk: Path, store: str = "store-1", callback_url: str | None = None
) -> SubmissionView:
    principal = Principal(Role.APP_STORE, username=f"shop-{store}", scope_id=store, webhook_secret="secret")
    done = svc.submit(principal, io.BytesIO(apk.read_bytes()), apk.name, callback_url)
    assert svc.wait_idle(120)
    with session_scope(svc.sessions) as session:
        row = repo.find(session, store, done.submission.sha256)
        assert row is not None
        return repo.view(row)


def _summary(view: SubmissionView) -> list[tuple[str, str]]:
    return sorted((str(f["check_id"]), str(f["status"])) for f in view.findings)


def _manual_reasons(view: SubmissionView) -> set[Any]:
    return {f["data"].get("reason") for f in view.findings if f["status"] == "MANUAL"}


def test_zip64_rewrite_gives_the_same_verdict_and_findings(service: SubmissionService, tmp_path: Path) -> None:
    original = _submit(service, code_only_apk(tmp_path / "plain.apk"))
    assert original.status.value == "done" and original.verdict != Verdict.PASS.value
    assert ("t11_pi_before_consent", "WARN") in _summary(original)
    zip64 = _submit(service, rewrite_zip64(tmp_path / "plain.apk", tmp_path / "zip64.apk"))
    assert zip64.sha256 != original.sha256
    assert zip64.verdict == original.verdict
    assert _summary(zip64) == _summary(original)
    assert "CODE_UNREADABLE" not in _manual_reasons(zip64)


def test_unreadable_dex_is_review_with_the_reason(service: SubmissionService, tmp_path: Path) -> None:
    plain = code_only_apk(tmp_path / "plain.apk")
    broken = tmp_path / "broken.apk"
    broken.write_bytes(break_sizes(plain.read_bytes(), "classes.dex"))
    view = _submit(service, broken)
    assert view.status.value == "done"
    assert view.verdict == Verdict.REVIEW.value
    assert "CODE_UNREADABLE" in _manual_reasons(view)
    unreadable = [f for f in view.findings if f["data"].get("reason") == "CODE_UNREADABLE"]
    assert all(f["data"]["unreadable_code"] == ["classes.dex"] for f in unreadable)
    assert {f["check_id"] for f in unreadable} >= {"t11_pi_before_consent", "t11_sdk_inventory", "t11_packer_detected"}
    assert not any(f["check_id"] == "t11_pi_before_consent" and f["status"] == "WARN" for f in view.findings)


def test_incomplete_analysis_never_passes_whatever_the_rule(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    svc = SubmissionService(sessions, BlobStore(tmp_path / "blobs"), Config(verdict_rule=FAIL_ONLY))
    try:
        plain = code_only_apk(tmp_path / "plain.apk")
        assert _submit(svc, plain).verdict == Verdict.PASS.value  # the lax rule passes the readable APK ...
        broken = tmp_path / "broken.apk"
        broken.write_bytes(break_sizes(plain.read_bytes(), "classes.dex"))
        assert _submit(svc, broken).verdict == Verdict.REVIEW.value  # ... never the one whose code was not read
    finally:
        svc.close()


def test_decide_with_an_incomplete_analysis() -> None:
    assert decide([], FAIL_ONLY) is Verdict.PASS
    assert decide([], FAIL_ONLY, complete=False) is Verdict.REVIEW
    assert decide([], load_verdict_rule(), complete=False) is Verdict.REVIEW


def test_webhook_to_loopback_is_refused_without_connecting(service: SubmissionService, tmp_path: Path) -> None:
    service.outbound = OutboundPolicy()  # production default: public addresses only
    with Listener() as receiver:
        view = _submit(service, code_only_apk(tmp_path / "a.apk"), callback_url=f"http://127.1:{receiver.port}/hook")
        assert view.callback_status is not None
        assert view.callback_status.startswith("failed: refused: destination 127.1 is not allowed: ")
        assert receiver.accepts == 0
        service.outbound = OutboundPolicy(allow_private=True)  # the test-suite setting
        second = _submit(service, code_only_apk(tmp_path / "a.apk"), "store-2", f"http://127.0.0.1:{receiver.port}/h")
        assert second.callback_status == "delivered 204" and receiver.accepts == 1
