"""Which system broadcasts still reach a manifest receiver, by targetSdk (Android 7 and 8 limits)."""

from __future__ import annotations

import pytest

from ganzhi.rules.android.broadcasts import reaches_manifest_receiver, stopped_at


@pytest.mark.parametrize(
    ("action", "target_sdk", "reaches"),
    [
        ("android.intent.action.BOOT_COMPLETED", 34, True),
        ("android.intent.action.LOCKED_BOOT_COMPLETED", 34, True),
        ("android.net.conn.CONNECTIVITY_CHANGE", 23, True),
        ("android.net.conn.CONNECTIVITY_CHANGE", 24, False),
        ("android.intent.action.USER_PRESENT", 25, True),
        ("android.intent.action.USER_PRESENT", 26, False),
        ("android.intent.action.ACTION_POWER_CONNECTED", 28, False),
        ("android.intent.action.PACKAGE_ADDED", 30, False),
        ("android.intent.action.PACKAGE_FULLY_REMOVED", 30, True),
        ("android.intent.action.USER_PRESENT", None, True),
        ("cn.jpush.android.intent.REGISTRATION", 34, True),
    ],
)
def test_delivery_by_target_sdk(action: str, target_sdk: int | None, reaches: bool) -> None:
    assert reaches_manifest_receiver(action, target_sdk) is reaches


def test_the_android_version_that_stopped_each() -> None:
    assert stopped_at("android.net.conn.CONNECTIVITY_CHANGE") == 24
    assert stopped_at("android.intent.action.USER_PRESENT") == 26
    assert stopped_at("android.intent.action.BOOT_COMPLETED") is None
