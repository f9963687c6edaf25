"""The lean call-site path (`read_callers`) and the vectorised helpers the fast scan relies on."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forge.apk.forge_fixtures import SAMPLE_CALLS, sample_apk, sample_dex
from ganzhi.collect.apk import tiling
from ganzhi.collect.apk.binary import FormatError, decode_uleb_stream, read_uleb128
from ganzhi.collect.apk.callers import package_counts, read_callers
from ganzhi.collect.apk.dex import DexFile
from ganzhi.collect.apk.dexcode import code_area, iter_instructions, method_code_table
from ganzhi.collect.apk.reader import read_apk
from ganzhi.collect.apk.tiling import instruction_starts
from ganzhi.errors import InputError
from ganzhi.forge.apk.builder import write_apk
from ganzhi.forge.apk.dex_writer import write_dex
from ganzhi.forge.apk.spec import ApkSpec, ClassSpec, DexSpec, InvokeSpec, MethodSpec
from shared_data import shared_path

REPO = Path(__file__).resolve().parents[3]


def test_read_callers_matches_the_full_reader(tmp_path: Path) -> None:
    apk = write_apk(sample_apk(), tmp_path / "sample.apk")
    lean = read_callers(apk)
    full = read_apk(apk)
    assert lean.package == full.static.package
    assert [d.name for d in lean.dex] == [d.name for d in full.static.dex]
    assert lean.callers() == {(s.target, s.caller_class) for s in full.call_sites}
    assert {(s.api, s.caller_class, s.caller_method) for s in lean.call_sites} >= {c[:3] for c in SAMPLE_CALLS}


def test_read_callers_bad_input_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.apk"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(InputError, match=r"broken\.apk"):
        read_callers(broken)
    no_manifest = write_apk(ApkSpec(manifest=None, dex=(sample_dex()[0],)), tmp_path / "nomanifest.apk")
    with pytest.raises(InputError, match=r"AndroidManifest\.xml"):
        read_callers(no_manifest)


def test_read_callers_on_real_apk() -> None:
    apk = shared_path("apk", "apks", "androguard", "a2dp.Vol_137.apk")
    facts = read_callers(apk)
    assert facts.package == "a2dp.Vol"
    launch = {c for t, c in facts.callers() if t.endswith("getLaunchIntentForPackage")}
    assert {"a2dp.Vol.service", "a2dp.Vol.EditDevice$6"} <= launch


def test_lean_path_imports_neither_pydantic_nor_the_sdk_index() -> None:
    code = (
        "import sys, ganzhi.collect.apk.callers as c; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('pydantic', 'rich', 'yaml', 'sqlalchemy') "
        "or m.startswith(('ganzhi.collect.apk.sdk', 'ganzhi.evidence', 'ganzhi.catalog'))]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_package_counts() -> None:
    counts = package_counts(["La/b/C;", "La/b/D$1;", "LTop;", "Lx/Y;"])
    assert counts == {"a.b": 2, "": 1, "x": 1}


def _junk_dex() -> DexFile:
    """Methods whose operands look like invoke opcodes, plus switch payload-free filler."""
    target = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
    filler = [InvokeSpec(f"Lcom/j/C{c};->m{m}()V", "virtual") for c in range(40) for m in range(3)]
    classes = []
    for c in range(40):
        methods = [
            MethodSpec(f"m{m}", "()V", invokes=tuple(filler[(c * 7 + m * 13 + k) % 120] for k in range(30)))
            for m in range(3)
        ]
        if c % 9 == 0:
            methods.append(MethodSpec("pi", "()V", invokes=(InvokeSpec(target, "virtual"),)))
        classes.append(ClassSpec(f"com.j.C{c}", methods=tuple(methods)))
    return DexFile(write_dex(DexSpec(tuple(classes))))


@pytest.mark.parametrize("dex", [DexFile(write_dex(sample_dex()[0])), _junk_dex()], ids=["sample", "junk"])
def test_instruction_starts_equal_the_linear_walk(dex: DexFile) -> None:
    table = method_code_table(dex)
    units = np.frombuffer(dex.data, dtype="<u2", count=dex.header.file_size // 2)
    mask = instruction_starts(units, table.insns_start // 2, table.insns_end // 2)
    expected = np.zeros_like(mask)
    for start, end in zip(table.insns_start.tolist(), table.insns_end.tolist(), strict=True):
        for pos, _op in iter_instructions(dex.data, start, end):
            expected[pos // 2] = True
    assert np.array_equal(mask, expected)
    lo, hi = code_area(dex)
    assert lo <= int(table.insns_start.min()) and int(table.insns_end.max()) <= hi


def test_call_sites_skip_operands_that_look_like_invokes() -> None:
    dex = _junk_dex()
    from ganzhi.collect.apk.callsites import scan_call_sites

    result = scan_call_sites(dex, ["Landroid/telephony/TelephonyManager;->getDeviceId"])
    assert sorted(s.caller_class for s in result.call_sites) == sorted(f"com.j.C{c}" for c in range(0, 40, 9))
    assert result.decoded_methods == len(result.call_sites)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_decode_uleb_stream_agrees_with_the_scalar_decoder(raw: bytes) -> None:
    values, starts, lengths = decode_uleb_stream(np.frombuffer(raw, dtype=np.uint8))
    pos = 0
    for value, start, length in zip(values.tolist(), starts.tolist(), lengths.tolist(), strict=True):
        assert start == pos
        if length <= 5:
            assert read_uleb128(raw, start) == (value, start + length)
        pos = start + length


def test_find_string_ascii_fast_path_and_unicode() -> None:
    spec = DexSpec(
        (ClassSpec("com.example.\u5e94\u7528", methods=(MethodSpec("m", "()V"),)), ClassSpec("com.example.Zed")),
    )
    dex = DexFile(write_dex(spec))
    for idx in range(dex.header.string_ids.size):
        assert dex.find_string(dex.string(idx)) == idx
    assert dex.find_string("Lcom/example/Nope;") is None
    assert dex.find_type("Lcom/example/\u5e94\u7528;") is not None


_UNIT = st.one_of(
    st.integers(0, 0xFFFF),
    st.sampled_from([0x0000, 0x0100, 0x0200, 0x0300, 0x000E, 0x106E, 0x2071, 0x0374, 0x0118, 0x0001, 0x0002]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_UNIT, min_size=1, max_size=40), min_size=1, max_size=6))
def test_tiling_agrees_with_the_linear_walk_on_random_code(methods: list[list[int]]) -> None:
    flat = [u for m in methods for u in m]
    units = np.array(flat, dtype="<u2")
    data = units.tobytes()
    bounds = np.cumsum([0] + [len(m) for m in methods])
    begin, end = bounds[:-1].astype(np.int64), bounds[1:].astype(np.int64)
    expected = np.zeros(units.size, dtype=bool)
    walk_ok = True
    try:
        for b, e in zip(begin.tolist(), end.tolist(), strict=True):
            for pos, _op in iter_instructions(data, 2 * b, 2 * e):
                expected[pos // 2] = True
    except FormatError:
        walk_ok = False
    for tail in (0, tiling.PYTHON_TAIL):  # all-numpy steps, and the plain loop for the last methods
        saved, tiling.PYTHON_TAIL = tiling.PYTHON_TAIL, tail
        tiled: np.ndarray | None = None
        try:
            with contextlib.suppress(FormatError):
                tiled = instruction_starts(units, begin, end)
        finally:
            tiling.PYTHON_TAIL = saved
        assert (tiled is not None) == walk_ok
        if tiled is not None:
            assert np.array_equal(tiled, expected)
