"""All DEX files of one APK seen as one program: find a class, its methods, and decode one method.

Used by the before-consent call graph and the sticky-service test. Nothing is decoded up front:
a class's method list is read from its class_data_item the first time the class is visited, and
a method's code only when the walk reaches it, so the cost follows what is reachable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from ganzhi.collect.apk.binary import FormatError, u16_at, u32_at
from ganzhi.collect.apk.dex import NO_INDEX, DexFile
from ganzhi.collect.apk.dexcode import INVOKE_KIND, INVOKE_OPCODES, iter_instructions, method_entries, parse_class_data
from ganzhi.collect.apk.invokeindex import InvokeIndex, invoke_index_of

CODE_ITEM_HEADER = 16
MAX_SUPER_DEPTH = 64
#: methods decoded one by one in a DEX before its whole invoke index is built (the index costs about
#: as much as decoding this many methods in Python, and small walks never need it)
INDEX_AFTER_DECODES = 300


class MethodRef(NamedTuple):
    """A method as referenced by an invoke: class descriptor and `name(proto)ret` (a tuple: hashed in C,
    since the call graph looks refs up tens of thousands of times)."""

    cls: str
    name_proto: str

    @property
    def name(self) -> str:
        """The method name without the proto."""
        return self.name_proto.split("(", 1)[0]

    def __str__(self) -> str:
        return f"{self.cls}->{self.name_proto}"


class Invoke(NamedTuple):
    """One invoke instruction of a decoded method."""

    target: MethodRef
    kind: str


_MISSING = Invoke(MethodRef("", ""), "")
_NO_REF = MethodRef("", "")  # not looked up yet (None: looked up, outside the table)


@dataclass(slots=True)
class DecodedMethod:
    """What a method does that the analyses need: its invokes, const-strings and returned constants."""

    invokes: list[Invoke] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    returned_constants: set[int] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class ClassInfo:
    """A class defined in the APK: which DEX, its superclass and interfaces, its methods with code."""

    descriptor: str
    dex: int
    superclass: str | None
    interfaces: tuple[str, ...]
    methods: dict[str, tuple[int, int]]  # name(proto) → (method_idx, code_off); code_off 0 = abstract/native


@dataclass(frozen=True, slots=True)
class _ClassMethods:
    """Every class's (method_idx, code_off) list of one DEX, from one vectorised class-data decode."""

    method_idx: npt.NDArray[np.int64]
    code_off: npt.NDArray[np.int64]
    lo: npt.NDArray[np.int64]  # class_def row → first entry
    hi: npt.NDArray[np.int64]


