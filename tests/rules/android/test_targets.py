"""What a start target string read from an app's code can be: only another app's package name is firm."""

from __future__ import annotations

import pytest

from ganzhi.rules.android.targets import AppCode, classify, classify_all

PACKAGE = "com.example.demo"
CODE = {"com.example.demo": 40, "com.xiaomi.push.service": 120, "com.xiaomi.push": 80, "a": 300}
PLATFORM = ["com.google.android.gms", "com.huawei.hwid"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("com.other.app", "other_app"),
        ("com.tencent.mm", "other_app"),
        ("com.google.android.gms", "platform"),
        ("com.huawei.hwid.core", "platform"),
        ("com.example.demo.ui.Main", "own"),
        ("com.xiaomi.push.service.XMPushService", "own"),
        ("com.xiaomi.push.timer", "own"),
        ("com.xiaomi.mipush.ERROR", "not_a_package"),
        ("com.google.firebase.MESSAGING_EVENT", "not_a_package"),
        ("android.intent.action.VIEW", "not_a_package"),
        ("https://example.com", "not_a_package"),
        ("gcm.n.title", "maybe_other_app"),
        ("ctrip.android.view", "maybe_other_app"),
        ("com.other.app.WakeService", "maybe_other_app"),
        ("a.b", "maybe_other_app"),
    ],
)
def test_classify(text: str, kind: str) -> None:
    assert classify(text, AppCode.of(PACKAGE, CODE), PLATFORM) == kind


def test_a_name_deeper_in_an_embedded_sdks_namespace_is_not_firm() -> None:
    code = {"com.vendor.push.service": 30}
    assert classify("com.vendor.push.timer", AppCode.of(PACKAGE, code), []) == "maybe_other_app"
    assert classify("com.vendor.push", AppCode.of(PACKAGE, code), []) == "other_app", (
        "a three-label name may be the vendor's app"
    )


def test_one_label_obfuscated_packages_do_not_swallow_names() -> None:
    assert classify("a.other.app", AppCode.of(PACKAGE, {"a": 500}), []) == "maybe_other_app"
    assert classify("com.other.app", AppCode.of(PACKAGE, {"com": 3}), []) == "other_app"


def test_classify_all_groups_by_kind() -> None:
    grouped = classify_all(
        ["com.other.app", "com.google.android.gms", "com.xiaomi.mipush.ERROR"], AppCode.of(PACKAGE, CODE), PLATFORM
    )
    assert grouped == {
        "other_app": ["com.other.app"],
        "platform": ["com.google.android.gms"],
        "not_a_package": ["com.xiaomi.mipush.ERROR"],
    }
