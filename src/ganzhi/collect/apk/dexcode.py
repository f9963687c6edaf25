"""Where each method's bytecode lives, decoded for all classes at once with numpy.

`method_code_table` decodes every class_data_item of a DEX file in one vectorised pass (LEB128
stream decode + index arithmetic), giving for each concrete method its method index and the
byte range of its instructions. `iter_instructions` walks one method's code units linearly, with
the Dalvik width table and the switch/array payloads, so a caller can confirm that a candidate
position really starts an instruction.
"""

from __future__ import annotations

import array
import sys
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ganzhi.collect.apk.binary import (
    FormatError,
    decode_uleb_stream,
    gather_u32,
    read_uleb128,
    u16_at,
    u32_at,
)
from ganzhi.collect.apk.dex import DexFile

I64 = npt.NDArray[np.int64]

CODE_ITEM_HEADER = 16
TYPE_CLASS_DATA_ITEM = 0x2000
TYPE_CODE_ITEM = 0x2001
TYPE_MAP_LIST = 0x1000


def _width_table() -> list[int]:
    """Instruction width in 16-bit code units for every opcode (Dalvik formats)."""
    width = [1] * 256
    spans = {
        2: [
            (0x02, 0x02),
            (0x05, 0x05),
            (0x08, 0x08),
            (0x13, 0x13),
            (0x15, 0x16),
            (0x19, 0x1A),
            (0x1C, 0x1C),
            (0x1F, 0x20),
            (0x22, 0x23),
            (0x29, 0x29),
            (0x2D, 0x3D),
            (0x44, 0x6D),
            (0x90, 0xAF),
            (0xD0, 0xE2),
            (0xFE, 0xFF),
        ],
        3: [
            (0x03, 0x03),
            (0x06, 0x06),
            (0x09, 0x09),
            (0x14, 0x14),
            (0x17, 0x17),
            (0x1B, 0x1B),
            (0x24, 0x26),
            (0x2A, 0x2C),
            (0x6E, 0x72),
            (0x74, 0x78),
            (0xFC, 0xFD),
        ],
        4: [(0xFA, 0xFB)],
        5: [(0x18, 0x18)],
    }
    for w, ranges in spans.items():
        for lo, hi in ranges:
            for op in range(lo, hi + 1):
                width[op] = w
    return width


WIDTH = _width_table()
INVOKE_OPCODES = frozenset([*range(0x6E, 0x73), *range(0x74, 0x79)])
INVOKE_KIND = {
    0x6E: "virtual",
    0x6F: "super",
    0x70: "direct",
    0x71: "static",
    0x72: "interface",
    0x74: "virtual",
    0x75: "super",
    0x76: "direct",
    0x77: "static",
    0x78: "interface",
}


@dataclass(frozen=True)
class MethodCodeTable:
    """Concrete methods of one DEX file, sorted by the byte offset of their instructions."""

    method_idx: I64
    class_def: I64
    insns_start: I64
    insns_end: I64

    @property
    def size(self) -> int:
        """Number of methods with code."""
        return int(self.method_idx.size)

    def locate(self, offsets: I64) -> I64:
        """Row of the method whose instructions contain each byte offset, or -1."""
        rows = np.searchsorted(self.insns_start, offsets, side="right").astype(np.int64) - 1
        ok = rows >= 0
        ok[ok] &= offsets[ok] < self.insns_end[rows[ok]]
        return np.where(ok, rows, -1)


def code_area(dex: DexFile) -> tuple[int, int]:
    """Even byte range [start, end) holding every code_item, from the map list; the whole file if unsure.

    Searching only this range for invoke sites skips string data, class data and annotations.
    """
    size = dex.header.file_size & ~1
    map_off = dex.header.map_off
    try:
        count = u32_at(dex.data, map_off) if map_off else 0
    except FormatError:
        return 0, size
    if not map_off or count == 0 or map_off + 4 + 12 * count > dex.header.file_size:
        return 0, size
    items = np.frombuffer(dex.data, dtype="<u4", count=3 * count, offset=map_off + 4).reshape(count, 3)
    codes = np.flatnonzero((items[:, 0] & 0xFFFF) == TYPE_CODE_ITEM)
    if codes.size != 1:
        return 0, size
    start = int(items[codes[0], 2])
    offsets = items[:, 2].astype(np.int64)
    later = offsets[offsets > start]
    end = int(later.min()) if later.size else size
    if start % 4 or not 0 < start < end <= dex.header.file_size:
        return 0, size
    return start, min(end, size)


