"""Forged APKs are real: androguard reads manifest, classes and xrefs; big APKs come out quickly."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from forge.apk.forge_fixtures import BOOT, GET_APPS, sample_apk, sample_manifest
from ganzhi.collect.apk.axml import parse_axml
from ganzhi.forge.apk.axml_writer import XmlNode, write_axml, write_manifest
from ganzhi.forge.apk.builder import build_entries, dex_entry_name, write_apk
from ganzhi.forge.apk.generate import generate_apk


def test_entries_have_the_expected_names(tmp_path: Path) -> None:
    path = write_apk(sample_apk(), tmp_path / "sample.apk")
    names = zipfile.ZipFile(path).namelist()
    assert names[:3] == ["AndroidManifest.xml", "classes.dex", "classes2.dex"]
    assert {"lib/arm64-v8a/libjiagu.so", "lib/armeabi-v7a/libapp.so", "assets/config.json"} <= set(names)
    assert [dex_entry_name(i) for i in range(3)] == ["classes.dex", "classes2.dex", "classes3.dex"]
    assert zipfile.ZipFile(path).read("lib/arm64-v8a/libapp.so")[:4] == b"\x7fELF"


def test_colliding_file_entry_is_refused() -> None:
    spec = sample_apk()
    spec.files["classes.dex"] = b"x"
    with pytest.raises(ValueError, match="collides"):
        build_entries(spec)


@pytest.mark.parametrize("utf8", [False, True])
def test_axml_round_trips_through_our_parser(utf8: bool) -> None:
    root = parse_axml(write_manifest(sample_manifest(), utf8=utf8))
    assert root.plain["package"] == "com.example.app"
    assert root.get("versionCode") == 42
    assert root.get("versionName") == "4.2.0"
    receiver = next(e for e in root.iter("application")[0].children if e.tag == "receiver")
    assert receiver.iter("intent-filter")[0].get("priority") == 1000
    assert receiver.iter("intent-filter")[0].iter("action")[0].get("name") == BOOT


def test_axml_long_and_non_ascii_strings_round_trip() -> None:
    long_name = "中文名称" * 100 + "x" * 300
    root = XmlNode("manifest", [(False, "package", "p")])
    root.add("application", (True, "label", long_name))
    for utf8 in (False, True):
        parsed = parse_axml(write_axml(root, utf8=utf8))
        assert parsed.iter("application")[0].get("label") == long_name


def test_androguard_reads_the_forged_manifest_and_xrefs(tmp_path: Path) -> None:
    misc = pytest.importorskip("androguard.misc", reason="androguard (dev oracle) not installed")
    path = write_apk(sample_apk(), tmp_path / "sample.apk")
    apk, dexes, analysis = misc.AnalyzeAPK(str(path))
    assert apk.get_package() == "com.example.app"
    assert apk.get_androidversion_code() == "42"
    assert apk.get_androidversion_name() == "4.2.0"
    assert "android.permission.READ_PHONE_STATE" in apk.get_permissions()
    assert apk.get_main_activity() == "com.example.app.Main"
    assert "com.example.app.BootReceiver" in apk.get_receivers()
    assert len(dexes) == 2
    callers = set()
    for method in analysis.find_methods(
        classname="Landroid/content/pm/PackageManager;", methodname="getInstalledApplications"
    ):
        callers |= {(str(c.name), str(m.name)) for c, m, _ in method.get_xref_from()}
    assert callers == {("Lcom/example/app/Main;", "run")}


def test_generator_plants_known_calls_and_is_fast(tmp_path: Path) -> None:
    start = time.perf_counter()
    generated = generate_apk(classes=3000, dex_files=3, planted_apis=(GET_APPS,), plant_every=50)
    path = write_apk(generated.spec, tmp_path / "gen.apk")
    elapsed = time.perf_counter() - start
    names = zipfile.ZipFile(path).namelist()
    assert [n for n in names if n.endswith(".dex")] == ["classes.dex", "classes2.dex", "classes3.dex"]
    assert len(generated.planted) == 60
    assert elapsed < 20, f"forging 3000 classes took {elapsed:.1f}s"
    with pytest.raises(ValueError, match="must be"):
        generate_apk(classes=0)


def test_generator_splits_over_more_dex_files_when_one_would_overflow() -> None:
    generated = generate_apk(classes=16_000, methods_per_class=4, dex_files=1)
    assert len(generated.spec.dex) == 2  # 16 000 x 5 method refs do not fit one DEX file
