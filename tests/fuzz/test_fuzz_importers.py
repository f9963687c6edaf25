"""Short fuzz run of every importer and parser (the long run is `python -m benchmarks.fuzz --minutes N`).

Each target gets its seeds plus a few mutated inputs (byte flips, truncation, inflated declared sizes, zip
entry rewrites, deep nesting, huge strings). Every target must show no crash and no hang (issue 20: one
boundary per importer turns any library failure into the project's input error); a failure names the input
recipe and the traceback.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

INPUTS_PER_TARGET = 14
SECONDS_PER_TARGET = 2.0


@pytest.mark.parametrize("name", sorted(harness.by_name()))
def test_short_fuzz_run(name: str) -> None:
    target = harness.by_name()[name]
    tally = harness.fuzz(target, seconds=SECONDS_PER_TARGET, max_inputs=INPUTS_PER_TARGET, seed=20, time_limit_s=10)
    assert tally.tried >= len(target.seeds())
    found = "\n".join(f"{s['kind']}: {s['recipe']}: {s['error']}\n{s['trace']}" for s in tally.samples)
    assert (tally.crashes, tally.hangs) == (0, 0), found


def test_seeds_are_valid_inputs() -> None:
    """Every unmutated seed is accepted as-is (so mutations start from real files)."""
    for target in harness.targets():
        if target.name == "usage_parquet":
            continue
        outcome = harness.run_one(target, target.seeds()[0], "seed 0")
        assert outcome.kind == "ok", (target.name, outcome.error, outcome.trace)


def test_shared_data_seeds_join_the_corpus() -> None:
    if not harness.SHARED_DATA.is_dir():
        pytest.skip(f"third-party data not available: {harness.SHARED_DATA} (set GANZHI_SHARED_DATA)")
    gkd = harness.SHARED_DATA / "ui" / "gkd"
    if not any(gkd.glob("*.json")):
        pytest.skip(f"no GKD snapshots under {gkd}")
    assert len(harness.gkd_seeds()) > 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048) | st.builds(lambda a, b: harness.SIP_INVITE[:a] + b, st.integers(0, 400), st.binary()))
def test_sip_parser_only_raises_its_own_error(data: bytes) -> None:
    from ganzhi.collect.hotline.sip_message import SipParseError, parse_message, sdp_media

    try:
        message = parse_message(data)
    except SipParseError:
        return
    message.to_bytes()
    sdp_media(message.body)


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=30))  # fmt: skip
def test_gkd_parser_only_raises_hierarchy_errors(doc: object) -> None:
    import json

    from ganzhi.collect.ui.hierarchy import HierarchyError, parse_gkd

    body = {"appId": "a", "screenWidth": doc, "nodes": [{"id": 0, "pid": -1, "attr": doc}]} if doc else doc
    with contextlib.suppress(HierarchyError):
        parse_gkd(json.dumps(body).encode())


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet='<>/ ="abcnodehirty\n&;!-[]0123456789,', max_size=400))
def test_uiautomator_parser_only_raises_hierarchy_errors(text: str) -> None:
    from ganzhi.collect.ui.hierarchy import HierarchyError, parse_uiautomator

    with contextlib.suppress(HierarchyError):
        parse_uiautomator(("<hierarchy>" + text).encode())


def test_zip_bomb_member_is_a_valid_archive_with_the_declared_size() -> None:
    """The precomputed bomb stream must inflate to exactly what the headers claim (CRC checked by `testzip`)."""
    import io
    import random
    import zipfile

    seed = harness.apk_seeds()[0]
    rng = random.Random(2)
    seen = set()
    for _ in range(6):
        bomb = harness.zip_bomb_member(seed, rng)
        with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
            big = [i for i in archive.infolist() if i.file_size >= 40 << 20]
            assert len(big) == 1 and big[0].compress_size < 2 << 20
            assert sorted(archive.namelist()) == sorted(zipfile.ZipFile(io.BytesIO(seed)).namelist())
            if big[0].file_size == 40 << 20:
                assert archive.testzip() is None
            seen.add(big[0].file_size)
    assert 40 << 20 in seen


def test_deflated_zip_round_trips_members_and_non_ascii_names() -> None:
    import io
    import zipfile
    import zlib

    body = "我们收集您的手机号码".encode() * 50
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    raw = (packer.compress(b"xyz") + packer.flush(), zlib.crc32(b"xyz"), 3)
    data = harness.deflated_zip([("政策.txt", body), ("a/b.bin", b""), ("raw.xml", b"ignored")], {"raw.xml": raw})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.read("政策.txt") == body and archive.read("a/b.bin") == b"" and archive.read("raw.xml") == b"xyz"


def test_deflate_corrupt_survives_archives_with_impossible_offsets() -> None:
    """The central directory's stated offset lies past its real place: zipfile then reports a negative offset."""
    import io
    import random
    import struct
    import zipfile

    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("AndroidManifest.xml", b"<manifest/>" * 40)
    data = bytearray(plain.getvalue())
    end = data.rfind(b"PK\x05\x06")
    (cd_offset,) = struct.unpack_from("<I", data, end + 16)
    struct.pack_into("<I", data, end + 16, cd_offset + 1000)
    assert [i.header_offset for i in zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()] == [-1000]
    for k in range(20):
        assert isinstance(harness.deflate_corrupt(bytes(data), random.Random(k)), bytes)


