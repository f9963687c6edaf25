"""Manifest facts: forged ground truth, Android's exported defaults, short names, real fixtures vs androguard."""

from __future__ import annotations

import pytest

from forge.apk.forge_fixtures import BOOT, sample_manifest
from ganzhi.collect.apk.manifest import read_manifest, resolve_class_name
from ganzhi.collect.apk.zipread import ApkArchive
from ganzhi.errors import InputError
from ganzhi.forge.apk.axml_writer import XmlNode, write_axml, write_manifest
from shared_data import shared_path


def test_forged_manifest_facts() -> None:
    facts = read_manifest(write_manifest(sample_manifest()), "forged")
    assert (facts.package, facts.version_code, facts.version_name) == ("com.example.app", 42, "4.2.0")
    assert (facts.min_sdk, facts.target_sdk) == (21, 30)
    assert facts.application_class == "com.example.app.App"
    perms = {p.name: p.sdk23_only for p in facts.permissions}
    assert perms == {
        "android.permission.INTERNET": False,
        "android.permission.READ_PHONE_STATE": False,
        "android.permission.RECEIVE_BOOT_COMPLETED": False,
        "android.permission.ACCESS_FINE_LOCATION": True,
    }
    comps = {c.name: c for c in facts.components}
    assert set(comps) == {
        "com.example.app.Main",
        "com.example.app.Detail",
        "com.example.app.BootReceiver",
        "com.igexin.sdk.PushService",
        "com.example.app.data.Provider",
    }
    boot = comps["com.example.app.BootReceiver"]
    assert boot.kind == "receiver"
    assert boot.exported
    assert boot.exported_declared is None
    assert boot.intent_filters[0].actions == [BOOT]
    assert boot.intent_filters[0].priority == 1000
    assert comps["com.example.app.Detail"].intent_filters[0].data[0].host == "example.com"
    push = comps["com.igexin.sdk.PushService"]
    assert push.exported_declared is True
    assert push.process == ":pushservice"
    assert push.meta_data == {"channel": "getui"}
    provider = comps["com.example.app.data.Provider"]
    assert provider.authorities == ["com.example.app.data", "com.example.app.alt"]
    assert not provider.exported
    assert facts.launcher_activities == ["com.example.app.Main"]
    assert facts.meta_data["UMENG_APPKEY"] == "5f0000000000000000000001"
    assert facts.queries.packages == ["com.tencent.mm", "com.eg.android.AlipayGphone"]
    assert facts.queries.intents[0].data[0].mime_type == "text/plain"
    assert facts.queries.providers == ["com.other.provider"]


def test_target_31_drops_the_implicit_export_and_says_why() -> None:
    facts = read_manifest(write_manifest(sample_manifest(target_sdk=31)), "forged")
    boot = next(c for c in facts.components if c.name.endswith("BootReceiver"))
    assert boot.exported is False
    # a build irregularity (Android refuses the install), not a trick that fools parsers
    assert any("BootReceiver" in a and "≥ 31" in a for a in facts.irregularities)
    assert facts.anomalies == []


def test_duplicate_permission_is_an_irregularity_and_two_applications_are_tampering() -> None:
    root = XmlNode("manifest", [(False, "package", "com.x")])
    for _ in range(2):
        root.add("uses-permission", (True, "name", "android.permission.CAMERA"))
    root.add("application", (True, "name", ".First"))
    root.add("application", (True, "name", ".Second"))
    facts = read_manifest(write_axml(root), "m.xml")
    assert [p.name for p in facts.permissions] == ["android.permission.CAMERA"]
    assert facts.irregularities == ["permission android.permission.CAMERA is requested more than once"]
    assert facts.anomalies == ["2 <application> elements; Android reads only the first"]
    assert facts.application_class == "com.x.First"


def test_short_names_resolve_against_the_package() -> None:
    assert resolve_class_name("com.a", ".Foo") == "com.a.Foo"
    assert resolve_class_name("com.a", "Foo") == "com.a.Foo"
    assert resolve_class_name("com.a", "org.b.Foo") == "org.b.Foo"


