"""Our DEX reader: tables, strings, vectorised method table vs the slow path, malformed input."""

from __future__ import annotations

import struct
import zipfile

import pytest

from forge.apk.forge_fixtures import sample_dex
from ganzhi.collect.apk.binary import FormatError, decode_mutf8, encode_mutf8, read_uleb128
from ganzhi.collect.apk.dex import DexFile, open_dex
from ganzhi.collect.apk.dexcode import iter_instructions, method_code_table, parse_class_data
from ganzhi.errors import InputError
from ganzhi.forge.apk.dex_writer import write_dex
from ganzhi.forge.apk.generate import generate_apk
from shared_data import shared_path


def _slow_table(dex: DexFile) -> set[tuple[int, int]]:
    found = set()
    for row in dex.class_defs:
        if row[6]:
            for idx, _, code in parse_class_data(dex.data, int(row[6])):
                if code:
                    found.add((idx, code + 16))
    return found


def _fast_table(dex: DexFile) -> set[tuple[int, int]]:
    table = method_code_table(dex)
    return set(zip(table.method_idx.tolist(), table.insns_start.tolist(), strict=True))


def test_forged_dex_tables() -> None:
    dex = DexFile(write_dex(sample_dex()[0]))
    assert dex.header.version == "035"
    assert dex.class_count == 4
    assert dex.find_string("com.tencent.mm") is not None
    assert dex.find_string("absent.string") is None
    t = dex.find_type("Landroid/app/Activity;")
    assert t is not None
    assert dex.type_name(t) == "Landroid/app/Activity;"
    assert _fast_table(dex) == _slow_table(dex)


def test_vectorised_method_table_matches_slow_path_on_generated_multiclass_dex() -> None:
    spec = generate_apk(classes=400, methods_per_class=5).spec
    dex = DexFile(write_dex(spec.dex[0]))
    assert _fast_table(dex) == _slow_table(dex)
    table = method_code_table(dex)
    assert table.size == 400 * 5
    for row in range(0, table.size, 97):  # every method decodes cleanly to its end
        ops = [op for _, op in iter_instructions(dex.data, int(table.insns_start[row]), int(table.insns_end[row]))]
        assert ops
        assert ops[-1] in (0x0E, 0x0F, 0x10, 0x11)


@pytest.mark.shared_data
def test_real_dex_matches_slow_path_and_androguard_counts() -> None:
    apk = shared_path("apk", "apks", "androguard", "a2dp.Vol_137.apk")
    dex = DexFile(zipfile.ZipFile(apk).read("classes.dex"))
    assert dex.class_count == 1353
    assert _fast_table(dex) == _slow_table(dex)
    table = method_code_table(dex)
    for row in range(table.size):  # every real method walks exactly to its end (payloads included)
        for _ in iter_instructions(dex.data, int(table.insns_start[row]), int(table.insns_end[row])):
            pass
    dex_mod = pytest.importorskip("androguard.core.dex", reason="androguard (dev oracle) not installed")
    ours = sorted(dex.class_descriptors())
    theirs = sorted(c.get_name() for c in dex_mod.DEX(dex.data).get_classes())
    assert ours == theirs


@pytest.mark.shared_data
def test_multidex_entries_are_both_readable() -> None:
    apk = zipfile.ZipFile(shared_path("apk", "apks", "androguard", "multidex.apk"))
    counts = [DexFile(apk.read(n), n).class_count for n in ("classes.dex", "classes2.dex")]
    assert all(c >= 1 for c in counts)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b"dey\n035\x00" + b[8:], "magic"),
        (lambda b: b[:40] + struct.pack("<I", 0x78563412) + b[44:], "endian_tag"),
        (lambda b: b[:0x60], "smaller than"),
        (lambda b: b[:32] + struct.pack("<I", len(b) + 100) + b[36:], "file_size"),
        (lambda b: b[:56] + struct.pack("<I", 0x0FFFFFFF) + b[60:], "string_ids"),
        (lambda b: b[:88] + struct.pack("<II", 0x7FFFFFFF, 0x70) + b[96:], "method_ids"),
    ],
)
def test_malformed_headers_are_named(mutate: object, message: str) -> None:
    data = write_dex(sample_dex()[0])
    bad = mutate(data)  # type: ignore[operator]
    with pytest.raises(FormatError, match=message):
        DexFile(bad)
    with pytest.raises(InputError, match=r"x\.apk!classes\.dex: malformed DEX"):
        open_dex(bad, "x.apk!classes.dex")


def test_bad_reference_inside_a_table_is_reported() -> None:
    data = bytearray(write_dex(sample_dex()[0]))
    type_ids_off = struct.unpack_from("<I", data, 68)[0]
    struct.pack_into("<I", data, type_ids_off, 0xFFFF)  # descriptor index beyond the string table
    with pytest.raises(FormatError, match=r"type_ids\.descriptor_idx\[0\]"):
        DexFile(bytes(data))


def test_mutf8_and_uleb_codecs() -> None:
    for text in ["plain", "中文", "nul\x00inside", "emoji 😀"]:
        assert decode_mutf8(encode_mutf8(text)) == text
    assert encode_mutf8("\x00") == b"\xc0\x80"
    assert read_uleb128(b"\xe5\x8e\x26", 0) == (624485, 3)
    with pytest.raises(FormatError, match="longer than 5"):
        read_uleb128(b"\xff" * 6, 0)
    with pytest.raises(FormatError, match="past the end"):
        read_uleb128(b"\x80", 0)
