"""`ganzhi serve --demo`: a populated platform from the project's own demos, loaded once per data directory.

What it loads, in order (every piece goes through the same code a real deployment uses):
1. the T9 携号转网 demo campaign (`demo.run.run_demo`: two inspection rounds);
2. the fictional enterprises and key lists of the supervision walk-through, a campaign over T6/T7
   with one inspection round (`demo.campaign` evidence, `engine.inspection.inspect`);
3. a published 通报 with the campaign's ranking (`supervision.publications` + `chain.seal`, drafted
   by the inspector, approved by the admin) and a ranking draft waiting for approval;
4. demo data for every other task (`demo_tasks`: the T1 tariff catalogue and T4 UI bundle builders,
   the other tasks' check fixtures), each inspected, so the dashboard heatmap shows every task; the T4
   bundle's judged screen is kept in the store's blobs, so /apps/com.example.shop shows its picture;
5. a generated hall registry for the nearest-hall finder (`demo_halls`);
6. one user per role plus a provincial regulator (`demo_users`; each must choose its own password at
   the first sign-in), a 回头看 of the fixed T9 issues, a 约谈 record and an approved 典型案例, and a
   forged APK submitted by the store account through the store service (`forge.apk.generate_apk`), so
   the store page has a verdict with findings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from ganzhi.accounts import users as accounts
from ganzhi.accounts.roles import Role
from ganzhi.appstore.service import SubmissionService
from ganzhi.catalog.loader import default_catalog
from ganzhi.demo.campaign import stage_evidence
from ganzhi.demo.halls import write_demo_registry
from ganzhi.demo.run import run_demo
from ganzhi.demo.tasks import TaskDemo, load_task_demos
from ganzhi.demo.users import DemoLogin, install_demo_users
from ganzhi.errors import GanzhiError
from ganzhi.forge.apk.builder import write_apk
from ganzhi.forge.apk.generate import generate_apk
from ganzhi.forge.apk.spec import (
    ApkSpec,
    ClassSpec,
    ComponentSpec,
    DexSpec,
    IntentFilterSpec,
    InvokeSpec,
    MethodSpec,
)
from ganzhi.store import practice_repo, publication_repo, supervision_repo
from ganzhi.store import repositories as repo
from ganzhi.store.db import session_scope
from ganzhi.supervision.campaigns import assignments, new_campaign
from ganzhi.supervision.lookback import LookbackSelection
from ganzhi.supervision.models import Commitment, Interview
from ganzhi.supervision.practices import GoodPractice
from ganzhi.supervision.publications import PublicationKind, build_body, new_draft, ranking_rows, select_issues
from ganzhi.supervision.registry_io import read_enterprises, read_key_lists
from ganzhi.usecases.inspection import inspect
from ganzhi.usecases.lookback_run import run_lookback
from ganzhi.usecases.standings import compute_standings

DATA = Path(__file__).resolve().parents[1] / "supervision" / "data"
CAMPAIGN_ID = "c524-demo"
PUBLISHED_ID = "pub-demo-1"
DRAFT_ID = "pub-demo-2"
LOOKBACK_ID = "lb-demo-1"
DEMO_TASKS = ("T6", "T7")
#: Tasks the T9 demo and the store submission (T11) already fill; `demo_tasks` loads the others.
COVERED_TASKS = (*DEMO_TASKS, "T9", "T11")
GET_DEVICE_ID = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
OBJECT_INIT = "Ljava/lang/Object;-><init>()V"
BOOT_COMPLETED = "android.intent.action.BOOT_COMPLETED"


@dataclass(frozen=True, slots=True)
class DemoPlatform:
    """What the demo loaded (empty `logins` when the users existed already)."""

    logins: list[DemoLogin]
    loaded: bool
    halls: int
    tasks: tuple[TaskDemo, ...] = ()


def demo_apk(path: Path, package: str = "com.example.video") -> Path:
    """A forged APK: a generated code base plus an Application that starts an SDK reading the device id, and the
    SDK's boot receiver (an SDK started by the system: 自启动)."""
    generated = generate_apk(package=package, classes=40, planted_apis=(GET_DEVICE_ID,), plant_every=13)
    ctor = MethodSpec("<init>", "()V", invokes=(InvokeSpec(OBJECT_INIT, "direct"),))
    sdk_init = InvokeSpec("Lcom/umeng/analytics/MobclickAgent;->init()V", "static")
    on_create = MethodSpec("onCreate", invokes=(sdk_init,))
    application = ClassSpec(f"{package}.App", superclass="android.app.Application", methods=(ctor, on_create))
    sdk = ClassSpec(
        "com.umeng.analytics.MobclickAgent",
        methods=(ctor, MethodSpec("init", static=True, invokes=(InvokeSpec(GET_DEVICE_ID, "virtual"),))),
    )
    boot = ClassSpec(
        "com.umeng.analytics.BootReceiver",
        superclass="android.content.BroadcastReceiver",
        methods=(ctor, MethodSpec("onReceive", "(Landroid/content/Context;Landroid/content/Intent;)V")),
    )
    receiver = ComponentSpec(
        "receiver", boot.name, exported=True, intent_filters=(IntentFilterSpec(actions=(BOOT_COMPLETED,)),)
    )
    if generated.spec.manifest is None:
        raise ValueError("generate_apk returned a spec without a manifest")
    manifest = dataclasses.replace(
        generated.spec.manifest,
        version_name="8.1.0",
        permissions=("android.permission.READ_PHONE_STATE", "android.permission.INTERNET"),
        application_name=f"{package}.App",
        components=(receiver,),
    )
    first = generated.spec.dex[0]
    dex = (DexSpec((*first.classes, application, sdk, boot)), *generated.spec.dex[1:])
    return write_apk(ApkSpec(manifest=manifest, dex=dex), path)


