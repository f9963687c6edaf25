"""Which code units start an instruction, for many methods at once, without a Python loop per instruction.

Why: a candidate invoke found by the vectorised search may sit inside another instruction's
operands (a method index whose low byte looks like an invoke opcode, followed by a zero register
unit, is common). Walking every candidate method in Python costs about a microsecond per
instruction; here all candidate methods advance one instruction per numpy step instead, so the
cost is (longest method) steps of vector work. The last few long methods finish in Python.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ganzhi.collect.apk.binary import FormatError
from ganzhi.collect.apk.dexcode import WIDTH

I64 = npt.NDArray[np.int64]
U16 = npt.NDArray[np.uint16]
#: below this many methods still walking, a plain loop is cheaper than numpy steps
PYTHON_TAIL = 48


def _unit_width_table() -> I64:
    """Width by whole first unit; <= 0 marks a unit the linear walk does not count as an instruction.

    0: payload header (packed-switch, sparse-switch, fill-array-data; width read from the payload);
    -1: a nop with a non-zero high byte (one unit, skipped like a payload).
    """
    table = np.tile(np.array(WIDTH, dtype=np.int64), 256)  # index = unit, low byte = opcode
    table[0x0100::0x0100] = -1
    table[0x0100] = table[0x0200] = table[0x0300] = 0
    return table


_UNIT_WIDTH = _unit_width_table()


def _widths(units: U16, at: I64) -> tuple[I64, I64]:
    """Width in units of what starts at each position, and the positions that are not instructions."""
    width: I64 = _UNIT_WIDTH[units[at]]
    special = np.flatnonzero(width <= 0)
    if special.size == 0:
        return width, special
    pos = at[special]
    kind = units[pos].astype(np.int64)
    n = units[np.minimum(pos + 1, units.size - 1)].astype(np.int64)
    lo = units[np.minimum(pos + 2, units.size - 1)].astype(np.int64)
    hi = units[np.minimum(pos + 3, units.size - 1)].astype(np.int64)
    count = lo | (hi << 16)
    fill = 4 + (n * count + 1) // 2
    width[special] = np.where(
        kind == 0x0100, 4 + 2 * n, np.where(kind == 0x0200, 2 + 4 * n, np.where(kind == 0x0300, fill, 1))
    )
    return width, pos


def _walk_python(units: Sequence[int], size: int, pos: int, end: int, found: list[int]) -> None:
    """One method's instruction starts by a plain loop over the units (the same widths as `_widths`)."""
    width = WIDTH
    last = size - 1
    while pos < end:
        unit = units[pos]
        op = unit & 0xFF
        if op == 0 and unit:  # a payload, or a nop with a non-zero high byte: not an instruction
            if unit in (0x0100, 0x0200, 0x0300):
                n = units[min(pos + 1, last)]
                if unit == 0x0100:
                    step = 4 + 2 * n
                elif unit == 0x0200:
                    step = 2 + 4 * n
                else:
                    count = units[min(pos + 2, last)] | units[min(pos + 3, last)] << 16
                    step = 4 + (n * count + 1) // 2
            else:
                step = 1
        else:
            found.append(pos)
            step = width[op]
        pos += step
    if pos != end:
        raise FormatError(f"instruction at unit {pos:#x} runs past the end of its method at unit {end:#x}")


def instruction_starts(units: U16, begin: I64, end: I64) -> npt.NDArray[np.bool_]:
    """Mask over `units`: True where an instruction of one of the methods [begin[i], end[i]) starts.

    `begin`/`end` are unit indices of whole methods' code; payloads are not instructions, as in
    `iter_instructions`. A method whose last instruction runs past its end raises `FormatError`.
    """
    starts = np.zeros(units.size, dtype=bool)
    cursor = begin.astype(np.int64).copy()
    stop = end.astype(np.int64).copy()
    if (stop > units.size).any() or (cursor > stop).any():
        raise FormatError("a method's code range lies outside the file")
    live = cursor < stop
    cursor, stop = cursor[live], stop[live]
    not_instructions: list[I64] = []
    while cursor.size > PYTHON_TAIL:
        starts[cursor] = True
        width, special = _widths(units, cursor)
        if special.size:
            not_instructions.append(special)
        cursor += width
        live = cursor < stop
        if not live.all():
            done = ~live
            if (cursor[done] != stop[done]).any():
                bad = int(stop[done][cursor[done] != stop[done]][0])
                raise FormatError(f"an instruction runs past the end of its method at unit {bad:#x}")
            cursor, stop = cursor[live], stop[live]
    for skipped in not_instructions:
        starts[skipped] = False
    if cursor.size:
        found: list[int] = []
        contiguous = np.ascontiguousarray(units)
        plain: Sequence[int] = (
            contiguous.view(np.uint8).data.cast("H") if sys.byteorder == "little" else contiguous.tolist()
        )
        for pos, last in zip(cursor.tolist(), stop.tolist(), strict=True):
            _walk_python(plain, int(units.size), pos, last, found)
        starts[np.array(found, dtype=np.int64)] = True
    return starts
