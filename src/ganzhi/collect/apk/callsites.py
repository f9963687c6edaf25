"""Find every invoke-* of chosen framework methods, decoding only the methods that contain one.

How: resolve the targets to method indices of this DEX (binary search in the sorted string and
type tables), view the code area (from the map list) as 16-bit units and mark, with numpy, every
unit whose low byte is an invoke opcode (0x6e–0x72, 0x74–0x78) and whose next unit is a target
index. Candidates that sit inside other instructions' operands are dropped for all candidate
methods at once (`tiling.instruction_starts`); only methods with a confirmed call are walked in
Python, for the call's const-strings and names. invoke-polymorphic/custom are out of scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ganzhi.collect.apk.binary import FormatError
from ganzhi.collect.apk.dex import DexFile
from ganzhi.collect.apk.dexcode import (
    INVOKE_KIND,
    MethodCodeTable,
    code_area,
    code_units,
    scan_method_units,
)
from ganzhi.collect.apk.dexcode import method_code_table as build_method_table
from ganzhi.collect.apk.invokeindex import InvokeIndex
from ganzhi.collect.apk.tiling import instruction_starts

_TARGET = re.compile(r"^(L[^;\s]+;)->([^(\s]+)(\([^)\s]*\)\S+)?$")
#: const-strings of the calling method kept with each call site (package names, URIs, actions).
MAX_STRINGS_PER_METHOD = 64


def java_name(descriptor: str) -> str:
    """`La/b/C$D;` → `a.b.C$D` (other descriptors are returned unchanged)."""
    if descriptor.startswith("L") and descriptor.endswith(";"):
        return descriptor[1:-1].replace("/", ".")
    return descriptor


@dataclass(frozen=True)
class MethodTarget:
    """A method to look for: `Lpkg/Class;->name` with an optional `(params)return` proto."""

    class_descriptor: str
    name: str
    proto: str | None = None

    @classmethod
    def parse(cls, text: str) -> MethodTarget:
        """Parse `Lpkg/Class;->name` or `Lpkg/Class;->name(I)V`; ValueError names the text."""
        match = _TARGET.match(text.strip())
        if not match:
            raise ValueError(f"method target {text!r} is not of the form 'Lpkg/Class;->name' or '…->name(args)ret'")
        return cls(match.group(1), match.group(2), match.group(3))

    def __str__(self) -> str:
        return f"{self.class_descriptor}->{self.name}{self.proto or ''}"


@dataclass(frozen=True)
class CallSite:
    """One invoke instruction: the referenced API, who calls it, and where."""

    api: str
    target: str
    caller_class: str
    caller_method: str
    invoke_kind: str
    dex: str
    offset: int
    strings: tuple[str, ...] = ()


@dataclass
class ScanResult:
    """Call sites of one DEX file plus what was done to find them."""

    call_sites: list[CallSite] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    resolved_targets: int = 0
    candidates: int = 0
    decoded_methods: int = 0


def resolve_targets(dex: DexFile, targets: Iterable[MethodTarget]) -> dict[int, MethodTarget]:
    """Method indices of `dex` that refer to any target (by class, name and, if given, proto)."""
    found: dict[int, MethodTarget] = {}
    by_class: dict[str, list[MethodTarget]] = {}
    for target in targets:
        by_class.setdefault(target.class_descriptor, []).append(target)
    for descriptor, group in by_class.items():
        type_idx = dex.find_type(descriptor)
        if type_idx is None:
            continue
        rows = np.flatnonzero(dex.method_class == type_idx)  # usually a handful of framework methods
        names = dex.method_name[rows]
        for target in group:
            name_idx = dex.find_string(target.name)
            if name_idx is None:
                continue
            for idx in rows[names == name_idx].tolist():
                if target.proto is None or dex.proto_descriptor(int(dex.method_proto[idx])) == target.proto:
                    found.setdefault(int(idx), target)
    return found


#: up to this many target indices, direct comparisons beat a 64k-entry lookup table
DIRECT_COMPARE_MAX = 4


def candidate_units(units: npt.NDArray[np.uint16], wanted: list[int]) -> npt.NDArray[np.int64]:
    """Indices i where unit i's low byte is an invoke opcode and unit i+1 is a wanted method index.

    Vectorised over the whole code area: the opcode test runs on the low bytes as uint8 (cheap),
    the index test as equality or one table lookup, and only the combined mask is searched.
    """
    if units.size < 2:
        return np.zeros(0, dtype=np.int64)
    low = units.view(np.uint8)[0::2]  # little-endian units: low byte first
    opcode = (low - np.uint8(0x6E)) < np.uint8(11)  # 0x6e..0x78 ...
    opcode &= low != np.uint8(0x73)  # ... except the unused 0x73
    following = units[1:]
    if len(wanted) <= DIRECT_COMPARE_MAX:
        mask = following == wanted[0]
        for idx in wanted[1:]:
            mask |= following == idx
    else:
        table = np.zeros(0x10000, dtype=bool)
        table[wanted] = True
        mask = table[following]
    mask &= opcode[:-1]
    return np.flatnonzero(mask).astype(np.int64)


def _distinct_rows(rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Distinct non-negative rows of a non-decreasing sequence (positions were ascending)."""
    rows = rows[rows >= 0]
    if rows.size < 2:
        return rows
    keep = np.empty(rows.size, dtype=bool)
    keep[0] = True
    np.not_equal(rows[1:], rows[:-1], out=keep[1:])
    return rows[keep]


