"""Call-site scanner: planted ground truth, the a2dp.Vol facts, and androguard xrefs as the oracle."""

from __future__ import annotations

import time
import zipfile
from collections import Counter

import pytest

from forge.apk.forge_fixtures import DEVICE_ID, GET_APPS, LAST_LOC, SAMPLE_CALLS, sample_dex
from ganzhi.collect.apk.callsites import MethodTarget, java_name, resolve_targets, scan_call_sites
from ganzhi.collect.apk.dex import DexFile
from ganzhi.forge.apk.dex_writer import write_dex
from ganzhi.forge.apk.generate import generate_apk
from shared_data import shared_path

A2DP_TARGETS = {
    "Landroid/content/pm/PackageManager;->getInstalledApplications",
    "Landroid/location/LocationManager;->getLastKnownLocation",
    "Landroid/location/LocationManager;->requestLocationUpdates",
    "Landroid/content/pm/PackageManager;->getLaunchIntentForPackage",
}


def _callers(dexes: list[DexFile], targets: list[str]) -> Counter[tuple[str, str, str]]:
    found: Counter[tuple[str, str, str]] = Counter()
    for dex in dexes:
        for site in scan_call_sites(dex, targets).call_sites:
            found[(site.api, site.caller_class, site.caller_method)] += 1
    return found


def test_planted_calls_are_found_exactly() -> None:
    dexes = [DexFile(write_dex(spec), f"classes{i or ''}.dex") for i, spec in enumerate(sample_dex())]
    found = _callers(dexes, [GET_APPS, DEVICE_ID, LAST_LOC])
    assert {(a, c, m, n) for (a, c, m), n in found.items()} == SAMPLE_CALLS


def test_target_without_proto_matches_every_overload_and_proto_filters() -> None:
    dex = DexFile(write_dex(sample_dex()[0]))
    assert len(resolve_targets(dex, [MethodTarget.parse("Lcom/example/app/Util;->wide")])) == 1
    assert resolve_targets(dex, [MethodTarget.parse("Lcom/example/app/Util;->wide(I)J")]) == {}
    assert resolve_targets(dex, [MethodTarget.parse("Lno/Such;->thing")]) == {}
    with pytest.raises(ValueError, match="not of the form"):
        MethodTarget.parse("android.content.pm.PackageManager.getInstalledApplications")
    assert str(MethodTarget.parse(GET_APPS)) == GET_APPS
    assert java_name("La/b/C$D;") == "a.b.C$D"


def test_scan_skips_decoding_when_nothing_matches() -> None:
    dex = DexFile(write_dex(sample_dex()[0]))
    result = scan_call_sites(dex, ["Landroid/telephony/SmsManager;->sendTextMessage"])
    assert result.call_sites == []
    assert result.candidates == 0
    assert result.decoded_methods == 0


def test_generated_multidex_ground_truth() -> None:
    apis = (GET_APPS, DEVICE_ID)
    generated = generate_apk(classes=2000, dex_files=3, planted_apis=apis, plant_every=37)
    dexes = [DexFile(write_dex(spec)) for spec in generated.spec.dex]
    found = _callers(dexes, list(apis))
    expected = Counter((p.api, p.caller_class, p.caller_method) for p in generated.planted)
    assert found == expected


@pytest.mark.shared_data
def test_a2dp_facts_from_the_research_report() -> None:
    apk = shared_path("apk", "apks", "androguard", "a2dp.Vol_137.apk")
    dex = DexFile(zipfile.ZipFile(apk).read("classes.dex"))
    start = time.perf_counter()
    sites = scan_call_sites(dex, sorted(A2DP_TARGETS)).call_sites
    elapsed = time.perf_counter() - start
    by_api: dict[str, set[str]] = {}
    for s in sites:
        by_api.setdefault(s.api.split("(")[0], set()).add(s.caller_class)
    pm, lm = "Landroid/content/pm/PackageManager;->", "Landroid/location/LocationManager;->"
    assert by_api[pm + "getInstalledApplications"] == {
        "a2dp.Vol.AppChooser$6",
        "a2dp.Vol.EditDevice$6",
        "a2dp.Vol.PackagesChooser$1",
    }
    assert by_api[lm + "getLastKnownLocation"] == {"a2dp.Vol.StoreLoc"}
    assert by_api[lm + "requestLocationUpdates"] == {"a2dp.Vol.StoreLoc"}
    assert by_api[pm + "getLaunchIntentForPackage"] == {"a2dp.Vol.service", "a2dp.Vol.EditDevice$6"}
    assert elapsed < 2.0


@pytest.mark.shared_data
def test_a2dp_matches_androguard_xrefs() -> None:
    misc = pytest.importorskip("androguard.misc", reason="androguard (dev oracle) not installed")
    apk = shared_path("apk", "apks", "androguard", "a2dp.Vol_137.apk")
    _, _, analysis = misc.AnalyzeAPK(str(apk))
    oracle: set[tuple[str, str, str]] = set()
    for target in A2DP_TARGETS:
        cls, name = target.split("->")
        for method in analysis.find_methods(classname=cls.replace("$", r"\$"), methodname=f"^{name}$"):
            api = f"{cls}->{name}"
            oracle |= {
                (api, java_name(str(c.name)), str(m.name) + str(m.descriptor).replace(" ", ""))
                for c, m, _ in method.get_xref_from()
            }
    dex = DexFile(zipfile.ZipFile(apk).read("classes.dex"))
    ours = {
        (s.api.split("(")[0], s.caller_class, s.caller_method)
        for s in scan_call_sites(dex, sorted(A2DP_TARGETS)).call_sites
    }
    assert ours == oracle
    assert len(ours) == 8