def test_shared_spread_picks_small_and_large_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "apk" / "apks"
    folder.mkdir(parents=True)
    for size in (10, 3_000, 50_000, 400_000, 900_000, 5_000_000):
        (folder / f"f{size}.apk").write_bytes(b"x" * size)
    monkeypatch.setattr(harness, "SHARED_DATA", tmp_path)
    picked = harness._shared("apk", "apks", pattern="*.apk", limit=3, min_bytes=100, max_bytes=1_000_000, spread=True)
    assert [len(b) for b in picked] == [3_000, 400_000, 900_000]
    first = harness._shared("apk", "apks", pattern="*.apk", limit=2, max_bytes=1_000_000)
    assert sorted(len(b) for b in first) == [10, 3_000]  # path order: f10, f3000 (not by size)


def test_fuzz_names_the_input_with_the_largest_memory_peak(tmp_path: Path) -> None:
    """Each input gets its own peak-RSS window: a target that allocates 120 MB on one input is named."""
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("peak-RSS windows need Linux /proc/self/clear_refs")

    def run(path: Path, scratch: Path) -> object:
        body = path.read_bytes()
        if body.startswith(b"big"):
            block = bytearray(120 << 20)
            block[::4096] = b"\x01" * len(block[::4096])
            return len(block)
        if body.startswith(b"bad"):
            raise KeyError("not an input error")
        return body

    target = harness.Target("probe", ".bin", lambda: [b"small", b"big", b"bad"], run)
    tally = harness.fuzz(target, seconds=0, max_inputs=3, time_limit_s=10, save_dir=tmp_path)
    assert tally.tried == 3 and tally.crashes == 1
    if tally.peak_input_rss_mb == 0.0:
        pytest.skip("this kernel refuses clear_refs (peak-RSS windows unavailable)")
    assert tally.peak_input == "seed 1" and tally.peak_input_rss_mb >= 120
    assert tally.peak_rss_mb >= tally.peak_input_rss_mb
    assert [Path(p).read_bytes() for p in tally.saved] == [b"bad"]


def test_hang_limit_is_cpu_time_with_a_wall_backstop() -> None:
    """A busy loop is a hang after its CPU limit; waiting (a loaded machine) only after WALL_FACTOR times it."""
    import time

    def spin(path: Path, scratch: Path) -> object:
        while True:
            sum(range(1000))

    def wait(seconds: float) -> harness.Target:
        return harness.Target("wait", ".bin", lambda: [b""], lambda p, s: time.sleep(seconds))

    spun = harness.run_one(harness.Target("spin", ".bin", lambda: [b""], spin), b"", "spin", time_limit_s=0.2)
    assert spun.kind == "hang" and "CPU" in spun.error
    assert harness.run_one(wait(0.5), b"", "wait", time_limit_s=0.2).kind == "ok"
    stuck = harness.run_one(wait(0.2 * harness.WALL_FACTOR + 1.0), b"", "wait", time_limit_s=0.2)
    assert stuck.kind == "hang" and "wall" in stuck.error
