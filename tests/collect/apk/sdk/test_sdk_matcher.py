"""Matcher behaviour on forged fact sets: known SDKs, confidence, prefix edges, clean apps, speed."""

from __future__ import annotations

import random
import string
import time

import pytest

from ganzhi.collect.apk.sdk import SdkFacts, SdkIndex, SdkMatch, build_index, inventory, match_sdks
from shared_data import shared_path


@pytest.fixture(scope="module")
def china_only() -> SdkIndex:
    return build_index(None)


@pytest.fixture(scope="module")
def merged() -> SdkIndex:
    return build_index(shared_path("apk", "signatures"))


def _by_id(matches: list[SdkMatch]) -> dict[str, SdkMatch]:
    return {match.id: match for match in matches}


CLEAN_APP = SdkFacts(
    class_names=[
        "Landroidx/appcompat/app/AppCompatActivity;",
        "androidx.core.content.ContextCompat",
        "kotlin.jvm.internal.Intrinsics",
        "kotlinx.coroutines.Dispatchers",
        "okhttp3.OkHttpClient",
        "com.example.shop.MainActivity",
        "com.example.shop.push.MyPushHandler",
        "a.b.c",
        "Foo",
    ],
    components=[
        ("activity", "com.example.shop.MainActivity"),
        ("service", "androidx.work.impl.SystemJobService"),
    ],
    native_libs=["lib/arm64-v8a/libshop.so"],
    meta_data_keys=["com.example.shop.API_KEY"],
    provider_authorities=["com.example.shop.fileprovider", "com.example.shop.androidx-startup"],
)


def test_umeng_and_jpush_are_found_with_vendors_and_confidence(china_only: SdkIndex) -> None:
    facts = SdkFacts(
        class_names=[
            "Lcom/umeng/analytics/MobclickAgent;",
            "Lcom/umeng/analytics/pro/a;",
            "cn.jpush.android.api.JPushInterface",
            "cn.jpush.android.service.PushService",
        ],
        native_libs=["lib/armeabi-v7a/libjcore.so"],
        meta_data_keys=["JPUSH_APPKEY"],
    )
    found = _by_id(match_sdks(facts, china_only))
    assert set(found) == {"umeng_analytics", "jpush"}
    umeng, jpush = found["umeng_analytics"], found["jpush"]
    assert umeng.vendor == "友盟同欣（北京）科技有限公司"
    assert umeng.confidence == "medium"
    assert [(e.kind, e.value, e.count) for e in umeng.matched_by] == [("class_prefix", "com.umeng.analytics", 2)]
    assert jpush.vendor == "深圳市和讯华谷信息技术有限公司"
    assert jpush.confidence == "high"
    assert {e.kind for e in jpush.matched_by} == {"class_prefix", "native_lib", "meta_data"}
    assert jpush.category == "push"
    assert "个人常用设备信息" in jpush.pi_collected
    assert jpush.privacy_policy_url is not None
    assert jpush.privacy_policy_url.startswith("https://")


def test_vendor_specific_component_alone_is_high(china_only: SdkIndex) -> None:
    facts = SdkFacts(components=[("service", "com.igexin.sdk.PushService")])
    (getui,) = match_sdks(facts, china_only)
    assert getui.id == "getui"
    assert getui.vendor == "每日互动股份有限公司"
    assert getui.confidence == "high"
    assert getui.matched_by[0].kind == "component"


def test_amap_location_with_shared_apikey_is_high_but_key_alone_matches_nothing(china_only: SdkIndex) -> None:
    facts = SdkFacts(
        class_names=["com.amap.api.location.AMapLocationClient", "com.amap.api.location.AMapLocation"],
        components=[("service", "com.amap.api.location.APSService")],
        meta_data_keys=["com.amap.api.v2.apikey"],
    )
    found = _by_id(match_sdks(facts, china_only))
    assert set(found) == {"amap_location"}
    assert found["amap_location"].vendor == "高德软件有限公司"
    assert found["amap_location"].confidence == "high"
    assert match_sdks(SdkFacts(meta_data_keys=["com.amap.api.v2.apikey", "UMENG_APPKEY"]), china_only) == []


def test_prefix_matches_whole_segments_only(china_only: SdkIndex) -> None:
    near_misses = SdkFacts(
        class_names=[
            "com.umengx.Foo",
            "com.umeng_fake.Bar",
            "cn.jpushx.Baz",
            "com.igexinfo.Q",
            "comx.umeng.analytics.A",
        ]
    )
    assert match_sdks(near_misses, china_only) == []
    inner = SdkFacts(class_names=["com.baidu.BaiduMap$1", "com.igexin.sdk.PushManager$Inner"])
    assert set(_by_id(match_sdks(inner, china_only))) == {"baidu_map", "getui"}


def test_deepest_prefix_wins(china_only: SdkIndex) -> None:
    facts = SdkFacts(class_names=["com.tencent.mm.opensdk.modelpay.PayReq"])
    assert [m.id for m in match_sdks(facts, china_only)] == ["wechat_pay"]
    facts = SdkFacts(class_names=["com.tencent.mm.opensdk.openapi.WXAPIFactory"])
    assert [m.id for m in match_sdks(facts, china_only)] == ["wechat_opensdk"]


