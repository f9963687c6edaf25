"""Which SDKs the T6/T7 list cross-checks hold an app to: only those whose code the scan found."""

from __future__ import annotations

from ganzhi.collect.lists.apk_facts import app_pi_facts, counted_matches
from ganzhi.evidence.apk import ApkStatic, Component, SdkRef

SHA = "0" * 64


def _static(**fields: object) -> ApkStatic:
    return ApkStatic.model_validate({"package": "com.example.app", "sha256": SHA, "size": 1, **fields})


def _ref(sdk_id: str, presence: str, prefix: str) -> SdkRef:
    return SdkRef(
        id=sdk_id,
        name=sdk_id,
        category="push",
        confidence="high" if presence == "code" else "low",
        matched_by=[f"class_prefix:{prefix}"],
        presence=presence,
        classes=200 if presence == "code" else 0,
    )


def test_declared_and_stub_sdks_are_not_counted_once_the_scan_judged_presence() -> None:
    static = _static(
        packages={"com.igexin.push": 300, "com.xiaomi.push": 2},
        components=[Component(kind="service", name="com.vivo.push.sdk.service.CommandClientService", exported=True)],
        sdks=[
            _ref("getui", "code", "com.igexin."),
            _ref("xiaomi_push", "stub", "com.xiaomi.push."),
            _ref("vivo_push", "declared", "com.vivo.push."),
        ],
        analyses=["sdks"],
    )
    ids = [m.id for m in counted_matches(static)]
    assert ids == ["getui"]
    assert [s.id for s in app_pi_facts(static).sdks] == ids


def test_sdk_the_inventory_no_longer_knows_is_kept_from_the_evidence() -> None:
    static = _static(sdks=[_ref("vendor-x", "code", "com.vendorx.")], analyses=["sdks"])
    (match,) = counted_matches(static)
    assert match.id == "vendor-x" and [m.value for m in match.matched_by] == ["com.vendorx."]


def test_sdks_the_scan_did_not_judge_are_judged_from_package_class_counts() -> None:
    demo = _static(package="com.igexin.demo", packages={"com.igexin.demo": 40, "com.igexin.demo.ui": 8})
    assert counted_matches(demo) == [], "a vendor's demo app is not its SDK"
    app = _static(package="com.example.app", packages={"com.igexin.push": 300, "com.example.app": 10})
    assert [m.id for m in counted_matches(app)] == ["getui"], "Getui code outside the app's namespace is an SDK"
    stub = _static(packages={"com.igexin.push": 3}, analyses=["sdks"])
    assert counted_matches(stub) == [], "three classes are a stub, not the SDK"
    declared = _static(
        components=[Component(kind="service", name="com.igexin.sdk.PushService", exported=False)], analyses=["sdks"]
    )
    assert counted_matches(declared) == [], "a manifest entry alone does not make the SDK present"