def test_attributes_are_found_by_resource_id_even_with_fake_names() -> None:
    root = XmlNode("manifest", [(False, "package", "com.x")])
    root.add("uses-permission", (True, "name", "android.permission.CAMERA"))
    data = bytearray(write_axml(root))
    # rename the string "name" (attribute with a resource id) to "zzzz": Android still reads it by id
    idx = data.find("name".encode("utf-16-le"))
    data[idx : idx + 8] = "zzzz".encode("utf-16-le")
    facts = read_manifest(bytes(data), "obfuscated")
    assert [p.name for p in facts.permissions] == ["android.permission.CAMERA"]


def test_malformed_manifest_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"m\.xml: binary XML is malformed"):
        read_manifest(b"\x03\x00\x08\x00\xff\xff\x00\x00garbage", "m.xml")
    with pytest.raises(InputError, match="no package attribute"):
        read_manifest(write_axml(XmlNode("manifest")), "m.xml")


REAL = [
    "a2dp.Vol_137.apk",
    "com.politedroid_4.apk",
    "AndroidManifest_ShortName.apk",
    "TestActivity.apk",
    "duplicate.permisssions_9999999.apk",
    "com.android.example.text.styling.apk",
    "Invalid.apk",
]


@pytest.mark.shared_data
@pytest.mark.parametrize("name", REAL)
def test_real_manifests_match_androguard(name: str) -> None:
    apk_mod = pytest.importorskip("androguard.core.apk", reason="androguard (dev oracle) not installed")
    path = shared_path("apk", "apks", "androguard", name)
    with ApkArchive(path) as archive:
        facts = read_manifest(archive.read("AndroidManifest.xml"), name)
    oracle = apk_mod.APK(str(path))
    assert facts.package == oracle.get_package()
    # androguard leaves uses-permission-sdk-23 out of get_permissions(); we keep them, flagged
    plain = {p.name for p in facts.permissions if not p.sdk23_only}
    assert sorted(plain) == sorted(set(oracle.get_permissions()))
    for kind, getter in (
        ("activity", oracle.get_activities),
        ("service", oracle.get_services),
        ("receiver", oracle.get_receivers),
        ("provider", oracle.get_providers),
    ):
        assert sorted(c.name for c in facts.components if c.kind == kind) == sorted(getter())
    if oracle.get_main_activity():
        assert oracle.get_main_activity() in facts.launcher_activities


@pytest.mark.shared_data
def test_a2dp_boot_receiver_and_short_names() -> None:
    with ApkArchive(shared_path("apk", "apks", "androguard", "a2dp.Vol_137.apk")) as archive:
        facts = read_manifest(archive.read("AndroidManifest.xml"), "a2dp")
    starter = next(c for c in facts.components if c.name == "a2dp.Vol.Starter")
    assert starter.kind == "receiver"
    assert starter.exported
    assert {BOOT, "android.intent.action.MY_PACKAGE_REPLACED"} <= set(starter.intent_filters[0].actions)
    assert len([c for c in facts.components if c.kind == "service"]) == 4
    with ApkArchive(shared_path("apk", "apks", "androguard", "AndroidManifest_ShortName.apk")) as archive:
        short = read_manifest(archive.read("AndroidManifest.xml"), "short")
    assert {c.name for c in short.components} == {"com.android.galaxy4.Galaxy4", "com.android.galaxy4.Galaxy4Wallpaper"}


@pytest.mark.shared_data
def test_duplicates_and_sdk23_permissions() -> None:
    path = shared_path("apk", "apks", "androguard", "duplicate.permisssions_9999999.apk")
    with ApkArchive(path) as archive:
        facts = read_manifest(archive.read("AndroidManifest.xml"), "dup")
    names = [p.name for p in facts.permissions]
    assert names.count("android.permission.INTERNET") == 1
    assert any("INTERNET is requested more than once" in a for a in facts.irregularities)
    assert not any("more than once" in a for a in facts.anomalies)
    sdk23 = {p.name: p.max_sdk for p in facts.permissions if p.sdk23_only}
    assert sdk23 == {
        "android.permission.REQUEST_IGNORE_BATTERY_OPTIMIZATIONS": 27,
        "android.permission.REQUEST_INSTALL_PACKAGES": None,
    }
