from __future__ import annotations

from pathlib import Path

import pytest
from tests.collect.apk.apk_forge_cases import GET_DEVICE_ID, LAST_LOCATION, PKG, write_demo
from tests.shared_data import shared_path

from ganzhi.collect.apk.analyze import ANALYSES, analyze_apk


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return analyze_apk(write_demo(tmp_path_factory.mktemp("apk"))).static


def test_self_start_receivers_scheduler_and_sticky_attributed(demo) -> None:  # type: ignore[no-untyped-def]
    found = {(s.kind, s.component, s.owner) for s in demo.self_start}
    assert ("system_event_receiver", f"{PKG}.BootReceiver", "app") in found
    jpush = [s for s in demo.self_start if s.component == "cn.jpush.android.service.PushReceiver"]
    assert jpush and jpush[0].owner != "app" and jpush[0].sdk_id is not None
    assert ("sticky_service", f"{PKG}.KeepService", "app") in found
    assert any(s.kind == "scheduler_call" and s.sdk_id for s in demo.self_start)
    assert set(demo.analyses) == set(ANALYSES) and not demo.packers


def test_associated_start_targets(demo) -> None:  # type: ignore[no-untyped-def]
    kinds = {(a.kind, tuple(a.targets)) for a in demo.associated_start}
    assert ("launch_intent", ()) in kinds
    assert ("explicit_intent", ("com.other.app", "com.other.app.Svc")) in kinds
    assert ("queries", ("com.tencent.mm",)) in kinds


def test_pre_consent_paths_follow_static_calls_and_thread_dispatch(demo) -> None:  # type: ignore[no-untyped-def]
    by_api = {p.api: p for p in demo.pre_consent}
    imei = by_api[GET_DEVICE_ID]
    assert imei.entry_kind == "application" and imei.owner != "app"  # Umeng, not the app
    assert imei.path == [f"L{PKG.replace('.', '/')}/App;->onCreate()V", "Lcom/umeng/analytics/MobclickAgent;->init()V"]
    location = by_api[LAST_LOCATION]
    assert location.path[-1].endswith("/Worker;->run()V") and location.pi_category == "位置信息"
    assert not any("Unreached" in p.caller_class for p in demo.pre_consent)  # unreachable code is not reported


def test_api_calls_carry_owner_and_category(demo) -> None:  # type: ignore[no-untyped-def]
    umeng = [c for c in demo.api_calls if c.caller_class == "com.umeng.analytics.MobclickAgent"]
    assert umeng and umeng[0].owner != "app" and umeng[0].pi_category == "设备标识"
    perms = {p.name: p for p in demo.permission_info}
    assert perms["android.permission.READ_PHONE_STATE"].sensitive
    assert not perms["android.permission.INTERNET"].sensitive


def test_packer_detected(tmp_path: Path) -> None:
    static = analyze_apk(write_demo(tmp_path, packed=True)).static
    assert [p.id for p in static.packers] == ["jiagu360"]


def test_a2dp_real_apk_facts() -> None:
    apk = shared_path("apk", "apks", "androguard", "a2dp.Vol_137.apk")
    static = analyze_apk(apk).static
    boot = [s for s in static.self_start if s.kind == "system_event_receiver"]
    assert [b.component for b in boot] == ["a2dp.Vol.Starter"]
    assert "android.intent.action.BOOT_COMPLETED" in boot[0].actions
    launch = {a.caller_class for a in static.associated_start if a.kind == "launch_intent"}
    assert launch == {"a2dp.Vol.service", "a2dp.Vol.EditDevice$6"}
    installed = {c.caller_class for c in static.api_calls if "getInstalledApplications" in c.api}
    assert installed == {"a2dp.Vol.AppChooser$6", "a2dp.Vol.EditDevice$6", "a2dp.Vol.PackagesChooser$1"}
    location = {c.caller_class for c in static.api_calls if c.pi_category == "位置信息"}
    assert location == {"a2dp.Vol.StoreLoc"}
    sensitive = {p.name for p in static.permission_info if p.sensitive}
    assert "android.permission.ACCESS_FINE_LOCATION" in sensitive and "android.permission.BLUETOOTH" not in sensitive