def _class_data_region(dex: DexFile, offsets: I64) -> tuple[int, int]:
    """Byte range [start, end) that holds every class_data_item (from the map list when present)."""
    start = int(offsets.min())
    end = dex.header.file_size
    map_off = dex.header.map_off
    try:
        count = u32_at(dex.data, map_off) if map_off else 0
        if map_off and map_off + 4 + 12 * count <= dex.header.file_size:
            items = np.frombuffer(dex.data, dtype="<u4", count=3 * count, offset=map_off + 4).reshape(count, 3)
            item_offs = items[:, 2].astype(np.int64)
            later = item_offs[item_offs > int(offsets.max())]
            if later.size:
                end = int(later.min())
    except FormatError:
        pass
    return start, end


def _class_data_positions(dex: DexFile, cd_offs: I64, has_data: I64) -> tuple[I64, I64, I64]:
    """Decoded uleb values and lengths of the class data region, and each class's first value index."""
    offs = cd_offs[has_data]
    start, end = _class_data_region(dex, offs)
    values, starts, lengths = decode_uleb_stream(dex.bytes[start:end])
    pos = np.searchsorted(starts, offs - start)
    pos_ok = pos < starts.size
    pos_ok[pos_ok] &= starts[pos[pos_ok]] == offs[pos_ok] - start
    if not pos_ok.all():
        bad = int(has_data[np.flatnonzero(~pos_ok)[0]])
        raise FormatError(f"class_defs[{bad}].class_data_off {int(cd_offs[bad]):#x} is not a class_data_item start")
    if (pos + 4 > values.size).any():
        raise FormatError("a class_data_item header runs past the end of the class data")
    return values, lengths, pos.astype(np.int64)


def method_entries(dex: DexFile) -> tuple[I64, I64, I64]:
    """(method_idx, class_def row, code_off) of every method of every class_data_item (kept on `dex`: the
    decode needs several times the class data's size in temporaries, so it runs once per file)."""
    if dex.method_entries is None:
        dex.method_entries = _decode_method_entries(dex)
    return dex.method_entries


def _decode_method_entries(dex: DexFile) -> tuple[I64, I64, I64]:
    empty = np.zeros(0, dtype=np.int64)
    cd_offs = dex.class_defs[:, 6].astype(np.int64) if dex.class_count else empty
    has_data = np.flatnonzero(cd_offs != 0).astype(np.int64)
    if has_data.size == 0:
        dex.class_data_ulebs_ok = True
        return empty, empty, empty
    values, lengths, pos = _class_data_positions(dex, cd_offs, has_data)
    head = values[pos[:, None] + np.arange(4)]
    n_direct, n_virtual = head[:, 2], head[:, 3]
    n_methods = n_direct + n_virtual
    first = pos + 4 + 2 * (head[:, 0] + head[:, 1])
    if (first + 3 * n_methods > values.size).any():
        raise FormatError("a class_data_item's method list runs past the end of the class data")
    # every value a per-class parse reads (header, fields, methods) within 5 bytes: then that parse, which
    # rejects longer ones, reads exactly these values (`DexSet` relies on it to skip the per-class parse)
    edges = np.zeros(values.size + 1, dtype=np.int32)  # +1 where a class's values start, -1 past their end
    np.add.at(edges, pos, 1)
    np.add.at(edges, first + 3 * n_methods, -1)
    covered = np.cumsum(edges[:-1], dtype=np.int32) > 0
    del edges
    dex.class_data_ulebs_ok = not bool((lengths[covered] > 5).any())
    del covered
    total = int(n_methods.sum())
    cls_start = np.cumsum(n_methods) - n_methods
    triple = np.repeat(first, n_methods) + 3 * (np.arange(total, dtype=np.int64) - np.repeat(cls_start, n_methods))
    if total and any(bool((lengths[triple + k] > 5).any()) for k in range(3)):
        raise FormatError("a class_data_item holds a uleb128 value longer than 5 bytes")
    # method_idx restarts its running sum at the start of each direct and each virtual list
    group_sizes = np.stack([n_direct, n_virtual], axis=1).ravel()
    running = np.cumsum(values[triple])
    group_start = np.cumsum(group_sizes) - group_sizes
    base = np.where(group_start > 0, running[np.maximum(group_start - 1, 0)] if total else 0, 0)
    method_idx = running - np.repeat(base, group_sizes)
    if (method_idx >= dex.header.method_ids.size).any():
        raise FormatError(f"class data names a method index >= method_ids size {dex.header.method_ids.size}")
    return method_idx, np.repeat(has_data, n_methods), values[triple + 2]


def method_code_table(dex: DexFile) -> MethodCodeTable:
    """Decode every class_data_item at once (kept on `dex` for the next caller); FormatError on inconsistent data."""
    if dex.code_table is None:
        dex.code_table = _decode_method_code_table(dex)
    return dex.code_table


