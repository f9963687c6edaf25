"""An APK's code numbered once with numpy, so the before-consent walk runs over ints and builds strings only
for the paths it reports.

Why: the string walk (`callgraph.CallGraphWalker`) named every invoked method (class + name + proto
strings) and read every visited class's methods into a dict keyed by `name(proto)` strings, which
was most of its time on large APKs. Here, per DEX, type descriptors and method names are decoded
in one vectorised pass and numbered by content (so equal names in two DEX files get one id),
protos are numbered by a hash of their (return, parameter) type ids (every proto is compared with
the first of its hash, so a collision is never taken for equality), and every method reference of
every DEX is resolved to its definition (up the superclass chain) for all references at once. The
graph is kept in CSR form: the invoke index (`invokeindex`) gives each method's [first, last) slice
of one key array; the walk's state is ints in dicts and sets, and names are built for findings only.

Only well-formed code takes this path (every DEX indexed whole, class data decodable at once, no
class defining a signature twice, descriptors and names that `name(proto)` strings tell apart);
`program_of` returns None otherwise and the caller keeps the string walk, which names each broken part.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ganzhi.collect.apk.binary import FormatError, gather_u32
from ganzhi.collect.apk.dex import NO_INDEX, DexFile
from ganzhi.collect.apk.dexcode import method_entries
from ganzhi.collect.apk.dexset import MAX_SUPER_DEPTH, DexSet

I64 = npt.NDArray[np.int64]

#: longest parameter list numbered (the DEX format allows at most 255 argument words)
MAX_PARAMS = 255
_TYPE = re.compile(r"\[*(?:[ZBSCIJFDV]|L[^;()\n]+;)")
_MASK = (1 << 64) - 1


def _splitmix64(count: int) -> list[int]:
    """`count` well-mixed 64-bit odd constants (splitmix64 from a fixed seed: the same in every process)."""
    out, state = [], 0x243F6A8885A308D3
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & _MASK
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        out.append((z ^ (z >> 31)) | 1)
    return out


#: multipliers of the proto hash, one per column (size, return type, parameters...)
_MULT_U = _splitmix64(MAX_PARAMS + 2)
_MULT = np.array(_MULT_U, dtype=np.uint64).view(np.int64)


def ints(values: npt.NDArray[np.integer], code: str = "q") -> array[int]:
    """A numpy column as a compact array indexable from Python (no int object per element up front);
    `code` "i" stores 32-bit values (ids and offsets of one DEX), "q" 64-bit ones (keys)."""
    out = array(code)
    out.frombytes(np.ascontiguousarray(values, dtype=np.int32 if code == "i" else np.int64).tobytes())
    return out


class _Unsupported(Exception):
    """The APK needs the string walk (something is malformed or ambiguous)."""


@dataclass(slots=True)
class DexIds:
    """One DEX in program ids: per method reference its class, signature, resolved node and name id; its invokes."""

    dex: DexFile
    type_cls: I64
    method_cls: array[int]
    method_sig: array[int]
    method_node: array[int]
    method_name: I64
    invoke_keys: array[int]  # `callee << 8 | opcode` of every invoke, in code order
    first: array[int]  # method index → its invokes' [first, last) in `invoke_keys`
    last: array[int]
    proto_hash: I64
    proto_gid: I64
    proto_size: I64
    proto_ret: I64
    proto_start: I64
    proto_params: I64


class Program:
    """Every class, signature and method definition of one APK as ints (built by `program_of`)."""

    def __init__(self, dexset: DexSet) -> None:
        self.dexset = dexset
        self.dexes: list[DexIds] = []
        #: class and method-name ids by text (equal names in two DEX files share an id)
        self.class_ids: dict[str, int] = {}
        self.class_names: list[str] = []
        self.name_ids: dict[str, int] = {}
        #: class id → DEX and class_def row of the definition Android uses (-1: not defined), superclass (-1: none)
        self.def_dex: list[int] = []
        self.def_row: list[int] = []
        self.superclass: list[int] = []
        #: definitions (the walk's nodes), sorted by `class * sig_space + sig`
        self.def_keys: array[int] = array("q")
        self.node_dex: array[int] = array("q")
        self.node_midx: array[int] = array("q")
        self.node_code: array[int] = array("q")
        self.node_cls: array[int] = array("q")
        self.n_protos = 1
        self.sig_space = 1
        self._class_entries: list[tuple[I64, I64, I64, I64]] = []  # per DEX: per row [lo, hi); entry sigs, nodes
        self._interfaces: dict[int, tuple[int, ...]] = {}
        self._methods: dict[int, list[tuple[int, int]]] = {}
        self._resolved: dict[tuple[int, int], int] = {}
        self._sigs: dict[str, int] = {}

    # -- ids --------------------------------------------------------------------------------

    @property
    def n_names(self) -> int:
        """How many distinct method names the APK references (at least 1)."""
        return max(len(self.name_ids), 1)

    def class_name(self, cls: int) -> str:
        """The descriptor of class id `cls`."""
        return self.class_names[cls]

    def find_class(self, descriptor: str) -> int:
        """The id of a class descriptor some DEX mentions, or -1."""
        return self.class_ids.get(descriptor, -1)

    def find_name(self, name: str) -> int:
        """The id of a method name some DEX references, or -1."""
        return self.name_ids.get(name, -1)

    def class_id(self, descriptor: str) -> int:
        """`find_class`, or a fresh id for a name no DEX mentions (bridge receivers such as Runnable)."""
        found = self.class_ids.get(descriptor)
        if found is None:
            found = self.class_ids[descriptor] = len(self.class_names)
            self.class_names.append(descriptor)
            self.def_dex.append(-1)
            self.def_row.append(-1)
            self.superclass.append(-1)
        return found

    def sig_id(self, name_proto: str) -> int:
        """The id of `name(params)return`, or -1 when no method reference of the APK has that signature."""
        found = self._sigs.get(name_proto)
        if found is None:
            found = self._sigs[name_proto] = self._sig_id(name_proto)
        return found

    def _sig_id(self, name_proto: str) -> int:
        name, paren, proto = name_proto.partition("(")
        params_text, close, ret = proto.partition(")")
        params = _TYPE.findall(params_text)
        nid = self.find_name(name)
        if nid < 0 or not paren or not close or "".join(params) != params_text or len(params) > MAX_PARAMS:
            return -1
        types = [self.find_class(t) for t in (ret, *params)]
        if -1 in types:
            return -1
        row = [len(params), *types]
        total = sum(v * m for v, m in zip(row, _MULT_U, strict=False)) & _MASK
        want = total - (1 << 64) if total >= 1 << 63 else total
        for d in self.dexes:
            for p in np.flatnonzero(d.proto_hash == want).tolist():
                a, size = int(d.proto_start[p]), int(d.proto_size[p])
                got = [size, int(d.proto_ret[p]), *d.proto_params[a : a + size].tolist()]
                if got == row:
                    return nid * self.n_protos + int(d.proto_gid[p])
        return -1

    # -- classes ----------------------------------------------------------------------------

    def defined(self, cls: int) -> bool:
        """True when the APK defines class `cls`."""
        return self.def_dex[cls] >= 0

    def interfaces(self, cls: int) -> tuple[int, ...]:
        """Interface class ids of a defined class."""
        found = self._interfaces.get(cls)
        if found is None:
            d = self.dexes[self.def_dex[cls]]
            listed = d.dex.type_list(int(d.dex.class_defs[self.def_row[cls], 3]))
            found = self._interfaces[cls] = tuple(int(d.type_cls[t]) for t in listed)
        return found

    def methods(self, cls: int) -> list[tuple[int, int]]:
        """(signature, node) of every method of a defined class, in class-data order."""
        found = self._methods.get(cls)
        if found is None:
            lo, hi, sigs, nodes = self._class_entries[self.def_dex[cls]]
            row = self.def_row[cls]
            a, b = int(lo[row]), int(hi[row])
            found = self._methods[cls] = list(zip(sigs[a:b].tolist(), nodes[a:b].tolist(), strict=True))
        return found

    def resolve(self, cls: int, sig: int) -> int:
        """The node an invoke of (cls, sig) reaches: the class, then up its superclasses (-1: none), cached."""
        key = (cls, sig)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(cls, sig)
        return found

    def _resolve(self, cls: int, sig: int) -> int:
        if sig < 0:
            return -1
        keys, size = self.def_keys, len(self.def_keys)
        for _ in range(MAX_SUPER_DEPTH):
            if cls < 0 or self.def_dex[cls] < 0:
                return -1
            key = cls * self.sig_space + sig
            pos = bisect_left(keys, key)
            if pos < size and keys[pos] == key:
                return pos
            cls = self.superclass[cls]
        return -1

    def supertypes(self, cls: int) -> frozenset[int]:
        """Every superclass and interface as far as the APK defines them, visited as `DexSet.supertypes` does."""
        seen: set[int] = set()
        todo = [cls]
        while todo and len(seen) < 4 * MAX_SUPER_DEPTH:
            c = todo.pop()
            if self.def_dex[c] < 0:
                continue
            sup = self.superclass[c]
            for parent in ((sup,) if sup >= 0 else ()) + self.interfaces(c):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return frozenset(seen)

    # -- names (findings only) --------------------------------------------------------------

    def node_name(self, node: int) -> str:
        """`Lpkg/C;->name(proto)` of a definition, as the string walk names it."""
        dex = self.dexes[self.node_dex[node]].dex
        return f"{self.class_name(self.node_cls[node])}->{dex.method_name_proto(self.node_midx[node])}"

    def api_name(self, dex_i: int, midx: int) -> str:
        """`Lpkg/C;->name(proto)` of a method reference."""
        return self.dexes[dex_i].dex.method_signature(midx)


def program_of(dexset: DexSet) -> Program | None:
    """The integer program of `dexset`, or None when some DEX needs the string walk."""
    try:
        return _build(dexset)
    except (_Unsupported, FormatError, IndexError, ValueError, OverflowError):
        return None


def _number(texts: list[str], ids: dict[str, int]) -> I64:
    """Ids of `texts` by content, adding new texts to `ids` (first occurrence numbered first).

    The first DEX's texts are usually all distinct (its string table is sorted and unique): they are
    numbered in one C-level dict build instead of one Python step per text."""
    if not ids:
        ids.update(zip(texts, range(len(texts)), strict=True))
        if len(ids) == len(texts):  # all distinct: ids in insertion order, as `class_names` relies on
            return np.arange(len(texts), dtype=np.int64)
        ids.clear()
    return np.fromiter((ids.setdefault(t, len(ids)) for t in texts), dtype=np.int64, count=len(texts))


def _build(dexset: DexSet) -> Program:
    prog = Program(dexset)
    if not dexset.dexes:
        raise _Unsupported("no DEX")
    class_ids, name_ids = prog.class_ids, prog.name_ids
    type_cls, method_name = [], []
    for i, dex in enumerate(dexset.dexes):
        if dexset.built_index(i) is None:
            raise _Unsupported("a DEX without an invoke index")
        if dex.class_count and len(dexset.class_lists[i]) != dex.class_count:
            raise _Unsupported("class names unreadable")
        types = dex.strings_at(dex.type_descriptors)
        joined = "\n".join(types)
        if len(_TYPE.findall(joined)) != len(types) or "(" in joined or ")" in joined:
            raise _Unsupported("a type descriptor that `name(proto)` strings could not tell apart")
        type_cls.append(_number(types, class_ids))
        used, inverse = np.unique(dex.method_name.astype(np.int64), return_inverse=True)
        names = dex.strings_at(used)
        if "(" in "".join(names):
            raise _Unsupported("a method name with '(' (name + proto strings would be ambiguous)")
        ids = _number(names, name_ids)
        method_name.append(ids[inverse.reshape(-1)] if ids.size else np.zeros(0, dtype=np.int64))
    prog.class_names = list(class_ids)
    n = len(prog.class_names)
    prog.def_dex, prog.def_row, prog.superclass = [-1] * n, [-1] * n, [-1] * n
    protos = _number_protos(prog, dexset.dexes, type_cls)
    prog.sig_space = prog.n_names * prog.n_protos
    if (n + 64) * prog.sig_space >= 1 << 62:
        raise _Unsupported("too many ids for one 64-bit key")
    for i, dex in enumerate(dexset.dexes):
        index = dexset.built_index(i)
        assert index is not None  # checked above
        sig = method_name[i] * prog.n_protos + protos[i][5][dex.method_proto.astype(np.int64)]
        prog.dexes.append(
            DexIds(
                dex=dex,
                type_cls=type_cls[i],
                method_cls=ints(type_cls[i][dex.method_class.astype(np.int64)], "i"),
                method_sig=ints(sig),
                method_node=array("q"),
                method_name=method_name[i],
                invoke_keys=ints(index.key, "i"),
                first=ints(index.first, "i"),
                last=ints(index.last, "i"),
                proto_hash=protos[i][0],
                proto_gid=protos[i][5],
                proto_size=protos[i][1],
                proto_ret=protos[i][2],
                proto_start=protos[i][3],
                proto_params=protos[i][4],
            )
        )
    _define(prog)
    _resolve_all(prog)
    return prog


_Protos = tuple[I64, I64, I64, I64, I64, I64]  # hash, size, return, params start, params (flat), global id


def _number_protos(prog: Program, dexes: list[DexFile], type_cls: list[I64]) -> list[_Protos]:
    """Protos → ids by (parameter count, return type, parameter types), equal across DEX files.

    Rows are hashed (wrapping 64-bit sums of column × odd constant), numbered by hash, then every row is
    compared with the first row of its number, so a hash collision cannot merge two protos.
    """
    per_dex: list[list[I64]] = []
    for dex, tcls in zip(dexes, type_cls, strict=True):
        n = dex.header.proto_ids.size
        offs = dex.proto_params_off.astype(np.int64)
        has = np.flatnonzero(offs != 0)
        sizes = np.zeros(n, dtype=np.int64)
        if has.size:
            at = offs[has]
            if ((at % 4) != 0).any() or (at + 4 > dex.header.file_size).any():
                raise _Unsupported("a proto's parameter list lies outside the file")
            sizes[has] = gather_u32(dex.bytes, at)
            if (at + 4 + 2 * sizes[has] > dex.header.file_size).any() or int(sizes.max()) > MAX_PARAMS:
                raise _Unsupported("a proto's parameter list runs past the file")
        start = np.cumsum(sizes) - sizes
        total = int(sizes.sum())
        rank = np.arange(total, dtype=np.int64) - np.repeat(start, sizes)
        pos = np.repeat(offs + 4, sizes) + 2 * rank
        units = dex.bytes[pos].astype(np.int64) | (dex.bytes[pos + 1].astype(np.int64) << 8)
        if units.size and int(units.max()) >= tcls.size:
            raise _Unsupported("a proto names a type outside the type table")
        params = tcls[units]
        ret = tcls[dex.proto_return.astype(np.int64)]
        contrib = np.cumsum(params * _MULT[2 + rank]) if total else np.zeros(0, dtype=np.int64)
        ends = start + sizes
        summed = np.where(ends > 0, contrib[np.maximum(ends - 1, 0)] if total else 0, 0)
        summed = summed - np.where(start > 0, contrib[np.maximum(start - 1, 0)] if total else 0, 0)
        hashed = sizes * _MULT[0] + ret * _MULT[1] + summed
        per_dex.append([hashed, sizes, ret, start, params])
    hashes = np.concatenate([p[0] for p in per_dex])
    _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    _check_collisions(per_dex, first[inverse])
    prog.n_protos = int(first.size) or 1
    out: list[_Protos] = []
    done = 0
    for hashed, sizes, ret, start, params in per_dex:
        out.append((hashed, sizes, ret, start, params, inverse[done : done + hashed.size].astype(np.int64)))
        done += hashed.size
    return out


def _check_collisions(per_dex: list[list[I64]], rep: I64) -> None:
    """Every proto equals the representative of its hash (size, return type and each parameter)."""
    sizes = np.concatenate([p[1] for p in per_dex])
    rets = np.concatenate([p[2] for p in per_dex])
    params = np.concatenate([p[4] for p in per_dex])
    starts = np.cumsum(sizes) - sizes
    if (sizes[rep] != sizes).any() or (rets[rep] != rets).any():
        raise _Unsupported("proto hash collision")
    shift = np.repeat(starts[rep] - starts, sizes)
    flat = np.arange(params.size, dtype=np.int64)
    if params.size and (params[flat + shift] != params).any():
        raise _Unsupported("proto hash collision")


_Part = tuple[int, I64, I64, I64, I64]  # per DEX: index, class id per class_def row, its method entries


def _define(prog: Program) -> None:
    """Which DEX defines each class (the first, as on the device), its superclass, and every method definition."""
    _define_methods(prog, _define_classes(prog))


def _define_classes(prog: Program) -> list[_Part]:
    """Each class's defining DEX and row (the first definition wins) and superclass; the DEXes' method entries."""
    parts: list[_Part] = []
    cls_all, dex_all, row_all = [], [], []
    for i, d in enumerate(prog.dexes):
        dex = d.dex
        entries = method_entries(dex)
        if not dex.class_data_ulebs_ok:
            raise _Unsupported("class data a per-class parse would reject")
        cls = d.type_cls[dex.class_defs[:, 0].astype(np.int64)] if dex.class_count else np.zeros(0, dtype=np.int64)
        parts.append((i, cls, *entries))
        cls_all.append(cls)
        dex_all.append(np.full(cls.size, i, dtype=np.int64))
        row_all.append(np.arange(cls.size, dtype=np.int64))
    classes = np.concatenate(cls_all)
    first = np.unique(classes, return_index=True)[1]
    win_cls, win_dex, win_row = classes[first], np.concatenate(dex_all)[first], np.concatenate(row_all)[first]
    def_dex = np.full(len(prog.def_dex), -1, dtype=np.int64)
    def_row = def_dex.copy()
    superclass = def_dex.copy()
    def_dex[win_cls], def_row[win_cls] = win_dex, win_row
    for i, d in enumerate(prog.dexes):
        mine = np.flatnonzero(win_dex == i)
        cdefs = d.dex.class_defs[win_row[mine]] if mine.size else np.zeros((0, 8), dtype=np.uint32)
        sup = cdefs[:, 2].astype(np.int64)
        has_sup = sup != NO_INDEX
        superclass[win_cls[mine[has_sup]]] = d.type_cls[sup[has_sup]]
        _check_type_lists(d.dex, cdefs[:, 3].astype(np.int64))
    prog.def_dex, prog.def_row, prog.superclass = def_dex.tolist(), def_row.tolist(), superclass.tolist()
    return parts


def _define_methods(prog: Program, parts: list[_Part]) -> None:
    """Every method definition of a defining class as a node, sorted by (class, signature) for lookups."""
    def_dex, def_row = np.asarray(prog.def_dex, dtype=np.int64), np.asarray(prog.def_row, dtype=np.int64)
    keys, owners, dexes, midxs, codes, kept = [], [], [], [], [], []
    for i, cls, midx, rows, code_off in parts:
        owner = cls[rows] if rows.size else np.zeros(0, dtype=np.int64)
        wins = (def_dex[owner] == i) & (def_row[owner] == rows) if owner.size else np.zeros(0, dtype=bool)
        sig = np.frombuffer(prog.dexes[i].method_sig, dtype=np.int64)[midx] if midx.size else midx
        keys.append(owner[wins] * prog.sig_space + sig[wins])
        owners.append(owner[wins])
        dexes.append(np.full(int(wins.sum()), i, dtype=np.int64))
        midxs.append(midx[wins])
        codes.append(code_off[wins])
        kept.append(rows[wins])
    every = np.concatenate(keys)
    order = np.argsort(every, kind="stable")
    def_keys = every[order]
    if def_keys.size > 1 and bool((def_keys[1:] == def_keys[:-1]).any()):
        raise _Unsupported("a class defines one signature twice")
    node_dex, node_midx, node_code = (np.concatenate(x)[order] for x in (dexes, midxs, codes))
    for i in range(len(prog.dexes)):  # the walk reads each node's invokes from its DEX's index
        with_code = (node_dex == i) & (node_code != 0)
        index = prog.dexset.built_index(i)
        assert index is not None
        if not bool((index.code_of[node_midx[with_code]] == node_code[with_code]).all()):
            raise _Unsupported("a method whose code the invoke index does not hold")
    prog.def_keys = ints(def_keys)
    prog.node_dex, prog.node_midx, prog.node_code = ints(node_dex, "i"), ints(node_midx, "i"), ints(node_code)
    prog.node_cls = ints(np.concatenate(owners)[order], "i")
    node_of_entry = np.empty(every.size, dtype=np.int64)
    node_of_entry[order] = np.arange(every.size, dtype=np.int64)
    at = 0
    for (i, *_rest), key, rows in zip(parts, keys, kept, strict=True):
        nodes = node_of_entry[at : at + key.size]
        at += key.size
        class_rows = np.arange(prog.dexes[i].dex.class_count, dtype=np.int64)
        lo = np.searchsorted(rows, class_rows, side="left").astype(np.int64)
        hi = np.searchsorted(rows, class_rows, side="right").astype(np.int64)
        prog._class_entries.append((lo, hi, key % prog.sig_space, nodes))


def _check_type_lists(dex: DexFile, offsets: I64) -> None:
    """Every interface list lies inside the file and names types of the table (so `type_list` cannot fail)."""
    at = offsets[offsets != 0]
    if at.size == 0:
        return
    if ((at % 4) != 0).any() or (at + 4 > dex.header.file_size).any():
        raise _Unsupported("an interface list outside the file")
    sizes = gather_u32(dex.bytes, at)
    if (at + 4 + 2 * sizes > dex.header.file_size).any():
        raise _Unsupported("an interface list runs past the file")
    pos = np.repeat(at + 4 - 2 * (np.cumsum(sizes) - sizes), sizes) + 2 * np.arange(int(sizes.sum()), dtype=np.int64)
    units = dex.bytes[pos].astype(np.int64) | (dex.bytes[pos + 1].astype(np.int64) << 8)
    if units.size and int(units.max()) >= dex.header.type_ids.size:
        raise _Unsupported("an interface list names a type outside the type table")


def _resolve_all(prog: Program) -> None:
    """Every method reference of every DEX resolved to its definition at once (as `Program.resolve`)."""
    defined = np.asarray(prog.def_dex, dtype=np.int64) >= 0
    superclass = np.asarray(prog.superclass, dtype=np.int64)
    keys = np.frombuffer(prog.def_keys, dtype=np.int64)
    for d in prog.dexes:
        cur = np.frombuffer(d.method_cls, dtype=np.int32).astype(np.int64)
        sig = np.frombuffer(d.method_sig, dtype=np.int64)
        node = np.full(cur.size, -1, dtype=np.int64)
        active = np.arange(cur.size, dtype=np.int64)
        for _ in range(MAX_SUPER_DEPTH):
            active = active[defined[cur[active]]]
            if active.size == 0 or keys.size == 0:
                break
            want = cur[active] * prog.sig_space + sig[active]
            pos = np.minimum(np.searchsorted(keys, want), keys.size - 1)
            hit = keys[pos] == want
            node[active[hit]] = pos[hit]
            active = active[~hit]
            cur[active] = superclass[cur[active]]
            active = active[cur[active] >= 0]
        d.method_node = ints(node, "i")