class CallSiteScanner:
    """Scans one DEX file; the method table is built once, and only when a candidate exists."""

    def __init__(self, dex: DexFile) -> None:
        self.dex = dex
        self._table: MethodCodeTable | None = None
        self._units = np.frombuffer(dex.data, dtype="<u2", count=dex.header.file_size // 2)
        self._code_units = code_units(dex.data)

    @property
    def table(self) -> MethodCodeTable:
        """Code ranges of every concrete method (decoded on first use)."""
        if self._table is None:
            self._table = build_method_table(self.dex)
        return self._table

    def scan(self, targets: Iterable[MethodTarget], index: InvokeIndex | None = None) -> ScanResult:
        """Every invoke of any target in this file; with the file's `index`, the calling methods come from it."""
        result = ScanResult()
        wanted = {idx: t for idx, t in resolve_targets(self.dex, targets).items() if idx <= 0xFFFF}
        result.resolved_targets = len(wanted)
        if not wanted or self._units.size < 2:
            return result
        if index is not None:
            return self._scan_indexed(index, wanted, result)
        lo, hi = code_area(self.dex)
        hits = candidate_units(self._units[lo // 2 : hi // 2], sorted(wanted))
        positions = hits.astype(np.int64) * 2 + lo
        result.candidates = int(positions.size)
        if positions.size == 0:
            return result
        try:
            table = self.table
        except FormatError as exc:
            result.problems.append(f"{self.dex.name}: class data: {exc}")
            return result
        rows = _distinct_rows(table.locate(positions))
        try:  # drop candidates that sit inside another instruction, for all methods at once
            starts = instruction_starts(self._units, table.insns_start[rows] // 2, table.insns_end[rows] // 2)
            positions = positions[starts[positions // 2]]
            rows = _distinct_rows(table.locate(positions))
        except FormatError:
            pass  # a malformed method: the per-method walk below names it
        for row in rows.tolist():
            result.decoded_methods += 1
            self._scan_method(table, int(row), wanted, result)
        return result

    def _scan_indexed(self, index: InvokeIndex, wanted: dict[int, MethodTarget], result: ScanResult) -> ScanResult:
        """The methods holding a wanted invoke, straight from the index (every position in it is a real
        instruction start), each walked as in `scan` for its call sites and const-strings."""
        lookup = np.zeros(0x10000, dtype=bool)
        lookup[np.fromiter(wanted, dtype=np.int64)] = True
        positions = index.position[lookup[index.callee]]
        result.candidates = int(positions.size)
        if positions.size == 0:
            return result
        table = self.table
        for row in _distinct_rows(table.locate(positions)).tolist():
            result.decoded_methods += 1
            self._scan_method(table, int(row), wanted, result)
        return result

    def _scan_method(
        self, table: MethodCodeTable, row: int, wanted: dict[int, MethodTarget], result: ScanResult
    ) -> None:
        dex = self.dex
        caller_idx = int(table.method_idx[row])
        start, end = int(table.insns_start[row]), int(table.insns_end[row])
        caller_class = ""
        try:
            found, string_refs = scan_method_units(self._code_units, dex.data, start, end, wanted)
            if not found:
                return  # every candidate sat inside an operand: nothing to name
            caller_class = java_name(dex.type_name(int(dex.method_class[caller_idx])))
            caller_method = dex.method_name_proto(caller_idx)
            strings = tuple(dex.string(i) for i in dict.fromkeys(string_refs[:MAX_STRINGS_PER_METHOD]))
            for pos, op, ref in found:
                result.call_sites.append(
                    CallSite(
                        api=dex.method_signature(ref),
                        target=str(wanted[ref]),
                        caller_class=caller_class,
                        caller_method=caller_method,
                        invoke_kind=INVOKE_KIND[op],
                        dex=dex.name,
                        offset=pos,
                        strings=strings,
                    )
                )
        except FormatError as exc:
            who = caller_class or f"method_idx {caller_idx}"
            result.problems.append(f"{dex.name}: method {who} at {start:#x}: {exc}")


def scan_call_sites(dex: DexFile, targets: Iterable[MethodTarget | str]) -> ScanResult:
    """Convenience wrapper: parse string targets and scan `dex` once."""
    parsed = [t if isinstance(t, MethodTarget) else MethodTarget.parse(t) for t in targets]
    return CallSiteScanner(dex).scan(parsed)
