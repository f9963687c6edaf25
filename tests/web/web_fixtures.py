"""Shared set-up for the web tests: a migrated database, forged APKs, two enterprises and their data.

Enterprise A operates `app:com.alpha.app`, enterprise B operates `app:com.beta.app`; each has issues
opened by a real inspection of a forged APK. App store S1 and S2 each submit their own APK.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import StarletteDeprecationWarning

from ganzhi.accounts import users as accounts
from ganzhi.accounts.roles import Role
from ganzhi.catalog.schema import EnterpriseType
from ganzhi.collect.apk.analyze import analyze_apk
from ganzhi.collect.apk.reader import apk_evidence
from ganzhi.collect.transfer.guarded import OutboundPolicy
from ganzhi.engine.executors import SerialExecutor
from ganzhi.forge.apk.builder import write_apk
from ganzhi.forge.apk.spec import (
    ApkSpec,
    ClassSpec,
    ComponentSpec,
    DexSpec,
    IntentFilterSpec,
    InvokeSpec,
    ManifestSpec,
    MethodSpec,
)
from ganzhi.settings import Settings
from ganzhi.store import publication_repo, supervision_repo
from ganzhi.store.db import make_engine, session_factory, session_scope
from ganzhi.store.migrate import upgrade
from ganzhi.supervision.models import Assignment, AssignmentBasis, Campaign, Enterprise, SubjectLink
from ganzhi.supervision.publications import Publication, PublicationKind, PublicationStatus
from ganzhi.supervision.uscc import complete_uscc
from ganzhi.usecases.apk_scan import apk_check_ids
from ganzhi.usecases.inspection import inspect
from ganzhi.web.app import create_app
from ganzhi.web.config import WebConfig

if TYPE_CHECKING:
    from starlette.testclient import TestClient

PASSWORD = "correct-horse-battery"
GET_DEVICE_ID = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
INIT = "Ljava/lang/Object;-><init>()V"
BOOT = "android.intent.action.BOOT_COMPLETED"


def forged_apk(path: Path, package: str, *, leaky: bool = True, version: str = "1.0") -> Path:
    """A small real APK; `leaky` makes Application.onCreate start an analytics SDK that reads the device id."""
    ctor = MethodSpec("<init>", "()V", invokes=(InvokeSpec(INIT, "direct"),))
    calls = (InvokeSpec("Lcom/umeng/analytics/MobclickAgent;->init()V", "static"),) if leaky else ()
    app_class = ClassSpec(
        f"{package}.App", superclass="android.app.Application", methods=(ctor, MethodSpec("onCreate", invokes=calls))
    )
    sdk = ClassSpec(
        "com.umeng.analytics.MobclickAgent",
        methods=(ctor, MethodSpec("init", static=True, invokes=(InvokeSpec(GET_DEVICE_ID, "virtual"),))),
    )
    boot = ClassSpec(  # the analytics SDK's own boot receiver: an SDK started by the system (自启动, FAIL)
        "com.umeng.analytics.BootReceiver",
        superclass="android.content.BroadcastReceiver",
        methods=(ctor, MethodSpec("onReceive", "(Landroid/content/Context;Landroid/content/Intent;)V")),
    )
    keep = ClassSpec(
        f"{package}.KeepService",
        superclass="android.app.Service",
        methods=(ctor, MethodSpec("onStartCommand", "(Landroid/content/Intent;II)I", returns=1)),
    )
    components = (
        ComponentSpec("receiver", boot.name, exported=True, intent_filters=(IntentFilterSpec(actions=(BOOT,)),)),
        ComponentSpec("service", keep.name, exported=False),
    )
    manifest = ManifestSpec(
        package=package,
        version_name=version,
        permissions=("android.permission.READ_PHONE_STATE", "android.permission.INTERNET"),
        application_name=f"{package}.App",
        components=components if leaky else (),
    )
    classes = (app_class, sdk, boot, keep) if leaky else (app_class,)
    return write_apk(ApkSpec(manifest=manifest, dex=(DexSpec(classes),)), path)


def test_client(app: FastAPI) -> TestClient:
    """Starlette 1.x warns that its TestClient prefers `httpx2`; the warning is not ours to fix here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from starlette.testclient import TestClient as Client
    return Client(app)


@dataclass
class World:
    """Everything a test needs: the client, the settings and the ids of A's and B's objects."""

    client: TestClient
    settings: Settings
    sessions: sessionmaker[Session]
    run_a: str
    run_b: str
    issue_a: str
    issue_b: str
    apk_s1: Path
    apk_s2: Path
    sha_s2: str = "0" * 64


