"""ZIP64 archives give the same facts as the plain APK; code that cannot be read is recorded, never skipped quietly."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from collect.apk.zip64_fixtures import break_sizes, entries_of, rewrite_zip64, zip64_eocd_archive
from forge.apk.forge_fixtures import sample_apk
from ganzhi.collect.apk.analyze import analyze_apk
from ganzhi.collect.apk.reader import read_apk
from ganzhi.collect.apk.zipread import ApkArchive, zip64_extra, zip64_values
from ganzhi.demo.platform import demo_apk
from ganzhi.errors import InputError
from ganzhi.evidence.apk import ApkStatic
from ganzhi.forge.apk.builder import write_apk

FACTS = ("dex", "packages", "api_calls", "sdks", "self_start", "associated_start", "pre_consent", "packers")


def _facts(static: ApkStatic) -> dict[str, Any]:
    dumped = static.model_dump(mode="json")
    return {name: dumped[name] for name in FACTS}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ApkStatic]:
    path = demo_apk(tmp_path_factory.mktemp("zip64") / "demo.apk")
    return path, analyze_apk(path).static


def test_demo_apk_has_code_findings_to_lose(demo: tuple[Path, ApkStatic]) -> None:
    _, static = demo
    assert static.api_calls and static.sdks and static.pre_consent
    assert static.unreadable_code == [] and static.code_complete


def test_force_zip64_dex_entries_give_the_same_facts(demo: tuple[Path, ApkStatic], tmp_path: Path) -> None:
    path, original = demo
    rewritten = rewrite_zip64(path, tmp_path / "zip64-dex.apk")
    with zipfile.ZipFile(rewritten) as zf:  # the fixture really is ZIP64: placeholders in the local headers
        raw = rewritten.read_bytes()
        header = zf.getinfo("classes.dex").header_offset
        assert raw[header + 18 : header + 26] == b"\xff" * 8
    static = analyze_apk(rewritten).static
    assert _facts(static) == _facts(original)
    assert static.problems == [] and static.unreadable_code == []


def test_every_entry_zip64_gives_the_same_facts(demo: tuple[Path, ApkStatic], tmp_path: Path) -> None:
    path, original = demo
    rewritten = rewrite_zip64(path, tmp_path / "zip64-all.apk", only=lambda name: True)
    static = analyze_apk(rewritten).static
    assert _facts(static) == _facts(original)
    assert static.package == original.package and static.permissions == original.permissions
    assert static.unreadable_code == []


def test_hand_assembled_zip64_end_record_is_followed(demo: tuple[Path, ApkStatic], tmp_path: Path) -> None:
    path, original = demo
    entries = entries_of(path)
    data = zip64_eocd_archive(entries)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # a valid ZIP64 archive by the standard library's reading
        assert zf.namelist() == list(entries)
        assert all(zf.getinfo(n).header_offset >= 0 for n in entries)
    target = tmp_path / "zip64-eocd.apk"
    target.write_bytes(data)
    with ApkArchive(target) as archive:
        assert archive.names == list(entries)
        assert archive.anomalies == []
        assert archive.central_directory_offset == data.index(b"PK\x01\x02")
        for name, content in entries.items():
            assert archive.read(name) == content
    static = analyze_apk(target).static
    assert _facts(static) == _facts(original)
    assert static.unreadable_code == []


def test_zip64_locator_pointing_past_the_file_is_an_input_error(tmp_path: Path) -> None:
    data = bytearray(zip64_eocd_archive({"a.txt": b"hello"}))
    locator = data.rindex(b"PK\x06\x07")
    data[locator + 8 : locator + 16] = (10**9).to_bytes(8, "little")
    target = tmp_path / "bad-locator.apk"
    target.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"bad-locator\.apk: ZIP64 end-of-central-directory locator points"):
        ApkArchive(target)


def test_zip64_extra_parsing() -> None:
    extra = b"\x0a\x00\x04\x00abcd" + b"\x01\x00\x10\x00" + (5).to_bytes(8, "little") + (7).to_bytes(8, "little")
    field = zip64_extra(extra)
    assert field is not None and zip64_values(field, 2) == [5, 7]
    assert zip64_values(field, 3) == [5, 7]
    assert zip64_extra(b"\x0a\x00\x04\x00abcd") is None


def test_unreadable_dex_is_recorded_not_skipped_quietly(demo: tuple[Path, ApkStatic], tmp_path: Path) -> None:
    path, _ = demo
    broken = tmp_path / "broken-dex.apk"
    broken.write_bytes(break_sizes(path.read_bytes(), "classes.dex"))
    static = analyze_apk(broken).static
    assert static.unreadable_code == ["classes.dex"]
    assert not static.code_complete
    assert any("classes.dex" in p and "runs past" in p for p in static.problems)


def test_unreadable_native_library_is_recorded(tmp_path: Path) -> None:
    path = write_apk(sample_apk(), tmp_path / "with-lib.apk")
    assert read_apk(path).static.unreadable_code == []
    broken = tmp_path / "broken-lib.apk"
    broken.write_bytes(break_sizes(path.read_bytes(), "lib/arm64-v8a/libapp.so"))
    static = read_apk(broken).static
    assert static.unreadable_code == ["lib/arm64-v8a/libapp.so"]
    assert any(p.startswith("native library ") and "libapp.so" in p for p in static.problems)


def test_old_evidence_without_the_field_stays_valid(demo: tuple[Path, ApkStatic]) -> None:
    _, static = demo
    data = static.model_dump(mode="json")
    del data["unreadable_code"]
    assert ApkStatic.model_validate(data).code_complete