def test_app_side_wechat_entry_activities(china_only: SdkIndex) -> None:
    facts = SdkFacts(
        components=[
            ("activity", "com.example.shop.wxapi.WXPayEntryActivity"),
            ("activity", "com.example.shop.wxapi.WXEntryActivity"),
            ("activity", "com.example.shop.WXPayEntryActivityX"),
        ]
    )
    found = _by_id(match_sdks(facts, china_only))
    assert set(found) == {"wechat_pay", "wechat_opensdk"}
    assert found["wechat_pay"].matched_by[0].examples == ["com.example.shop.wxapi.WXPayEntryActivity"]


def test_provider_authority_suffix(china_only: SdkIndex) -> None:
    facts = SdkFacts(provider_authorities=["com.example.shop.TTFileProvider", "com.example.shop.NotTTFileProvider"])
    found = match_sdks(facts, china_only)
    assert [m.id for m in found] == ["pangle"]
    assert found[0].matched_by[0].count == 1


def test_clean_app_has_no_match(china_only: SdkIndex) -> None:
    assert match_sdks(CLEAN_APP, china_only) == []


@pytest.mark.shared_data
def test_clean_app_has_no_match_with_merged_signature_sets(merged: SdkIndex) -> None:
    assert match_sdks(CLEAN_APP, merged) == []


@pytest.mark.shared_data
def test_merged_index_adds_exodus_only_trackers_with_low_confidence(merged: SdkIndex) -> None:
    exodus_only = [e for e in merged.entries if e.sources == ["exodus"] and e.signatures.exodus_prefixes]
    assert len(exodus_only) > 300
    for entry in exodus_only[:50]:
        facts = SdkFacts(class_names=[entry.signatures.exodus_prefixes[0] + ".SomeTrackerClass"])
        found = _by_id(match_sdks(facts, merged))
        assert entry.id in found, entry.id
        assert found[entry.id].confidence == "low"
        assert found[entry.id].matched_by[0].kind == "exodus_regex"


@pytest.mark.shared_data
def test_merged_index_keeps_china_table_identity(merged: SdkIndex) -> None:
    facts = SdkFacts(
        class_names=["cn.jpush.android.api.JPushInterface"],
        components=[("receiver", "cn.jpush.android.service.PluginXiaomiPlatformsReceiver")],
    )
    found = _by_id(match_sdks(facts, merged))
    assert found["jpush"].curated
    assert {"china_table", "libchecker", "exodus"} <= set(found["jpush"].sources)
    assert "xiaomi_push" in found  # LibChecker's "MiPush(JPush Proxy)" label joins our MiPush entry


def test_inventory_reports_sources(china_only: SdkIndex) -> None:
    report = inventory(SdkFacts(class_names=["com.tencent.bugly.crashreport.CrashReport"]), china_only)
    assert report.sources_loaded == ["china_table"]
    assert [m.id for m in report.matches] == ["bugly"]


def test_overlong_and_odd_names_are_ignored(china_only: SdkIndex) -> None:
    facts = SdkFacts(
        class_names=["com.umeng.analytics." + "x" * 5000, "", ";", "L;", "[Lcom/igexin/sdk/PushManager;"],
        components=[("activity", ".Relative"), ("activity", "")],
        native_libs=["", "lib/"],
    )
    assert [m.id for m in match_sdks(facts, china_only)] == ["getui"]


def _synthetic_classes(count: int) -> list[str]:
    rnd = random.Random(7)
    letters = string.ascii_lowercase
    packages = [f"com/{''.join(rnd.choices(letters, k=6))}/{''.join(rnd.choices(letters, k=3))}" for _ in range(5000)]
    sdk_packages = [
        "com/umeng/analytics/pro",
        "cn/jpush/android/api",
        "com/tencent/bugly/crashreport",
        "androidx/core",
    ]
    return [f"L{rnd.choice(sdk_packages if i % 5 == 0 else packages)}/C{i};" for i in range(count)]


def test_200k_class_names_timing(china_only: SdkIndex, capsys: pytest.CaptureFixture[str]) -> None:
    names = _synthetic_classes(200_000)
    started = time.perf_counter()
    found = match_sdks(SdkFacts(class_names=names), china_only)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n[sdk matcher] 200,000 class names, China table: {elapsed * 1000:.0f} ms")
    assert {m.id for m in found} == {"umeng_analytics", "jpush", "bugly"}
    in_sdks = sum(1 for name in names if name.startswith(("Lcom/umeng/", "Lcn/jpush/", "Lcom/tencent/bugly/")))
    assert sum(m.matched_by[0].count for m in found) == in_sdks


@pytest.mark.shared_data
def test_200k_class_names_timing_merged(merged: SdkIndex, capsys: pytest.CaptureFixture[str]) -> None:
    names = _synthetic_classes(200_000)
    started = time.perf_counter()
    found = match_sdks(SdkFacts(class_names=names), merged)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\n[sdk matcher] 200,000 class names, merged index ({len(merged.entries)} SDKs): {elapsed * 1000:.0f} ms"
        )
    assert {m.id for m in found} == {"umeng_analytics", "jpush", "bugly"}