def enterprise(eid: str, n: int, package: str, etype: EnterpriseType = EnterpriseType.INTERNET_COMPANY) -> Enterprise:
    links = [SubjectLink(subject_type="app", subject_id=package, name=f"{eid} app")] if package else []
    return Enterprise(
        id=eid, name=f"Enterprise {eid}", uscc=complete_uscc(f"91110108{n:08d}"), type=etype, subjects=links
    )


def build_world(tmp: Path, *, config_changes: dict[str, object] | None = None) -> World:
    home = tmp / "home"
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'ganzhi.db'}")
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    now = dt.datetime.now(dt.UTC)
    with session_scope(sessions) as session:
        supervision_repo.upsert_enterprise(session, enterprise("ent-a", 1, "com.alpha.app"))
        supervision_repo.upsert_enterprise(session, enterprise("ent-b", 2, "com.beta.app"))
        supervision_repo.upsert_enterprise(session, enterprise("store-1", 3, "", EnterpriseType.APP_STORE))
        supervision_repo.upsert_enterprise(session, enterprise("store-2", 4, "", EnterpriseType.APP_STORE))
        supervision_repo.save_campaign(
            session,
            Campaign(id="camp-b", name="B only", starts=now.date(), ends=now.date(), tasks=["T11"], created_at=now),
        )
        supervision_repo.replace_assignments(
            session,
            "camp-b",
            [Assignment(campaign_id="camp-b", enterprise_id="ent-b", task="T11", basis=AssignmentBasis.TYPE)],
        )
        publication_repo.save_draft(
            session,
            Publication(
                id="pub-draft-b",
                kind=PublicationKind.NOTICE,
                status=PublicationStatus.DRAFT,
                created_by="regulator_admin:admin",
                created_at=now,
                body={"title": "draft naming com.beta.app"},
            ),
        )
        for name, role, scope in (
            ("admin", Role.REGULATOR_ADMIN, None),
            ("inspector", Role.REGULATOR_INSPECTOR, None),
            ("alice", Role.ENTERPRISE, "ent-a"),
            ("bob", Role.ENTERPRISE, "ent-b"),
            ("shop1", Role.APP_STORE, "store-1"),
            ("shop2", Role.APP_STORE, "store-2"),
        ):
            accounts.create_user(session, name, PASSWORD, role, scope_id=scope)
    runs, issues = {}, {}
    for key, package in (("a", "com.alpha.app"), ("b", "com.beta.app")):
        apk = forged_apk(tmp / f"{key}.apk", package)
        done = inspect([apk_evidence(analyze_apk(apk))], sessions, check_ids=apk_check_ids(), executor=SerialExecutor())
        runs[key] = done.run_id
        issues[key] = done.issues[0].fingerprint
    engine.dispose()
    config = WebConfig(secret_key="k" * 48, scan_mode="thread", scan_workers=1, webhook_attempts=1)
    if config_changes:
        config = config.with_overrides(**config_changes)
    app = create_app(settings, config)
    # The test world delivers webhooks to a loopback receiver (or a mock transport): every callback
    # host "resolves" to 127.0.0.1 and the guarded client is told explicitly to allow loopback.
    app.state.submissions.outbound = LOOPBACK_OUTBOUND
    client = test_client(app)
    return World(
        client=client,
        settings=settings,
        sessions=app.state.sessions,
        run_a=runs["a"],
        run_b=runs["b"],
        issue_a=issues["a"],
        issue_b=issues["b"],
        apk_s1=forged_apk(tmp / "s1.apk", "com.gamma.app"),
        apk_s2=forged_apk(tmp / "s2.apk", "com.delta.app", leaky=False),
    )


def _loopback_resolver(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


#: Outbound policy of the test world: loopback allowed (`GANZHI_ALLOW_PRIVATE_NETWORK` in production terms).
LOOPBACK_OUTBOUND = OutboundPolicy(allow_private=True, resolver=_loopback_resolver)


def token_for(world: World, username: str) -> dict[str, str]:
    """Bearer headers for a user (a fresh API token)."""
    with session_scope(world.sessions) as session:
        token = accounts.issue_token(session, username, "test", ttl=None)
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def served(app: Any) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port in a thread (for Chromium); yields its base URL."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start within 30 s"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