def _decode_method_code_table(dex: DexFile) -> MethodCodeTable:
    method_idx, class_def, code_off = method_entries(dex)
    with_code = code_off != 0
    method_idx, class_def, code_off = method_idx[with_code], class_def[with_code], code_off[with_code]
    bad = ((code_off % 4) != 0) | (code_off + CODE_ITEM_HEADER > dex.header.file_size)
    if bad.any():
        raise FormatError(f"code_off {int(code_off[bad][0]):#x} is misaligned or outside the file")
    insns_start = code_off + CODE_ITEM_HEADER
    insns_end = insns_start + 2 * gather_u32(dex.bytes, code_off + 12)
    if (insns_end > dex.header.file_size).any():
        raise FormatError("a code_item's instructions run past the end of the file")
    order = np.argsort(insns_start, kind="stable")
    return MethodCodeTable(method_idx[order], class_def[order], insns_start[order], insns_end[order])


def iter_instructions(data: bytes | bytearray, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield (byte offset, opcode) of each instruction in [start, end), skipping payloads."""
    pos = start
    while pos < end:
        unit = u16_at(data, pos)
        op = unit & 0xFF
        if op == 0x00 and unit != 0x0000:
            width = _payload_width(data, pos, unit)
        else:
            width = WIDTH[op]
            yield pos, op
        pos += 2 * width
    if pos != end:
        raise FormatError(f"instruction at {pos - 2:#x} runs past the end of its method at {end:#x}")


def _payload_width(data: bytes | bytearray | memoryview, pos: int, unit: int) -> int:
    if unit == 0x0100:  # packed-switch-payload
        return 4 + 2 * u16_at(data, pos + 2)
    if unit == 0x0200:  # sparse-switch-payload
        return 2 + 4 * u16_at(data, pos + 2)
    if unit == 0x0300:  # fill-array-data-payload
        elem, count = u16_at(data, pos + 2), u32_at(data, pos + 4)
        return 4 + (elem * count + 1) // 2
    return 1  # nop with a non-zero high byte: treat as a one-unit nop


def parse_class_data(data: bytes | bytearray, offset: int) -> list[tuple[int, int, int]]:
    """Slow path: (method_idx, access_flags, code_off) of one class_data_item, for checking."""
    counts = []
    pos = offset
    for _ in range(4):
        value, pos = read_uleb128(data, pos)
        counts.append(value)
    for _ in range(2 * (counts[0] + counts[1])):
        _, pos = read_uleb128(data, pos)
    result = []
    for n in (counts[2], counts[3]):
        idx = 0
        for _ in range(n):
            diff, pos = read_uleb128(data, pos)
            flags, pos = read_uleb128(data, pos)
            code, pos = read_uleb128(data, pos)
            idx += diff
            result.append((idx, flags, code))
    return result


_IS_INVOKE = [op in INVOKE_OPCODES for op in range(256)]


def code_units(data: bytes | bytearray | memoryview) -> Sequence[int]:
    """The buffer as little-endian 16-bit code units, indexable from Python without copying when possible."""
    even = memoryview(data)[: len(data) & ~1]
    if sys.byteorder == "little":
        return even.cast("B").cast("H")
    units = array.array("H", bytes(even))
    units.byteswap()
    return units


def scan_method_units(
    units: Sequence[int], data: bytes | bytearray | memoryview, start: int, end: int, wanted: Container[int]
) -> tuple[list[tuple[int, int, int]], list[int]]:
    """One linear walk of the code in bytes [start, end): invokes of `wanted` and const-string indices.

    Returns ([(byte offset, opcode, method index)], [string index]). The same walk as
    `iter_instructions`, inlined over 16-bit units because it runs for every candidate method.
    """
    found: list[tuple[int, int, int]] = []
    strings: list[int] = []
    width, is_invoke = WIDTH, _IS_INVOKE
    i, stop = start >> 1, end >> 1
    while i < stop:
        unit = units[i]
        op = unit & 0xFF
        if op == 0 and unit:
            i += _payload_width(data, 2 * i, unit)
            continue
        step = width[op]
        if i + step > stop:
            break
        if is_invoke[op]:
            ref = units[i + 1]
            if ref in wanted:
                found.append((2 * i, op, ref))
        elif op == 0x1A:  # const-string vAA, string@BBBB
            strings.append(units[i + 1])
        elif op == 0x1B:  # const-string/jumbo vAA, string@BBBBBBBB
            strings.append(units[i + 1] | units[i + 2] << 16)
        i += step
    if i != stop:
        raise FormatError(f"instruction at {2 * i:#x} runs past the end of its method at {end:#x}")
    return found, strings
