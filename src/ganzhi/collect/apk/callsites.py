"""Find every invoke-* of chosen framework methods, decoding only the methods that contain one.

How: resolve the targets to method indices of this DEX (binary search in the sorted string and
type tables), view the whole file as 16-bit code units and mark, with numpy, every unit whose low
byte is an invoke opcode (0x6e–0x72, 0x74–0x78) and whose next unit is a target index. Only the
methods holding such a candidate are then walked instruction by instruction, to drop candidates
that sit inside operands or payloads. invoke-polymorphic/custom are out of scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ganzhi.collect.apk.binary import FormatError, u16_at
from ganzhi.collect.apk.dex import DexFile
from ganzhi.collect.apk.dexcode import INVOKE_KIND, INVOKE_OPCODES, MethodCodeTable, iter_instructions
from ganzhi.collect.apk.dexcode import method_code_table as build_method_table

_TARGET = re.compile(r"^(L[^;\s]+;)->([^(\s]+)(\([^)\s]*\)\S+)?$")
#: const-strings of the calling method kept with each call site (package names, URIs, actions).
MAX_STRINGS_PER_METHOD = 64
_OPCODE_MASK = np.zeros(256, dtype=bool)
_OPCODE_MASK[sorted(INVOKE_OPCODES)] = True


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
    for target in targets:
        type_idx = dex.find_type(target.class_descriptor)
        name_idx = dex.find_string(target.name)
        if type_idx is None or name_idx is None:
            continue
        hits = np.flatnonzero((dex.method_class == type_idx) & (dex.method_name == name_idx))
        for idx in hits.tolist():
            if target.proto is None or dex.proto_descriptor(int(dex.method_proto[idx])) == target.proto:
                found.setdefault(int(idx), target)
    return found


class CallSiteScanner:
    """Scans one DEX file; the method table is built once, and only when a candidate exists."""

    def __init__(self, dex: DexFile) -> None:
        self.dex = dex
        self._table: MethodCodeTable | None = None
        self._units = np.frombuffer(dex.data, dtype="<u2", count=dex.header.file_size // 2)

    @property
    def table(self) -> MethodCodeTable:
        """Code ranges of every concrete method (decoded on first use)."""
        if self._table is None:
            self._table = build_method_table(self.dex)
        return self._table

    def scan(self, targets: Iterable[MethodTarget]) -> ScanResult:
        """Every invoke of any target in this file."""
        result = ScanResult()
        wanted = {idx: t for idx, t in resolve_targets(self.dex, targets).items() if idx <= 0xFFFF}
        result.resolved_targets = len(wanted)
        if not wanted or self._units.size < 2:
            return result
        target_mask = np.zeros(0x10000, dtype=bool)
        target_mask[list(wanted)] = True
        units = self._units
        is_candidate = _OPCODE_MASK[units[:-1] & 0xFF] & target_mask[units[1:]]
        positions = np.flatnonzero(is_candidate).astype(np.int64) * 2
        result.candidates = int(positions.size)
        if positions.size == 0:
            return result
        try:
            table = self.table
        except FormatError as exc:
            result.problems.append(f"{self.dex.name}: class data: {exc}")
            return result
        rows = np.unique(table.locate(positions))
        for row in rows[rows >= 0].tolist():
            result.decoded_methods += 1
            self._scan_method(table, int(row), wanted, result)
        return result

    def _scan_method(
        self, table: MethodCodeTable, row: int, wanted: dict[int, MethodTarget], result: ScanResult
    ) -> None:
        dex = self.dex
        caller_idx = int(table.method_idx[row])
        start, end = int(table.insns_start[row]), int(table.insns_end[row])
        caller_class = java_name(dex.type_name(int(dex.method_class[caller_idx])))
        try:
            caller_method = dex.method_name_proto(caller_idx)
            found: list[tuple[int, int, MethodTarget, int]] = []
            string_refs: list[int] = []
            data = dex.data
            for pos, op in iter_instructions(data, start, end):
                if op == 0x1A:  # const-string vAA, string@BBBB
                    string_refs.append(u16_at(data, pos + 2))
                elif op == 0x1B:  # const-string/jumbo vAA, string@BBBBBBBB
                    string_refs.append(u16_at(data, pos + 2) | u16_at(data, pos + 4) << 16)
                elif op in INVOKE_OPCODES:
                    ref = u16_at(data, pos + 2)
                    target = wanted.get(ref)
                    if target is not None:
                        found.append((pos, op, target, ref))
            strings = tuple(dex.string(i) for i in dict.fromkeys(string_refs[:MAX_STRINGS_PER_METHOD]))
            for pos, op, target, ref in found:
                result.call_sites.append(
                    CallSite(
                        api=dex.method_signature(ref),
                        target=str(target),
                        caller_class=caller_class,
                        caller_method=caller_method,
                        invoke_kind=INVOKE_KIND[op],
                        dex=dex.name,
                        offset=pos,
                        strings=strings,
                    )
                )
        except FormatError as exc:
            result.problems.append(f"{dex.name}: method {caller_class} at {start:#x}: {exc}")


def scan_call_sites(dex: DexFile, targets: Iterable[MethodTarget | str]) -> ScanResult:
    """Convenience wrapper: parse string targets and scan `dex` once."""
    parsed = [t if isinstance(t, MethodTarget) else MethodTarget.parse(t) for t in targets]
    return CallSiteScanner(dex).scan(parsed)
