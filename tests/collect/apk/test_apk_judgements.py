"""Issue 16: derived target table, library attribution, permission reachability, start triggers, SDK presence.

Each fact is planted in a forged APK (real DEX/AXML written by `ganzhi.forge`), so the expected answer is known.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ganzhi.collect.apk.analyze import analyze_apk
from ganzhi.collect.apk.api_table import MAX_LEVEL, MIN_LEVEL, build_api_table, default_api_table
from ganzhi.collect.apk.attribution import Attributor
from ganzhi.collect.apk.judge import declared_permissions, path_owner, reachable
from ganzhi.collect.apk.permissions import shared_data_dir
from ganzhi.collect.apk.sdk import default_index
from ganzhi.evidence.apk import ApkStatic, UsesPermission
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

PKG = "com.judge.demo"
P = PKG.replace(".", "/")
INIT = "Ljava/lang/Object;-><init>()V"
LOC = "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;"
IMEI = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
SET_PACKAGE = "Landroid/content/Intent;->setPackage(Ljava/lang/String;)Landroid/content/Intent;"
START_SERVICE = "Landroid/content/Context;->startService(Landroid/content/Intent;)Landroid/content/ComponentName;"
ALARM_CLOCK = (
    "Landroid/app/AlarmManager;->setAlarmClock(Landroid/app/AlarmManager$AlarmClockInfo;Landroid/app/PendingIntent;)V"
)
JOB_ENQUEUE = "Landroid/app/job/JobScheduler;->enqueue(Landroid/app/job/JobInfo;Landroid/app/job/JobWorkItem;)I"
TWILIGHT = "androidx.appcompat.app.TwilightManager"
COMPAT = "androidx.appcompat.app.AppCompatActivity"

#: Every method of the start and scheduling families the issue names, with the API level that added it.
FAMILY_METHODS: dict[tuple[str, str], int] = {
    **{("Landroid/app/AlarmManager;", m): 1 for m in ("set", "setRepeating", "setInexactRepeating")},
    **{("Landroid/app/AlarmManager;", m): 19 for m in ("setExact", "setWindow")},
    ("Landroid/app/AlarmManager;", "setAlarmClock"): 21,
    ("Landroid/app/AlarmManager;", "setAndAllowWhileIdle"): 23,
    ("Landroid/app/AlarmManager;", "setExactAndAllowWhileIdle"): 23,
    ("Landroid/app/job/JobScheduler;", "schedule"): 21,
    ("Landroid/app/job/JobScheduler;", "enqueue"): 26,
    ("Landroidx/work/WorkManager;", "enqueue"): 1,
    ("Landroidx/work/WorkManager;", "enqueueUniqueWork"): 1,
    ("Landroidx/work/WorkManager;", "enqueueUniquePeriodicWork"): 1,
    ("Landroidx/core/app/JobIntentService;", "enqueueWork"): 1,
    ("Landroid/content/Context;", "startService"): 1,
    ("Landroid/content/Context;", "startForegroundService"): 26,
    ("Landroid/content/Context;", "bindService"): 1,
    ("Landroid/content/Context;", "sendBroadcast"): 1,
    ("Landroid/content/pm/PackageManager;", "getLaunchIntentForPackage"): 1,
    ("Landroid/content/Intent;", "setComponent"): 1,
    ("Landroid/content/Intent;", "setClassName"): 1,
    ("Landroid/content/Intent;", "setPackage"): 1,
    ("Landroid/content/ComponentName;", "<init>"): 1,
}


def _cls(
    name: str, *methods: MethodSpec, superclass: str = "java.lang.Object", interfaces: tuple[str, ...] = ()
) -> ClassSpec:
    ctor = MethodSpec("<init>", "()V", invokes=(InvokeSpec(INIT, "direct"),))
    return ClassSpec(name, superclass=superclass, interfaces=interfaces, methods=(ctor, *methods))


def judge_spec(permissions: tuple[str, ...] = ()) -> ApkSpec:
    """Launcher → AppCompat super chain → TwilightManager location; dialog onClick → helper → browser;
    receiver → startService of another app; SDK Application → getDeviceId; alarm clock and job enqueue."""
    on_create = "onCreate"
    bundle = "(Landroid/os/Bundle;)V"
    classes = (
        _cls(
            f"{PKG}.Main",
            MethodSpec(
                on_create, bundle, invokes=(InvokeSpec(f"L{COMPAT.replace('.', '/')};->onCreate{bundle}", "super"),)
            ),
            MethodSpec(
                "openBrowser", "()V", strings=("com.android.chrome",), invokes=(InvokeSpec(SET_PACKAGE, "virtual"),)
            ),
            superclass=COMPAT,
        ),
        _cls(
            f"{PKG}.Main$1",
            MethodSpec(
                "onClick",
                "(Landroid/content/DialogInterface;I)V",
                invokes=(InvokeSpec(f"L{P}/Main;->openBrowser()V", "virtual"),),
            ),
            interfaces=("android.content.DialogInterface$OnClickListener",),
        ),
        _cls(
            f"{PKG}.Wake",
            MethodSpec(
                "onReceive",
                "(Landroid/content/Context;Landroid/content/Intent;)V",
                strings=("com.other.app",),
                invokes=(InvokeSpec(START_SERVICE, "virtual"),),
            ),
            superclass="android.content.BroadcastReceiver",
        ),
        _cls(
            f"{PKG}.App",
            MethodSpec("onCreate", invokes=(InvokeSpec("Lcom/umeng/analytics/MobclickAgent;->init()V", "static"),)),
            superclass="android.app.Application",
        ),
        _cls(
            f"{PKG}.Sched",
            MethodSpec("plan", invokes=(InvokeSpec(ALARM_CLOCK, "virtual"), InvokeSpec(JOB_ENQUEUE, "virtual"))),
        ),
        _cls(
            COMPAT,
            MethodSpec(on_create, bundle, invokes=(InvokeSpec(f"L{TWILIGHT.replace('.', '/')};->get()V", "static"),)),
            superclass="android.app.Activity",
        ),
        _cls(TWILIGHT, MethodSpec("get", static=True, invokes=(InvokeSpec(LOC, "virtual"),))),
        _cls(
            "com.umeng.analytics.MobclickAgent",
            MethodSpec("init", static=True, invokes=(InvokeSpec(IMEI, "virtual"),)),
        ),
    )
    manifest = ManifestSpec(
        package=PKG,
        permissions=permissions,
        application_name=f"{PKG}.App",
        components=(
            ComponentSpec(
                "activity",
                f"{PKG}.Main",
                exported=True,
                intent_filters=(
                    IntentFilterSpec(("android.intent.action.MAIN",), ("android.intent.category.LAUNCHER",)),
                ),
            ),
            ComponentSpec("receiver", f"{PKG}.Wake", exported=False),
            ComponentSpec("service", "cn.jpush.android.service.PushService", exported=False),
        ),
    )
    return ApkSpec(manifest=manifest, dex=(DexSpec(classes),))


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> ApkStatic:
    path = write_apk(judge_spec(("android.permission.INTERNET",)), tmp_path_factory.mktemp("j") / "judge.apk")
    return analyze_apk(path).static


def test_start_and_scheduling_families_are_covered_for_every_level() -> None:
    table = default_api_table()
    targets = set(table.targets())
    for level in range(MIN_LEVEL, MAX_LEVEL + 1):
        present = {key for key, since in FAMILY_METHODS.items() if since <= level}
        covered = table.available_at(level, "schedule") | table.available_at(level, "start")
        assert present <= covered, f"API {level}: missing {sorted(present - covered)}"
    for cls, name in FAMILY_METHODS:
        assert f"{cls}->{name}" in targets


def test_pi_rows_come_from_the_permission_maps_when_present() -> None:
    data = shared_data_dir()
    if not (data / "apk" / "signatures" / "androguard-permissions").is_dir():
        pytest.skip(f"androguard permission maps not in {data} (../shared/data)")
    table = build_api_table(data)
    assert any("androguard" in s for s in table.sources)
    row = table.row("Landroid/telephony/TelephonyManager;->getVoiceMailNumber()Ljava/lang/String;")
    assert row is not None and row.family == "pi" and "android.permission.READ_PHONE_STATE" in row.permissions
    assert table.row("Landroid/location/LocationManager;->removeUpdates(Landroid/location/LocationListener;)V") is None
    assert "android.permission.ACCESS_FINE_LOCATION" in table.permissions_of(LOC)


def test_reachability_follows_declared_permissions_and_max_sdk() -> None:
    held = declared_permissions(
        [UsesPermission(name="a.READ"), UsesPermission(name="a.OLD", max_sdk=22)], target_sdk=33
    )
    assert held == {"a.READ"}
    assert reachable([], held) and reachable(["a.READ", "a.X"], held) and not reachable(["a.OLD"], held)


def test_library_path_counts_only_through_app_or_sdk_requests() -> None:
    who = Attributor(default_index(), PKG)
    chain = [
        f"L{P}/Main;->onCreate(Landroid/os/Bundle;)V",
        "Landroidx/appcompat/app/AppCompatActivity;->onCreate(Landroid/os/Bundle;)V",
        "Landroidx/appcompat/app/TwilightManager;->get()V",
    ]
    assert path_owner(chain, who).origin == "library"
    asked = [f"L{P}/Loc;->where()V", "Landroidx/core/location/LocationManagerCompat;->getCurrentLocation()V"]
    owner = path_owner(asked, who)
    assert (owner.origin, owner.owner, owner.via_library) == ("app", "app", "AndroidX")


def test_library_location_without_permission_is_unreachable_library_code(judged: ApkStatic) -> None:
    loc = [c for c in judged.pre_consent if "getLastKnownLocation" in c.api]
    assert loc and all(c.origin == "library" and not c.reachable for c in loc)
    assert all(c.path[0].startswith(f"L{P}/Main;") and c.path[-1].startswith("Landroidx/appcompat") for c in loc)
    imei = [c for c in judged.pre_consent if "getDeviceId" in c.api]
    assert imei and imei[0].origin == "sdk" and not imei[0].reachable  # no READ_PHONE_STATE declared


def test_declaring_the_permission_makes_the_sdk_call_reachable(tmp_path: Path) -> None:
    path = write_apk(judge_spec(("android.permission.READ_PHONE_STATE",)), tmp_path / "perm.apk")
    imei = [c for c in analyze_apk(path).static.pre_consent if "getDeviceId" in c.api]
    assert imei and imei[0].reachable and imei[0].sdk_id is not None
    assert imei[0].path == [f"L{P}/App;->onCreate()V", "Lcom/umeng/analytics/MobclickAgent;->init()V"]


def test_triggers_separate_a_users_tap_from_a_background_start(judged: ApkStatic) -> None:
    by_class = {a.caller_class: a for a in judged.associated_start if a.kind != "queries"}
    browser = by_class[f"{PKG}.Main"]
    assert browser.trigger == "user" and browser.trigger_detail == f"{PKG}.Main$1.onClick"
    wake = by_class[f"{PKG}.Wake"]
    assert wake.kind == "foreign_service" and wake.trigger == "background" and wake.targets == ["com.other.app"]


def test_new_scheduling_apis_are_reported_with_their_trigger(judged: ApkStatic) -> None:
    sched = {(s.api or "").split("(")[0]: s for s in judged.self_start if s.kind == "scheduler_call"}
    assert sched["Landroid/app/AlarmManager;->setAlarmClock"].triggers == ["alarm"]
    assert sched["Landroid/app/job/JobScheduler;->enqueue"].triggers == ["job"]


def test_manifest_only_sdk_is_declared_with_low_confidence(judged: ApkStatic) -> None:
    by_id = {s.id: s for s in judged.sdks}
    jpush = [s for s in judged.sdks if s.presence == "declared"]
    assert jpush and all(s.confidence == "low" and s.classes == 0 for s in jpush)
    umeng = [s for s in by_id.values() if s.classes]
    assert umeng and all(s.presence == "stub" for s in umeng)  # one class: a stub, not an SDK's code
