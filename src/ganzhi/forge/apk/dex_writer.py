"""Write a real, valid DEX file from a `DexSpec`: sorted id tables, code items, map list, checksums.

The output passes `dexdump` and androguard; method bodies are `const-string`s, the requested
`invoke-*` instructions (35c, or 3rc for more than five argument words) and a matching return.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass

from ganzhi.collect.apk.binary import encode_mutf8
from ganzhi.forge.apk.spec import (
    ACC_CONSTRUCTOR,
    ACC_PRIVATE,
    ACC_PUBLIC,
    ACC_STATIC,
    ClassSpec,
    DexSpec,
    MethodSpec,
    descriptor,
    parse_method_ref,
    parse_proto,
)

HEADER_SIZE = 0x70
NO_INDEX = 0xFFFFFFFF
_INVOKE_OP = {"virtual": 0x6E, "super": 0x6F, "direct": 0x70, "static": 0x71, "interface": 0x72}
MAX_REF_INDEX = 0xFFFF


def _uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _utf16_key(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def _shorty(params: list[str], ret: str) -> str:
    return "".join("L" if t[0] in "L[" else t for t in [ret, *params])


def _words(types: list[str]) -> int:
    return sum(2 if t in ("J", "D") else 1 for t in types)


@dataclass(frozen=True)
class _Method:
    cls: str
    name: str
    proto: str


class _Pools:
    """Every string, type, proto and method a DEX file references, then sorted into indices."""

    def __init__(self) -> None:
        self.strings: set[str] = set()
        self.types: set[str] = set()
        self.protos: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        self.methods: set[_Method] = set()

    def add_type(self, desc: str) -> None:
        self.types.add(desc)
        self.strings.add(desc)

    def add_method(self, cls: str, name: str, proto: str) -> None:
        if proto not in self.protos:
            params, ret = parse_proto(proto)
            shorty = _shorty(params, ret)
            self.protos[proto] = (shorty, ret, tuple(params))
            self.strings.add(shorty)
            for t in (ret, *params):
                self.add_type(t)
        self.add_type(cls)
        self.strings.add(name)
        self.methods.add(_Method(cls, name, proto))

    def finish(self) -> None:
        self.string_list = sorted(self.strings, key=_utf16_key)
        self.string_idx = {s: i for i, s in enumerate(self.string_list)}
        self.type_list = sorted(self.types, key=lambda t: self.string_idx[t])
        self.type_idx = {t: i for i, t in enumerate(self.type_list)}

        def proto_key(p: str) -> tuple[int, list[int]]:
            _, ret, params = self.protos[p]
            return self.type_idx[ret], [self.type_idx[t] for t in params]

        self.proto_list = sorted(self.protos, key=proto_key)
        self.proto_idx = {p: i for i, p in enumerate(self.proto_list)}
        self.method_list = sorted(
            self.methods,
            key=lambda m: (self.type_idx[m.cls], self.string_idx[m.name], self.proto_idx[m.proto]),
        )
        self.method_idx = {m: i for i, m in enumerate(self.method_list)}
        for what, n in (("types", len(self.type_list)), ("protos", len(self.proto_list))):
            if n > MAX_REF_INDEX + 1:
                raise ValueError(f"DEX spec needs {n} {what}, more than the 65536 a DEX file can hold")
        if len(self.method_list) > MAX_REF_INDEX + 1:
            raise ValueError(
                f"DEX spec references {len(self.method_list)} methods, more than 65536; split it over several DEX files"
            )


def _ordered_classes(classes: tuple[ClassSpec, ...]) -> list[ClassSpec]:
    """Superclasses and interfaces defined here come before their subclasses (a DEX rule)."""
    by_desc: dict[str, ClassSpec] = {}
    for c in classes:
        d = descriptor(c.name)
        if d in by_desc:
            raise ValueError(f"class {c.name!r} is defined twice in one DEX spec")
        by_desc[d] = c
    done: set[str] = set()
    order: list[ClassSpec] = []
    for root in by_desc:
        stack: list[tuple[str, bool]] = [(root, False)]
        visiting: set[str] = set()
        while stack:
            desc, expanded = stack.pop()
            if desc in done or desc not in by_desc:
                continue
            if expanded:
                visiting.discard(desc)
                done.add(desc)
                order.append(by_desc[desc])
                continue
            if desc in visiting:
                raise ValueError(f"class {by_desc[desc].name!r} is part of an inheritance cycle")
            visiting.add(desc)
            stack.append((desc, True))
            spec = by_desc[desc]
            parents = [*([spec.superclass] if spec.superclass else []), *spec.interfaces]
            stack.extend((descriptor(p), False) for p in parents)
    return order


def _method_flags(m: MethodSpec) -> tuple[int, bool]:
    """Access flags and whether the method is direct (static, private or constructor)."""
    flags = ACC_PRIVATE if m.private else ACC_PUBLIC
    if m.static or m.name == "<clinit>":
        flags |= ACC_STATIC
    if m.name in ("<init>", "<clinit>"):
        flags |= ACC_CONSTRUCTOR
    direct = bool(flags & (ACC_STATIC | ACC_PRIVATE | ACC_CONSTRUCTOR))
    return flags, direct


def _code_item(m: MethodSpec, pools: _Pools) -> bytes:
    params, ret = parse_proto(m.proto)
    static = m.static or m.name == "<clinit>"
    ins = _words(params) + (0 if static else 1)
    units: list[int] = []
    outs = 0
    regs_needed = 1 if m.strings else 0
    for text in m.strings:
        sidx = pools.string_idx[text]
        if sidx <= 0xFFFF:
            units += [0x1A, sidx]
        else:
            units += [0x1B, sidx & 0xFFFF, sidx >> 16]
    for inv in m.invokes:
        cls, name, proto = parse_method_ref(inv.target)
        midx = pools.method_idx[_Method(cls, name, proto)]
        t_params, _ = parse_proto(proto)
        words = _words(t_params) + (0 if inv.kind == "static" else 1)
        outs = max(outs, words)
        regs_needed = max(regs_needed, words)
        op = _INVOKE_OP[inv.kind]
        if words <= 5:
            regs = [*range(words), 0, 0, 0, 0, 0][:5]
            g = regs[4] if words == 5 else 0
            units += [
                (words << 12) | (g << 8) | op,
                midx,
                (regs[3] << 12) | (regs[2] << 8) | (regs[1] << 4) | regs[0],
            ]
        else:
            units += [(words << 8) | (op + 6), midx, 0]
    if ret == "V":
        units.append(0x0E)
    elif ret in ("J", "D"):
        units += [0x16, 0, 0x10]  # const-wide/16 v0, #0 ; return-wide v0
        regs_needed = max(regs_needed, 2)
    else:
        value = m.returns if m.returns is not None and ret[0] not in "L[" else 0
        if -8 <= value <= 7:
            units.append(0x12 | (value & 0xF) << 12)  # const/4 v0, #value
        else:
            units += [0x13, value & 0xFFFF]  # const/16 v0, #value
        units.append(0x11 if ret[0] in "L[" else 0x0F)  # return(-object) v0
        regs_needed = max(regs_needed, 1)
    registers = max(ins, regs_needed)
    header = struct.pack("<HHHHII", registers, ins, outs, 0, 0, len(units))
    return header + struct.pack(f"<{len(units)}H", *units)


def _align(buf: bytearray, n: int = 4) -> None:
    buf.extend(b"\x00" * (-len(buf) % n))


def _collect(classes: list[ClassSpec]) -> _Pools:
    pools = _Pools()
    for c in classes:
        pools.add_type(descriptor(c.name))
        for parent in [*([c.superclass] if c.superclass else []), *c.interfaces]:
            pools.add_type(descriptor(parent))
        seen: set[tuple[str, str]] = set()
        for m in c.methods:
            if (m.name, m.proto) in seen:
                raise ValueError(f"class {c.name!r} defines {m.name}{m.proto} twice")
            seen.add((m.name, m.proto))
            pools.add_method(descriptor(c.name), m.name, m.proto)
            pools.strings.update(m.strings)
            for inv in m.invokes:
                pools.add_method(*parse_method_ref(inv.target))
    pools.finish()
    return pools


class _Writer:
    """Lays out one DEX file: id tables right after the header, then the data section."""

    def __init__(self, classes: list[ClassSpec], pools: _Pools) -> None:
        self.classes = classes
        self.pools = pools
        counts = (len(pools.string_list), len(pools.type_list), len(pools.proto_list), len(pools.method_list))
        self.counts = (*counts, len(classes))
        offsets = [HEADER_SIZE]
        for n, item in zip(self.counts, (4, 4, 12, 8, 32), strict=True):
            offsets.append(offsets[-1] + n * item)
        self.id_offsets, self.data_off = offsets[:-1], offsets[-1]
        self.data = bytearray()
        self.sections: list[tuple[int, int, int]] = []  # (map item type, count, offset)
        self.code_offs: dict[tuple[str, str, str], int] = {}
        self.tl_offs: dict[tuple[str, ...], int] = {}
        self.str_offs: list[int] = []
        self.cd_offs: list[int] = []

    def here(self) -> int:
        return self.data_off + len(self.data)

    def section(self, kind: int, count: int, start: int) -> None:
        if count:
            self.sections.append((kind, count, start))

    def code_items(self) -> None:
        start = self.here()
        for c in self.classes:
            for m in c.methods:
                _align(self.data)
                self.code_offs[(descriptor(c.name), m.name, m.proto)] = self.here()
                self.data += _code_item(m, self.pools)
        self.section(0x2001, len(self.code_offs), start)

    def type_lists(self) -> None:
        _align(self.data)
        start = self.here()
        wanted = {params for _, _, params in self.pools.protos.values() if params}
        wanted.update(tuple(descriptor(i) for i in c.interfaces) for c in self.classes if c.interfaces)
        for tl in sorted(wanted):
            _align(self.data)
            self.tl_offs[tl] = self.here()
            self.data += struct.pack(f"<I{len(tl)}H", len(tl), *(self.pools.type_idx[t] for t in tl))
        self.section(0x1001, len(self.tl_offs), start)

    def string_data(self) -> None:
        start = self.here()
        for s in self.pools.string_list:
            self.str_offs.append(self.here())
            units = len(s.encode("utf-16-le", "surrogatepass")) // 2
            self.data += _uleb(units) + encode_mutf8(s) + b"\x00"
        self.section(0x2002, len(self.str_offs), start)

    def class_data(self) -> None:
        start = self.here()
        for c in self.classes:
            desc = descriptor(c.name)
            direct: list[tuple[int, int, int]] = []
            virtual: list[tuple[int, int, int]] = []
            for m in c.methods:
                flags, is_direct = _method_flags(m)
                idx = self.pools.method_idx[_Method(desc, m.name, m.proto)]
                (direct if is_direct else virtual).append((idx, flags, self.code_offs[(desc, m.name, m.proto)]))
            if not direct and not virtual:
                self.cd_offs.append(0)
                continue
            self.cd_offs.append(self.here())
            self.data += _uleb(0) + _uleb(0) + _uleb(len(direct)) + _uleb(len(virtual))
            for group in (sorted(direct), sorted(virtual)):
                prev = 0
                for idx, flags, code in group:
                    self.data += _uleb(idx - prev) + _uleb(flags) + _uleb(code)
                    prev = idx
        self.section(0x2000, sum(1 for x in self.cd_offs if x), start)

    def map_list(self) -> int:
        _align(self.data)
        map_off = self.here()
        ids = [(kind, n, off) for kind, n, off in zip((1, 2, 3, 5, 6), self.counts, self.id_offsets, strict=True) if n]
        items = sorted([(0x0000, 1, 0), *ids, *self.sections, (0x1000, 1, map_off)], key=lambda x: x[2])
        self.data += struct.pack("<I", len(items))
        for kind, count, where in items:
            self.data += struct.pack("<HHII", kind, 0, count, where)
        _align(self.data)
        return map_off

    def id_tables(self) -> bytes:
        p = self.pools
        table = bytearray(struct.pack(f"<{len(self.str_offs)}I", *self.str_offs))
        table += struct.pack(f"<{len(p.type_list)}I", *(p.string_idx[t] for t in p.type_list))
        for proto in p.proto_list:
            shorty, ret, params = p.protos[proto]
            table += struct.pack("<III", p.string_idx[shorty], p.type_idx[ret], self.tl_offs.get(params, 0))
        for m in p.method_list:
            table += struct.pack("<HHI", p.type_idx[m.cls], p.proto_idx[m.proto], p.string_idx[m.name])
        for c, cd in zip(self.classes, self.cd_offs, strict=True):
            sup = p.type_idx[descriptor(c.superclass)] if c.superclass else NO_INDEX
            ifaces = self.tl_offs[tuple(descriptor(i) for i in c.interfaces)] if c.interfaces else 0
            cls = p.type_idx[descriptor(c.name)]
            table += struct.pack("<8I", cls, c.access_flags, sup, ifaces, NO_INDEX, 0, cd, 0)
        return bytes(table)

    def build(self) -> bytes:
        self.code_items()
        self.type_lists()
        self.string_data()
        self.class_data()
        map_off = self.map_list()
        table = self.id_tables()
        header = bytearray(HEADER_SIZE)
        header[0:8] = b"dex\n035\x00"
        pairs: list[int] = []
        for n, off in zip(self.counts, self.id_offsets, strict=True):
            pairs += [n, off if n else 0]
        fields = [self.data_off + len(self.data), HEADER_SIZE, 0x12345678, 0, 0, map_off]
        fields += [*pairs[:6], 0, 0, *pairs[6:], len(self.data), self.data_off]  # no field_ids
        struct.pack_into("<20I", header, 32, *fields)
        out = header + table + self.data
        out[12:32] = hashlib.sha1(bytes(out[32:])).digest()
        struct.pack_into("<I", out, 8, zlib.adler32(bytes(out[12:])))
        return bytes(out)


def write_dex(spec: DexSpec) -> bytes:
    """Serialise `spec` into DEX 035 bytes with a correct adler32 checksum and SHA-1 signature."""
    classes = _ordered_classes(spec.classes)
    return _Writer(classes, _collect(classes)).build()