def _supervision(session: Session, now: dt.datetime) -> None:
    catalog = default_catalog()
    for enterprise in read_enterprises(DATA / "demo_enterprises.yaml").enterprises:
        supervision_repo.upsert_enterprise(session, enterprise)
    for key_list in read_key_lists():
        supervision_repo.save_key_list(session, key_list)
    campaign = new_campaign(
        catalog,
        campaign_id=CAMPAIGN_ID,
        name="信息通信服务感知提升行动（演示）",
        starts=dt.date(now.year, 1, 1),
        ends=dt.date(now.year, 12, 31),
        tasks=list(DEMO_TASKS),
        key_lists=["first-batch-39"],
        created_at=now,
    )
    supervision_repo.save_campaign(session, campaign)
    made = assignments(
        catalog, campaign, supervision_repo.list_enterprises(session), supervision_repo.list_key_lists(session)
    )
    supervision_repo.replace_assignments(session, CAMPAIGN_ID, made)
    supervision_repo.add_round(session, CAMPAIGN_ID, name="第一轮检查", starts=now.date(), ends=None)


def _publications(session: Session, now: dt.datetime, drafter: str, approver: str) -> None:
    enterprises = supervision_repo.list_enterprises(session)
    current = repo.get_issues(session)
    rankings = ranking_rows(compute_standings(session, CAMPAIGN_ID))
    notice = build_body(
        PublicationKind.NOTICE,
        issues=select_issues(current, tasks=list(DEMO_TASKS)),
        enterprises=enterprises,
        rankings=rankings,
        rectify_by=now.date() + dt.timedelta(days=15),
    )
    publication_repo.save_draft(
        session, new_draft(PUBLISHED_ID, notice, created_by=drafter, at=now, campaign_id=CAMPAIGN_ID)
    )
    publication_repo.approve(session, PUBLISHED_ID, approver=approver, at=now, first_total=21)
    ranking = build_body(PublicationKind.RANKING, rankings=rankings)
    publication_repo.save_draft(
        session, new_draft(DRAFT_ID, ranking, created_by=drafter, at=now, campaign_id=CAMPAIGN_ID)
    )


