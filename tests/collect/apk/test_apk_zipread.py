"""ZIP layer: tampered real fixtures, zip bombs, hostile names, missing manifest, non-ZIP input."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import pytest

from forge.apk.forge_fixtures import sample_apk
from ganzhi.collect.apk.limits import ApkLimits
from ganzhi.collect.apk.reader import read_apk
from ganzhi.collect.apk.zipread import ApkArchive, hostile_name_problem
from ganzhi.errors import InputError
from ganzhi.forge.apk.builder import write_apk
from shared_data import shared_path

TAMPERED = ["minimal_orig.apk", "minimal_def_mod.apk", "minimal_zero_sized_end_ns.apk", "eocd_at_offset_1026.apk"]


@pytest.mark.shared_data
@pytest.mark.parametrize("name", TAMPERED)
def test_tampered_zips_parse(name: str) -> None:
    facts = read_apk(shared_path("apk", "apks", "apkinspector", name)).static
    assert facts.package in {"com.erev0s.minimal", "android.appsecurity.cts.tinyapp"}
    assert facts.dex
    assert facts.launcher_activities


@pytest.mark.shared_data
def test_bogus_compression_method_is_reported_as_anomaly() -> None:
    facts = read_apk(shared_path("apk", "apks", "apkinspector", "minimal_def_mod.apk")).static
    assert any("unknown compression method" in a for a in facts.anomalies)


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "bomb.apk", {"classes.dex": b"\x00" * (8 << 20)})
    with ApkArchive(path) as archive, pytest.raises(InputError, match="zip bomb"):
        archive.read("classes.dex")
    with ApkArchive(path, ApkLimits(max_entry_bytes=1 << 20)) as archive, pytest.raises(InputError, match="limit"):
        archive.read("classes.dex")


def test_total_inflated_budget_is_enforced(tmp_path: Path) -> None:
    path = _zip(tmp_path / "many.apk", {f"f{i}": bytes(range(256)) * 400 for i in range(4)})
    with ApkArchive(path, ApkLimits(max_total_inflated=250_000)) as archive:
        archive.read("f0")
        archive.read("f1")
        with pytest.raises(InputError, match="limit"):
            archive.read("f2")


def test_hostile_names_are_anomalies_not_crashes(tmp_path: Path) -> None:
    spec = sample_apk()
    spec.files.update({"../../evil.sh": b"x", "/etc/passwd": b"x", "lib\\x86\\a.so": b"x", "a\x01b": b"x"})
    facts = read_apk(write_apk(spec, tmp_path / "names.apk")).static
    text = " | ".join(facts.anomalies)
    assert "climbs out" in text
    assert "absolute" in text
    assert "backslashes" in text
    assert "control" in text
    assert hostile_name_problem("assets/ok.txt") is None


def test_missing_manifest_and_non_zip_are_input_errors(tmp_path: Path) -> None:
    no_manifest = _zip(tmp_path / "nomanifest.apk", {"classes.dex": b"dex"})
    with pytest.raises(InputError, match=r"nomanifest\.apk: no AndroidManifest\.xml entry"):
        read_apk(no_manifest)
    junk = tmp_path / "junk.apk"
    junk.write_bytes(b"this is not a zip file" * 100)
    with pytest.raises(InputError, match=r"junk\.apk: not a readable ZIP"):
        read_apk(junk)
    with pytest.raises(InputError, match="cannot read the file"):
        read_apk(tmp_path / "missing.apk")
    with pytest.raises(InputError, match="above the limit"):
        read_apk(junk, limits=ApkLimits(max_apk_bytes=100))


@pytest.mark.shared_data
def test_real_missing_manifest_and_empty_zip() -> None:
    with pytest.raises(InputError, match=r"no AndroidManifest\.xml entry"):
        read_apk(shared_path("apk", "apks", "androguard", "apksig-v3-only-empty.apk"))
    multidex = shared_path("apk", "apks", "androguard", "multidex.apk")
    with pytest.raises(InputError, match=r"no AndroidManifest\.xml entry"):
        read_apk(multidex)
    with ApkArchive(multidex) as archive:
        assert archive.dex_names() == ["classes.dex", "classes2.dex"]


def test_broken_dex_is_a_problem_not_a_failure(tmp_path: Path) -> None:
    spec = sample_apk()
    spec.files["classes3.dex"] = b"dex\n035\x00" + b"\x00" * 200
    facts = read_apk(write_apk(spec, tmp_path / "brokendex.apk")).static
    assert [d.name for d in facts.dex] == ["classes.dex", "classes2.dex"]
    assert any("classes3.dex" in p and "malformed DEX" in p for p in facts.problems)


def _declare_smaller(path: Path, name: str, size: int) -> None:
    """Rewrite the uncompressed size that the local and central headers declare for `name`."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at >= 0:
            if data[at + name_at : at + name_at + len(encoded)] == encoded:
                data[at + size_at : at + size_at + 4] = size.to_bytes(4, "little")
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def test_inflating_past_the_declared_size_is_refused(tmp_path: Path) -> None:
    payload = bytes(range(256)) * 64
    path = _zip(tmp_path / "liar.apk", {"classes.dex": payload, "other.bin": payload})
    _declare_smaller(path, "classes.dex", 1000)
    with ApkArchive(path) as archive:
        with pytest.raises(InputError, match="declared size of 1000"):
            archive.read_buffer("classes.dex")
        assert archive.read_buffer("other.bin") == payload  # the honest entry, into its one buffer
        assert archive.read("other.bin") == payload


def test_a_header_declaring_a_huge_size_does_not_allocate_it(tmp_path: Path) -> None:
    payload = b"dex\n035\x00" * 100
    path = _zip(tmp_path / "big.apk", {"classes.dex": payload})
    _declare_smaller(path, "classes.dex", 400 << 20)  # declares 400 MiB, holds 800 bytes
    tracemalloc.start()
    try:
        with ApkArchive(path) as archive:
            data = archive.read_buffer("classes.dex")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20
    assert data == payload
    assert isinstance(data, bytearray) and len(data) == len(payload)


def test_a_zip_bomb_is_refused_before_its_output_is_held(tmp_path: Path) -> None:
    """64 MiB of zeros from ~64 KB: refused once the output passes the ratio limit (~13 MiB), not after inflating."""
    path = _zip(tmp_path / "bomb.apk", {"classes.dex": b"\x00" * (64 << 20)})
    tracemalloc.start()
    try:
        with ApkArchive(path) as archive, pytest.raises(InputError, match="zip bomb"):
            archive.read_buffer("classes.dex")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20, f"peak {peak >> 20} MiB while refusing a 64 MiB bomb"