class DexSet:
    """The DEX files of one APK; class lookups are cached, method decoding is on demand."""

    def __init__(self, dexes: list[DexFile], descriptors: Iterable[list[str]] | None = None) -> None:
        self.dexes = dexes
        self._where: dict[str, tuple[int, int]] = {}
        lists = list(descriptors) if descriptors is not None else [d.class_descriptors() for d in dexes]
        self.class_lists = lists  # per DEX: its class descriptors in class_def order (empty when unreadable)
        for i, names in enumerate(lists):
            for row, desc in enumerate(names):
                self._where.setdefault(desc, (i, row))  # first definition wins, as on the device
        self._classes: dict[str, ClassInfo | None] = {}
        self._refs: dict[tuple[int, int], MethodRef | None] = {}
        self._supers: dict[str, frozenset[str]] = {}  # (dex, method_idx) → ref: invokes repeat a lot
        self._resolved: dict[MethodRef, tuple[ClassInfo, int, int] | None] = {}
        self._class_methods: dict[int, _ClassMethods | None] = {}
        self._decodes: dict[int, int] = {}  # methods decoded one by one, per DEX
        self._invokes: dict[tuple[int, int, int], Invoke | None] = {}
        self.problems: list[str] = []

    def defines(self, descriptor: str) -> bool:
        """True when the APK defines this class."""
        return descriptor in self._where

    def class_info(self, descriptor: str) -> ClassInfo | None:
        """The class, or None when it is not defined in the APK (framework/library) or unreadable."""
        if descriptor in self._classes:
            return self._classes[descriptor]
        info: ClassInfo | None = None
        where = self._where.get(descriptor)
        if where is not None:
            try:
                info = self._read_class(descriptor, *where)
            except FormatError as exc:
                self.problems.append(f"{self.dexes[where[0]].name}: class {descriptor}: {exc}")
        self._classes[descriptor] = info
        return info

    def _all_class_methods(self, dex_i: int) -> _ClassMethods | None:
        """Every class's methods of DEX `dex_i` at once, or None when its class data needs the per-class path."""
        if dex_i in self._class_methods:
            return self._class_methods[dex_i]
        found = None
        dex = self.dexes[dex_i]
        try:
            method_idx, class_def, code_off = method_entries(dex)
            if dex.class_data_ulebs_ok:  # else a class parse would reject an over-long value: keep that path
                rows = np.arange(dex.class_count, dtype=np.int64)
                lo = np.searchsorted(class_def, rows, side="left").astype(np.int64)
                hi = np.searchsorted(class_def, rows, side="right").astype(np.int64)
                found = _ClassMethods(method_idx, code_off, lo, hi)
        except FormatError:
            pass  # a broken class_data_item: read class by class, which names the broken class
        self._class_methods[dex_i] = found
        return found

    def _read_class(self, descriptor: str, dex_i: int, row: int) -> ClassInfo:
        dex = self.dexes[dex_i]
        cdef = dex.class_defs[row]
        sup = int(cdef[2])
        methods: dict[str, tuple[int, int]] = {}
        if int(cdef[6]):
            table = self._all_class_methods(dex_i)
            if table is not None:
                lo, hi = int(table.lo[row]), int(table.hi[row])
                indices = table.method_idx[lo:hi]
                string, proto = dex.string, dex.proto_descriptor
                for method_idx, code_off, name_idx, proto_idx in zip(
                    indices.tolist(),
                    table.code_off[lo:hi].tolist(),
                    dex.method_name[indices].tolist(),
                    dex.method_proto[indices].tolist(),
                    strict=True,
                ):  # name(proto) as `method_name_proto` builds it, with the table columns read in one go
                    methods[string(name_idx) + proto(proto_idx)] = (method_idx, code_off)
            else:
                for method_idx, _flags, code_off in parse_class_data(dex.data, int(cdef[6])):
                    if method_idx >= dex.header.method_ids.size:
                        raise FormatError(f"method index {method_idx} >= {dex.header.method_ids.size}")
                    methods[dex.method_name_proto(method_idx)] = (method_idx, code_off)
        return ClassInfo(
            descriptor=descriptor,
            dex=dex_i,
            superclass=None if sup == NO_INDEX else dex.type_name(sup),
            interfaces=tuple(dex.type_name(t) for t in dex.type_list(int(cdef[3]))),
            methods=methods,
        )

    def resolve(self, ref: MethodRef) -> tuple[ClassInfo, int, int] | None:
        """The definition an invoke of `ref` reaches: look in the class, then up its superclasses (cached)."""
        if ref in self._resolved:
            return self._resolved[ref]
        found = self._resolved[ref] = self._resolve(ref)
        return found

    def _resolve(self, ref: MethodRef) -> tuple[ClassInfo, int, int] | None:
        cls: str | None = ref.cls
        for _ in range(MAX_SUPER_DEPTH):
            if cls is None:
                return None
            info = self.class_info(cls)
            if info is None:
                return None
            found = info.methods.get(ref.name_proto)
            if found is not None:
                return info, found[0], found[1]
            cls = info.superclass
        return None

    def supertypes(self, descriptor: str) -> frozenset[str]:
        """Every superclass and interface of a class as far as the APK defines them (names of the rest); cached,
        since virtual dispatch asks for the same classes again and again."""
        cached = self._supers.get(descriptor)
        if cached is None:
            cached = self._supers[descriptor] = frozenset(self._walk_supertypes(descriptor))
        return cached

    def _walk_supertypes(self, descriptor: str) -> set[str]:
        seen: set[str] = set()
        todo = [descriptor]
        while todo and len(seen) < 4 * MAX_SUPER_DEPTH:
            info = self.class_info(todo.pop())
            if info is None:
                continue
            for parent in (info.superclass, *info.interfaces):
                if parent is not None and parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def method_ref(self, dex_i: int, idx: int) -> MethodRef | None:
        """The method `idx` of DEX `dex_i` as a ref (cached: building names is most of a walk's cost)."""
        key = (dex_i, idx)
        ref = self._refs.get(key, _NO_REF)
        if ref is not _NO_REF:
            return ref
        dex = self.dexes[dex_i]
        ref = None
        if idx < dex.header.method_ids.size:
            cls = dex.type_name(dex.method_class.item(idx))
            name = dex.string(dex.method_name.item(idx))
            ref = MethodRef(cls, name + dex.proto_descriptor(dex.method_proto.item(idx)))
        self._refs[key] = ref
        return ref

    def invoke_index(self, dex_i: int) -> InvokeIndex | None:
        """The whole invoke index of DEX `dex_i` (built on first use), or None when the file needs per-method walks."""
        return invoke_index_of(self.dexes[dex_i])

    def built_index(self, dex_i: int) -> InvokeIndex | None:
        """The invoke index of DEX `dex_i` if the read or a walk has already built it (None otherwise)."""
        index = self.dexes[dex_i].invoke_index
        return index if isinstance(index, InvokeIndex) else None

    def invoke_keys(self, dex_i: int, method_idx: int, code_off: int) -> list[int] | None:
        """The invokes of one method as index keys (`callee << 8 | opcode`, see `invoke_of_key`), in code
        order; None when the DEX has no invoke index yet (or it lacks the method): use `invokes` then."""
        index = self.built_index(dex_i)
        if index is None:
            return None
        span = index.span(method_idx, code_off)
        if span is None:
            return None
        keys: list[int] = index.key[span[0] : span[1]].tolist()
        return keys

    def invoke_of_key(self, dex_i: int, key: int) -> Invoke | None:
        """The invoke an index key stands for (None: the method index is outside the DEX's table)."""
        ref = self.method_ref(dex_i, key >> 8)
        return Invoke(ref, INVOKE_KIND[key & 0xFF]) if ref is not None else None

    def invokes(self, dex_i: int, method_idx: int, code_off: int) -> list[Invoke]:
        """The invokes of one method, in code order: `decode(...).invokes`, from the invoke index when the
        read built it or once a walk has decoded enough methods of this DEX to make the index pay."""
        index = self.built_index(dex_i)
        if index is None and self.dexes[dex_i].invoke_index is None:
            count = self._decodes[dex_i] = self._decodes.get(dex_i, 0) + 1
            if count > INDEX_AFTER_DECODES:
                index = self.invoke_index(dex_i)
        span = index.span(method_idx, code_off) if index is not None else None
        if index is None or span is None:
            return self.decode(dex_i, code_off, strings=False).invokes
        lo, hi = span
        out = []
        cache = self._invokes
        for op, callee in zip(index.opcode[lo:hi].tolist(), index.callee[lo:hi].tolist(), strict=True):
            key = (dex_i, callee, op)
            inv = cache.get(key, _MISSING)
            if inv is _MISSING:
                ref = self.method_ref(dex_i, callee)
                inv = cache[key] = Invoke(ref, INVOKE_KIND[op]) if ref is not None else None
            if inv is not None:
                out.append(inv)
        return out

    def decode(self, dex_i: int, code_off: int, *, strings: bool = True) -> DecodedMethod:
        """Invokes, const-strings (unless `strings=False`) and returned int constants of the code item."""
        dex = self.dexes[dex_i]
        data = dex.data
        if code_off % 4 or code_off + CODE_ITEM_HEADER > dex.header.file_size:
            raise FormatError(f"code_off {code_off:#x} is misaligned or outside the file")
        start = code_off + CODE_ITEM_HEADER
        end = start + 2 * u32_at(data, code_off + 12)
        if end > dex.header.file_size:
            raise FormatError(f"code item at {code_off:#x} runs past the end of the file")
        out = DecodedMethod()
        consts: dict[int, int] = {}
        for pos, op in iter_instructions(data, start, end):
            if op in INVOKE_OPCODES:
                ref = self.method_ref(dex_i, u16_at(data, pos + 2))
                if ref is not None:
                    out.invokes.append(Invoke(ref, INVOKE_KIND[op]))
            elif op in (0x1A, 0x1B):  # const-string(/jumbo)
                if strings:
                    out.strings.append(dex.string(u16_at(data, pos + 2) if op == 0x1A else u32_at(data, pos + 2)))
            elif op == 0x12:  # const/4 vA, #+B
                unit = u16_at(data, pos)
                value = unit >> 12
                consts[(unit >> 8) & 0xF] = value - 16 if value > 7 else value
            elif op == 0x13:  # const/16 vAA, #+BBBB
                value = u16_at(data, pos + 2)
                consts[u16_at(data, pos) >> 8] = value - 0x10000 if value > 0x7FFF else value
            elif op in (0x0A, 0x0B, 0x0C):  # move-result(-wide/-object) vAA overwrites a constant
                consts.pop(u16_at(data, pos) >> 8, None)
            elif op == 0x0F:  # return vAA
                reg = u16_at(data, pos) >> 8
                if reg in consts:
                    out.returned_constants.add(consts[reg])
        return out
