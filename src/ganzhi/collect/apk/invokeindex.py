"""Every invoke instruction of one DEX file, found for all methods at once and grouped by calling method.

Why: the before-consent walk and the trigger search ask "what does this method call" and "who calls
that method" thousands of times. Walking each method's instructions in Python costs about a
microsecond per instruction; here the instruction starts of every method come from one vectorised
pass (`tiling.instruction_starts`), so a method's invokes are a slice of three arrays. The index is
only built for a file whose methods' code ranges are disjoint (or identical) and well formed; for
any other file the callers keep the per-method walk, which names the broken method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ganzhi.collect.apk.binary import FormatError
from ganzhi.collect.apk.dex import DexFile
from ganzhi.collect.apk.dexcode import MethodCodeTable, code_area, method_code_table
from ganzhi.collect.apk.tiling import instruction_starts

I32 = npt.NDArray[np.int32]

#: code units masked per step when picking the invokes out of the instruction starts (bounds a temporary)
_BLOCK = 1 << 18
_IS_INVOKE_OPCODE = np.zeros(256, dtype=bool)
_IS_INVOKE_OPCODE[[*range(0x6E, 0x73), *range(0x74, 0x79)]] = True


@dataclass(frozen=True)
class InvokeIndex:
    """Invokes in code order: byte offset, opcode and referenced method index.

    The invokes of the method with code item `code_off` are `[lo, hi)` where its method index `m`
    has `code_of[m] == code_off` and `lo, hi = first[m], last[m]` (`code_of[m] == -1`: no code).
    """

    position: npt.NDArray[np.int64]
    opcode: npt.NDArray[np.uint8]
    callee: npt.NDArray[np.uint16]
    key: npt.NDArray[np.uint32]  # callee << 8 | opcode: one number per invoke for the walk's caches
    code_of: npt.NDArray[np.int64]
    first: I32
    last: I32

    def span(self, method_idx: int, code_off: int) -> tuple[int, int] | None:
        """[lo, hi) of the method's invokes, or None when the index does not hold that code item."""
        if not 0 <= method_idx < self.code_of.size or self.code_of.item(method_idx) != code_off:
            return None
        return self.first.item(method_idx), self.last.item(method_idx)


def _ranges_disjoint(table: MethodCodeTable) -> bool:
    """True when every two methods' instruction ranges are either identical or do not overlap."""
    if table.size < 2:
        return True
    start, end = table.insns_start, table.insns_end
    same = (start[1:] == start[:-1]) & (end[1:] == end[:-1])
    reach = np.maximum.accumulate(end)[:-1]
    return bool(((start[1:] >= reach) | same).all())


def build_invoke_index(dex: DexFile, table: MethodCodeTable | None = None) -> InvokeIndex:
    """Index every invoke of `dex`; FormatError when the file's code cannot be indexed as a whole."""
    table = table if table is not None else method_code_table(dex)
    if not _ranges_disjoint(table):
        raise FormatError("methods' code ranges overlap")
    units = np.frombuffer(dex.data, dtype="<u2", count=dex.header.file_size // 2)
    base = 0  # only the code area is tiled when every method lies inside it (it holds every code_item)
    if table.size:
        area_lo, area_hi = code_area(dex)
        if area_lo <= int(table.insns_start[0]) and int(table.insns_end.max()) <= area_hi:
            base, units = area_lo // 2, units[area_lo // 2 : area_hi // 2]
    starts = instruction_starts(units, table.insns_start // 2 - base, table.insns_end // 2 - base)
    opcodes = units.view(np.uint8)[0::2]  # low bytes: opcodes (little-endian units)
    found = []
    for begin in range(0, units.size, _BLOCK):  # by blocks: the opcode mask never spans the whole file
        block = starts[begin : begin + _BLOCK]
        block &= _IS_INVOKE_OPCODE[opcodes[begin : begin + _BLOCK]]
        found.append(np.flatnonzero(block) + begin)
    at = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    del starts, found
    low = opcodes[at]
    callee = units[np.minimum(at + 1, units.size - 1)]
    position = (at + base) * 2
    rows = table.locate(position)
    if (rows < 0).any():
        raise FormatError("an invoke lies outside every method")
    n_methods = dex.header.method_ids.size
    code_of = np.full(n_methods, -1, dtype=np.int64)
    first = np.zeros(n_methods, dtype=np.int32)
    last = np.zeros(n_methods, dtype=np.int32)
    lo = np.searchsorted(position, table.insns_start).astype(np.int32)
    hi = np.searchsorted(position, table.insns_end).astype(np.int32)
    # a method index defined twice (malformed) keeps its first definition; span() checks code_off
    order = np.arange(table.size)[::-1]
    idx = table.method_idx[order]
    code_of[idx] = table.insns_start[order] - 16
    first[idx] = lo[order]
    last[idx] = hi[order]
    key = (callee.astype(np.uint32) << np.uint32(8)) | low
    return InvokeIndex(position, low, callee, key, code_of, first, last)


def invoke_index_of(dex: DexFile) -> InvokeIndex | None:
    """The index of `dex`, built on first use and kept on it; None when the file cannot be indexed as a whole."""
    if dex.invoke_index is None:
        try:
            dex.invoke_index = build_invoke_index(dex)
        except (FormatError, IndexError, ValueError):
            dex.invoke_index = False
    return dex.invoke_index if isinstance(dex.invoke_index, InvokeIndex) else None
