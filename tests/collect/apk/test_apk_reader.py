"""read_apk end to end: forged ground truth, apk_static evidence, signers vs androguard, real APKs."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from forge.apk.forge_fixtures import DEVICE_ID, GET_APPS, LAST_LOC, SAMPLE_CALLS, sample_apk
from ganzhi.collect.apk.reader import apk_evidence, read_apk
from ganzhi.collect.apk.signers import FormatError, pkcs7_certificates, signing_block_certificates
from ganzhi.collect.apk.targets import default_targets
from ganzhi.evidence.apk import ApkStatic
from ganzhi.evidence.base import Evidence, EvidenceSet
from ganzhi.forge.apk.builder import write_apk
from shared_data import shared_path


def test_forged_apk_end_to_end(tmp_path: Path) -> None:
    path = write_apk(sample_apk(), tmp_path / "sample.apk")
    facts = read_apk(path, targets=[GET_APPS, DEVICE_ID, LAST_LOC])
    s = facts.static
    assert s.package == "com.example.app"
    assert s.version_code == 42
    assert s.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert s.size == path.stat().st_size
    assert {(c.api, c.caller_class, c.caller_method, c.count) for c in s.api_calls} == SAMPLE_CALLS
    assert {c.dex for c in s.api_calls} == {"classes.dex", "classes2.dex"}
    assert s.native_libs == {"arm64-v8a": ["libapp.so", "libjiagu.so"], "armeabi-v7a": ["libapp.so"]}
    assert s.packages == {"com.example.app": 4, "com.igexin.sdk": 1}
    assert [d.classes for d in s.dex] == [4, 1]
    assert s.dex_bytes == sum(d.size for d in s.dex)
    assert s.signers == []
    assert s.problems == []
    assert s.anomalies == []
    assert len(facts.call_sites) == sum(c.count for c in s.api_calls)


def test_default_targets_find_the_planted_calls(tmp_path: Path) -> None:
    facts = read_apk(write_apk(sample_apk(), tmp_path / "sample.apk"))
    apis = {c.api for c in facts.static.api_calls}
    assert {GET_APPS, DEVICE_ID, LAST_LOC} <= apis
    assert all(t.count("->") == 1 for t in default_targets())


def test_evidence_round_trips_as_json(tmp_path: Path) -> None:
    facts = read_apk(write_apk(sample_apk(), tmp_path / "sample.apk"))
    evidence = apk_evidence(facts)
    assert evidence.kind == "apk_static"
    assert evidence.subject.key == "app:com.example.app@4.2.0"
    again = Evidence.model_validate(json.loads(evidence.model_dump_json()))
    assert again.id == evidence.id
    payload = EvidenceSet(evidence.subject, [again]).one(ApkStatic)
    assert payload == facts.static
    assert payload.permission_names()[0] == "android.permission.INTERNET"
    assert [c.name for c in payload.components_of("receiver")] == ["com.example.app.BootReceiver"]


def test_signature_parsers_reject_garbage() -> None:
    with pytest.raises(FormatError, match="SEQUENCE"):
        pkcs7_certificates(b"\x02\x01\x00")
    with pytest.raises(FormatError, match="runs past"):
        pkcs7_certificates(b"\x30")
    with pytest.raises(FormatError, match="declares"):
        signing_block_certificates(b"\xff" * 8 + b"\x1a\x87\x09\x71" + b"\x00" * 8)


SIGNED = [
    "a2dp.Vol_137.apk",
    "com.politedroid_4.apk",
    "TestActivity.apk",
    "apksig-v1-only-with-rsa-pkcs1-sha256-1.2.840.113549.1.1.11-1024.apk",
    "apksig-v2-only-with-rsa-pkcs1-sha256-2048.apk",
    "com.android.example.text.styling.apk",
]


@pytest.mark.shared_data
@pytest.mark.parametrize("name", SIGNED)
def test_signers_match_androguard(name: str) -> None:
    apk_mod = pytest.importorskip("androguard.core.apk", reason="androguard (dev oracle) not installed")
    path = shared_path("apk", "apks", "androguard", name)
    signers = read_apk(path).static.signers
    oracle = apk_mod.APK(str(path))
    by_scheme: dict[str, set[str]] = {}
    for s in signers:
        by_scheme.setdefault(s.scheme, set()).add(s.sha256)
    v1 = {hashlib.sha256(c.dump()).hexdigest() for c in oracle.get_certificates_v1() if c is not None}
    v2 = {hashlib.sha256(c).hexdigest() for c in oracle.get_certificates_der_v2()} if oracle.is_signed_v2() else set()
    assert by_scheme.get("v1", set()) == v1
    assert by_scheme.get("v2", set()) == v2
    assert signers


@pytest.mark.shared_data
def test_a2dp_summary_and_speed() -> None:
    path = shared_path("apk", "apks", "androguard", "a2dp.Vol_137.apk")
    start = time.perf_counter()
    s = read_apk(path).static
    elapsed = time.perf_counter() - start
    assert s.package == "a2dp.Vol"
    assert s.version_code == 137
    assert s.version_name == "2.12.9.2"
    assert (s.min_sdk, s.target_sdk) == (15, 25)
    assert s.application_class == "a2dp.Vol.MyApplication"
    assert len(s.permissions) == 17
    assert s.launcher_activities == ["a2dp.Vol.main"]
    assert s.dex[0].classes == 1353
    assert [x.scheme for x in s.signers] == ["v1"]
    callers = {c.caller_class for c in s.api_calls if "getInstalledApplications" in c.api}
    assert callers == {"a2dp.Vol.AppChooser$6", "a2dp.Vol.EditDevice$6", "a2dp.Vol.PackagesChooser$1"}
    assert elapsed < 2.0, f"read_apk took {elapsed:.2f}s"
