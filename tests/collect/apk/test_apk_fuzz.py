"""Fuzzing: random and mutated DEX/AXML/ZIP bytes only ever raise InputError, and finish quickly."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forge.apk.forge_fixtures import DEVICE_ID, GET_APPS, LAST_LOC, sample_apk, sample_dex, sample_manifest
from ganzhi.collect.apk.callsites import MethodTarget
from ganzhi.collect.apk.manifest import read_manifest
from ganzhi.collect.apk.reader import read_apk, scan_dex_bytes
from ganzhi.errors import InputError
from ganzhi.forge.apk.axml_writer import write_manifest
from ganzhi.forge.apk.builder import build_entries
from ganzhi.forge.apk.dex_writer import write_dex

DEX = write_dex(sample_dex()[0])
AXML = write_manifest(sample_manifest())
TARGETS = [MethodTarget.parse(t) for t in (GET_APPS, DEVICE_ID, LAST_LOC)]
TIME_BOUND = 2.0
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _mutations(size: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    return st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, 255)), min_size=1, max_size=24)


def _apply(base: bytes, edits: list[tuple[int, int]], cut: int) -> bytes:
    data = bytearray(base)
    for pos, value in edits:
        data[pos] = value
    return bytes(data[: max(cut, 0)] if cut < len(data) else data)


def _dex_pipeline(data: bytes) -> None:
    start = time.perf_counter()
    error: InputError | None = None
    try:
        scan = scan_dex_bytes(data, "classes.dex", TARGETS, "fuzz!classes.dex")
        assert all(isinstance(p, str) for p in scan.problems)
    except InputError as exc:
        error = exc
    assert error is None or "fuzz!classes.dex" in str(error)
    assert time.perf_counter() - start < TIME_BOUND


def _manifest_pipeline(data: bytes) -> None:
    start = time.perf_counter()
    error: InputError | None = None
    try:
        read_manifest(data, "fuzz!AndroidManifest.xml")
    except InputError as exc:
        error = exc
    assert error is None or "fuzz!AndroidManifest.xml" in str(error)
    assert time.perf_counter() - start < TIME_BOUND


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_as_dex(data: bytes) -> None:
    _dex_pipeline(b"dex\n035\x00" + data if data[:1] == b"\x00" else data)


@FUZZ
@given(_mutations(len(DEX)), st.integers(0, len(DEX) + 1))
def test_mutated_dex(edits: list[tuple[int, int]], cut: int) -> None:
    _dex_pipeline(_apply(DEX, edits, cut))


@FUZZ
@given(_mutations(0x70), st.integers(0, len(DEX) + 1))
def test_mutated_dex_header(edits: list[tuple[int, int]], cut: int) -> None:
    _dex_pipeline(_apply(DEX, edits, cut))


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_as_manifest(data: bytes) -> None:
    _manifest_pipeline(b"\x03\x00\x08\x00" + data if data[:1] == b"\x00" else data)


@FUZZ
@given(_mutations(len(AXML)), st.integers(0, len(AXML) + 1))
def test_mutated_manifest(edits: list[tuple[int, int]], cut: int) -> None:
    _manifest_pipeline(_apply(AXML, edits, cut))


def test_mutated_whole_apk_files(tmp_path: Path) -> None:
    import random
    import zipfile

    base = tmp_path / "base.apk"
    with zipfile.ZipFile(base, "w", zipfile.ZIP_STORED) as zf:
        for name, data in build_entries(sample_apk()).items():
            zf.writestr(name, data)
    raw = base.read_bytes()
    rng = random.Random(524)
    for i in range(60):
        data = bytearray(raw)
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        target = tmp_path / f"m{i}.apk"
        target.write_bytes(bytes(data[: rng.randint(len(data) // 2, len(data))]) if i % 3 == 0 else bytes(data))
        start = time.perf_counter()
        error: InputError | None = None
        try:
            read_apk(target)
        except InputError as exc:
            error = exc
        assert error is None or str(target) in str(error)
        assert time.perf_counter() - start < TIME_BOUND