def _oversight(sessions: sessionmaker[Session], now: dt.datetime, say: Callable[[str], None]) -> None:
    """A 回头看 of the T9 issues fixed in round 2, a 约谈 record and an approved 典型案例, so those pages
    show what they are for (each through the same code a regulator's action takes)."""
    try:
        run_lookback(sessions, LOOKBACK_ID, LookbackSelection(tasks=["T9"]), actor="inspector", now=now)
    except GanzhiError as exc:  # the demo still loads; the look-back page then says there is none
        say(f"回头看 not loaded — {exc}")
    with session_scope(sessions) as session:
        supervision_repo.save_interview(
            session,
            Interview(
                id="iv-demo-1",
                enterprise_id="demo-video",
                held_on=now.date(),
                attendees=["检查员", "示例视频科技有限公司 合规负责人"],
                minutes="就首次启动前收集设备标识、开机自启动问题进行约谈，企业承认问题并承诺整改。",
                commitments=[
                    Commitment(text="下一版本移除隐私政策同意前的SDK初始化", due=now.date() + dt.timedelta(days=15))
                ],
                campaign_id=CAMPAIGN_ID,
                recorded_by="inspector",
                recorded_at=now,
            ),
        )
        practice_repo.save_practice(
            session,
            GoodPractice(
                id="case-demo-1",
                enterprise_id="demo-shop",
                task="T7",
                title="第三方共享清单按SDK逐项列明",
                practice="在APP“我的-隐私”中按SDK列明共享的个人信息、目的、方式和第三方名称，并随版本更新。",
                evidence="演示检查中T7检查项全部通过；清单页面截图与版本记录。",
                created_by="inspector",
                created_at=now,
            ),
        )
        practice_repo.approve_practice(session, "case-demo-1", "admin", now)


def load_demo(
    sessions: sessionmaker[Session],
    service: SubmissionService,
    halls_file: Path,
    *,
    say: Callable[[str], None] = lambda _text: None,
) -> DemoPlatform:
    """Load every demo piece once (a second call only reports); returns the logins created now."""
    now = dt.datetime.now(dt.UTC)
    with session_scope(sessions) as session:
        loaded = any(p.id == PUBLISHED_ID for p in publication_repo.list_publications(session))
    halls = 0
    tasks: list[TaskDemo] = []
    if not loaded:
        say("T9 携号转网 demo campaign …")
        run_demo(sessions)
        say("supervision walk-through: enterprises, campaign, inspection …")
        with session_scope(sessions) as session:
            _supervision(session, now)
        done = inspect(stage_evidence("inspection"), sessions, tasks=list(DEMO_TASKS), note="演示检查 demo inspection")
        with session_scope(sessions) as session:
            supervision_repo.attach_run(session, CAMPAIGN_ID, 1, done.run_id, actor="demo")
        say("demo data for every other task …")
        tasks = load_task_demos(sessions, skip=COVERED_TASKS, say=say, blobs=service.blobs)
        for failed in (t for t in tasks if t.error):
            say(f"{failed.task}: demo data not loaded — {failed.error}")
    if not halls_file.is_file():
        say("hall registry for the finder …")
        halls = write_demo_registry(halls_file)
    with session_scope(sessions) as session:
        logins = install_demo_users(session)
    if not loaded:
        say("通报: drafted by the inspector, approved by the admin …")
        with session_scope(sessions) as session:
            _publications(session, now, drafter="inspector", approver="admin")
        say("回头看, 约谈, 典型案例 …")
        _oversight(sessions, now, say)
        say("forged APK submitted through the store service …")
        with session_scope(sessions) as session:
            store = next(p for p in accounts.list_users(session) if p.role is Role.APP_STORE)
        with tempfile.TemporaryDirectory(prefix="ganzhi-demo-apk-") as tmp:
            data = demo_apk(Path(tmp) / "demo-video.apk").read_bytes()
        service.submit(store, io.BytesIO(data), "示例视频-8.1.0.apk")
        service.wait_idle(timeout_s=300)
    return DemoPlatform(logins=logins, loaded=not loaded, halls=halls, tasks=tuple(tasks))
