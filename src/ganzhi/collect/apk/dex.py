"""Our own DEX reader: header, id tables as numpy arrays, lazy strings, class hierarchy.

Why our own: androguard builds Python objects for every instruction (≈150× the APK size in
memory); we keep the id tables as numpy views over the file bytes and decode a string only
when someone asks for it. Every size and offset is validated against the file before use, so a
malformed file raises `FormatError` naming the table, the expected and the actual value.
"""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from ganzhi.collect.apk.binary import FormatError, decode_mutf8, read_uleb128, u32_at
from ganzhi.errors import InputError

if TYPE_CHECKING:
    from ganzhi.collect.apk.dexcode import MethodCodeTable
    from ganzhi.collect.apk.invokeindex import InvokeIndex

NO_INDEX = 0xFFFFFFFF
HEADER_SIZE = 0x70
ENDIAN_CONSTANT = 0x12345678
MAX_STRING_BYTES = 1 << 20
KNOWN_VERSIONS = frozenset({b"035", b"036", b"037", b"038", b"039", b"040", b"041"})

U32Array = npt.NDArray[np.uint32]
U16Array = npt.NDArray[np.uint16]
I64Array = npt.NDArray[np.int64]


class Table(NamedTuple):
    """One id table of the header: its item count and file offset."""

    size: int
    offset: int


@dataclass(frozen=True)
class DexHeader:
    """The fixed 0x70-byte DEX header."""

    version: str
    checksum: int
    signature: bytes
    file_size: int
    map_off: int
    string_ids: Table
    type_ids: Table
    proto_ids: Table
    field_ids: Table
    method_ids: Table
    class_defs: Table
    data: Table


@dataclass(frozen=True)
class DexClass:
    """One class defined in a DEX file (descriptors in `Lpkg/Name;` form)."""

    descriptor: str
    superclass: str | None
    interfaces: tuple[str, ...]
    access_flags: int


def parse_header(data: bytes | bytearray | memoryview) -> DexHeader:
    """Validate the magic, endianness and every table's bounds."""
    if len(data) < HEADER_SIZE:
        raise FormatError(f"file is {len(data)} bytes, smaller than the {HEADER_SIZE}-byte DEX header")
    magic = bytes(data[0:8])
    if magic[:4] != b"dex\n" or magic[7:8] != b"\x00" or magic[4:7] not in KNOWN_VERSIONS:
        raise FormatError(f"magic is {magic!r}, expected b'dex\\n0NN\\x00' with NN in 35..41")
    endian = u32_at(data, 40)
    if endian != ENDIAN_CONSTANT:
        raise FormatError(f"endian_tag is {endian:#x}, expected {ENDIAN_CONSTANT:#x} (little-endian)")
    header_size = u32_at(data, 36)
    if header_size != HEADER_SIZE:
        raise FormatError(f"header_size is {header_size:#x}, expected {HEADER_SIZE:#x}")
    file_size = u32_at(data, 32)
    if file_size < HEADER_SIZE or file_size > len(data):
        raise FormatError(f"file_size field is {file_size}, but the entry holds {len(data)} bytes")

    def table(at: int, item: int, name: str, align: int = 4) -> Table:
        size, off = u32_at(data, at), u32_at(data, at + 4)
        if size == 0:
            return Table(0, 0)
        if off % align or off < HEADER_SIZE or off + size * item > file_size:
            raise FormatError(
                f"{name}: {size} items of {item} bytes at offset {off:#x} do not fit a {file_size}-byte file"
            )
        return Table(size, off)

    return DexHeader(
        version=magic[4:7].decode("ascii"),
        checksum=u32_at(data, 8),
        signature=bytes(data[12:32]),
        file_size=file_size,
        map_off=u32_at(data, 52),
        string_ids=table(56, 4, "string_ids"),
        type_ids=table(64, 4, "type_ids"),
        proto_ids=table(72, 12, "proto_ids"),
        field_ids=table(80, 8, "field_ids"),
        method_ids=table(88, 8, "method_ids"),
        class_defs=table(96, 32, "class_defs"),
        data=table(104, 1, "data", align=1),
    )


class DexFile:
    """A parsed DEX file; tables are numpy views, strings are decoded on demand and cached."""

    def __init__(self, data: bytes | bytearray, name: str = "classes.dex") -> None:
        self.name = name
        self.header = parse_header(data)
        self.data = data
        self.bytes: npt.NDArray[np.uint8] = np.frombuffer(data, dtype=np.uint8, count=self.header.file_size)
        h = self.header
        self.string_offsets: U32Array = self._u32_table(h.string_ids, 1)[:, 0]
        self.type_descriptors: U32Array = self._u32_table(h.type_ids, 1)[:, 0]
        protos = self._u32_table(h.proto_ids, 3)
        self.proto_shorty: U32Array = protos[:, 0]
        self.proto_return: U32Array = protos[:, 1]
        self.proto_params_off: U32Array = protos[:, 2]
        methods = self._u16_pairs(h.method_ids)
        self.method_class: U16Array = methods[0]
        self.method_proto: U16Array = methods[1]
        self.method_name: U32Array = methods[2]
        fields = self._u16_pairs(h.field_ids)
        self.field_class: U16Array = fields[0]
        self.field_type: U16Array = fields[1]
        self.field_name: U32Array = fields[2]
        self.class_defs: U32Array = self._u32_table(h.class_defs, 8)
        self._strings: dict[int, str] = {}
        self._types: dict[int, str] = {}
        self._protos: dict[int, str] = {}  # proto index → `(params)return`: methods share few protos
        #: the method code table once decoded (`dexcode.method_code_table` fills it; several analyses use it)
        self.code_table: MethodCodeTable | None = None
        #: (method_idx, class_def row, code_off) of every class's methods once decoded (`dexcode.method_entries`)
        self.method_entries: tuple[I64Array, I64Array, I64Array] | None = None
        #: set with `method_entries`: no value a class_data_item parse reads is longer than 5 bytes
        self.class_data_ulebs_ok = False
        #: every invoke of the file once indexed (`invokeindex.invoke_index_of`); False: the file cannot be
        #: indexed as a whole, None: not tried yet
        self.invoke_index: InvokeIndex | bool | None = None
        self._validate_references()

    # -- tables -------------------------------------------------------------------------------

    def _u32_table(self, table: Table, columns: int) -> U32Array:
        raw = np.frombuffer(self.data, dtype="<u4", count=table.size * columns, offset=table.offset)
        return raw.astype(np.uint32, copy=False).reshape(table.size, columns)

    def _u16_pairs(self, table: Table) -> tuple[U16Array, U16Array, U32Array]:
        dtype = np.dtype([("a", "<u2"), ("b", "<u2"), ("c", "<u4")])
        raw = np.frombuffer(self.data, dtype=dtype, count=table.size, offset=table.offset)
        return (
            raw["a"].astype(np.uint16, copy=False),
            raw["b"].astype(np.uint16, copy=False),
            raw["c"].astype(np.uint32, copy=False),
        )

    def _validate_references(self) -> None:
        h = self.header
        n_str, n_type, n_proto = h.string_ids.size, h.type_ids.size, h.proto_ids.size

        def check(values: npt.NDArray[np.integer], limit: int, what: str, allow_none: bool = False) -> None:
            if values.size == 0:
                return
            bad = values >= limit
            if allow_none:
                bad &= values != NO_INDEX
            if bad.any():
                first = int(np.flatnonzero(bad)[0])
                raise FormatError(f"{what}[{first}] is {int(values[first])}, expected < {limit}")

        check(self.string_offsets, h.file_size, "string_ids.string_data_off")
        check(self.type_descriptors, n_str, "type_ids.descriptor_idx")
        check(self.proto_shorty, n_str, "proto_ids.shorty_idx")
        check(self.proto_return, n_type, "proto_ids.return_type_idx")
        check(self.proto_params_off, h.file_size, "proto_ids.parameters_off")
        check(self.method_class, n_type, "method_ids.class_idx")
        check(self.method_proto, n_proto, "method_ids.proto_idx")
        check(self.method_name, n_str, "method_ids.name_idx")
        check(self.field_class, n_type, "field_ids.class_idx")
        check(self.field_type, n_type, "field_ids.type_idx")
        check(self.field_name, n_str, "field_ids.name_idx")
        if self.class_defs.size:
            check(self.class_defs[:, 0], n_type, "class_defs.class_idx")
            check(self.class_defs[:, 2], n_type, "class_defs.superclass_idx", allow_none=True)
            for col, what in ((3, "interfaces_off"), (6, "class_data_off")):
                check(self.class_defs[:, col], h.file_size, f"class_defs.{what}")

    # -- strings and names --------------------------------------------------------------------

    def string(self, idx: int) -> str:
        """The string at string index `idx` (MUTF-8 decoded, cached)."""
        cached = self._strings.get(idx)
        if cached is not None:
            return cached
        if not 0 <= idx < self.header.string_ids.size:
            raise FormatError(f"string index {idx} out of range 0..{self.header.string_ids.size - 1}")
        data = self.data
        off = self.string_offsets.item(idx)
        # a one-byte length (almost every string) needs no uleb128 loop
        start = off + 1 if off < self.header.file_size and data[off] < 0x80 else read_uleb128(data, off)[1]
        end = data.find(b"\x00", start, min(start + MAX_STRING_BYTES, self.header.file_size))
        if end < 0:
            raise FormatError(f"string {idx} at offset {off:#x} has no NUL terminator within bounds")
        text = decode_mutf8(data[start:end])
        self._strings[idx] = text
        return text

    def _raw_string(self, idx: int) -> bytes:
        """The MUTF-8 bytes of string `idx` (no decoding), bounded like `string()`."""
        data, off = self.data, self.string_offsets.item(idx)
        # a one-byte length (almost every string) needs no uleb128 loop; binary searches call this a lot
        start = off + 1 if off < self.header.file_size and data[off] < 0x80 else read_uleb128(data, off)[1]
        end = data.find(b"\x00", start, min(start + MAX_STRING_BYTES, self.header.file_size))
        if end < 0:
            raise FormatError(f"string {idx} at offset {off:#x} has no NUL terminator")
        return bytes(data[start:end])

    def find_string(self, text: str) -> int | None:
        """Index of `text` in the (sorted) string table, by binary search; None when absent.

        DEX sorts strings by UTF-16 code units. For ASCII text the raw MUTF-8 bytes of an ASCII probe
        sort the same way, so most probes are compared without decoding; others are decoded.
        """
        ascii_key = text.encode("ascii") if text.isascii() and "\x00" not in text else None
        key = text.encode("utf-16-be", "surrogatepass")
        lo, hi = 0, self.header.string_ids.size
        while lo < hi:
            mid = (lo + hi) // 2
            raw = self._raw_string(mid) if ascii_key is not None else None
            if raw is not None and ascii_key is not None and raw.isascii():
                probe, wanted = raw, ascii_key
            else:
                probe, wanted = self.string(mid).encode("utf-16-be", "surrogatepass"), key
            if probe < wanted:
                lo = mid + 1
            elif probe > wanted:
                hi = mid
            else:
                return mid
        return None

    def find_type(self, descriptor: str) -> int | None:
        """Type index of `descriptor` (e.g. `Landroid/app/Activity;`), or None."""
        sidx = self.find_string(descriptor)
        if sidx is None:
            return None
        pos = bisect.bisect_left(self.type_descriptors, sidx)  # type_ids are sorted by string index
        if pos < self.type_descriptors.size and int(self.type_descriptors[pos]) == sidx:
            return pos
        hits = np.flatnonzero(self.type_descriptors == sidx)
        return int(hits[0]) if hits.size else None

    def type_name(self, idx: int) -> str:
        """Descriptor of type index `idx` (cached: walks name the same classes again and again)."""
        cached = self._types.get(idx)
        if cached is not None:
            return cached
        if not 0 <= idx < self.header.type_ids.size:
            raise FormatError(f"type index {idx} out of range 0..{self.header.type_ids.size - 1}")
        name = self._types[idx] = self.string(int(self.type_descriptors[idx]))
        return name

    def type_list(self, offset: int) -> tuple[int, ...]:
        """Type indices of the type_list at `offset` (0 means empty)."""
        if offset == 0:
            return ()
        size = u32_at(self.data, offset)
        if offset + 4 + 2 * size > self.header.file_size:
            raise FormatError(f"type_list at {offset:#x} with {size} entries runs past the end of the file")
        items: tuple[int, ...] = struct.unpack_from(f"<{size}H", self.data, offset + 4)
        return items

    def proto_descriptor(self, idx: int) -> str:
        """`(params)return` descriptor of proto index `idx` (cached)."""
        cached = self._protos.get(idx)
        if cached is not None:
            return cached
        params = "".join(self.type_name(t) for t in self.type_list(int(self.proto_params_off[idx])))
        text = self._protos[idx] = f"({params}){self.type_name(int(self.proto_return[idx]))}"
        return text

    def method_signature(self, idx: int) -> str:
        """`Lpkg/Class;->name(params)return` of method index `idx`."""
        cls = self.type_name(int(self.method_class[idx]))
        return f"{cls}->{self.method_name_proto(idx)}"

    def method_name_proto(self, idx: int) -> str:
        """`name(params)return` of method index `idx`."""
        return self.string(int(self.method_name[idx])) + self.proto_descriptor(int(self.method_proto[idx]))

    # -- classes -------------------------------------------------------------------------------

    @property
    def class_count(self) -> int:
        """Number of classes defined in this file."""
        return self.header.class_defs.size

    def class_descriptors(self) -> list[str]:
        """Descriptors of every class defined in this file, in class_def order (see `strings_at`)."""
        if not self.class_count:
            return []
        return self.strings_at(self.type_descriptors[self.class_defs[:, 0]])

    def strings_at(self, indices: npt.NDArray[np.integer]) -> list[str]:
        """The strings at many string indices at once, equal to `[self.string(i) for i in indices]`.

        Fast path: ASCII strings shorter than 128 characters (almost all) are gathered with numpy and
        decoded in one call; the rest go through `string()`.
        """
        str_idx = np.asarray(indices, dtype=np.int64)
        if str_idx.size == 0:
            return []
        if int(str_idx.min()) < 0 or int(str_idx.max()) >= self.header.string_ids.size:
            raise FormatError(f"a string index is outside 0..{self.header.string_ids.size - 1}")
        offs = self.string_offsets[str_idx].astype(np.int64)
        size = self.header.file_size
        lens = self.bytes[offs].astype(np.int64)
        ends = offs + 1 + lens
        fast = (lens < 0x80) & (ends < size)
        fast[fast] &= self.bytes[ends[fast]] == 0  # byte length == UTF-16 length: pure ASCII
        result: list[str] = [""] * int(str_idx.size)
        rows = np.flatnonzero(fast)
        if rows.size:
            # gather each string plus its NUL terminator, decode once, split on NUL
            spans = lens[rows] + 1
            starts = np.repeat(offs[rows] + 1 - np.cumsum(spans) + spans, spans)
            gathered = self.bytes[starts + np.arange(int(spans.sum()))]
            texts = gathered.tobytes().decode("ascii", "replace").split("\x00")
            if rows.size == str_idx.size:  # every string took the fast path (the usual case)
                return texts[: rows.size]
            for row, text in zip(rows.tolist(), texts, strict=False):
                result[row] = text
        for row in np.flatnonzero(~fast).tolist():
            result[row] = self.string(int(str_idx[row]))
        return result

    def classes(self) -> list[DexClass]:
        """Every class with its superclass and interfaces (the hierarchy SDK attribution needs)."""
        result = []
        for row in self.class_defs:
            sup = int(row[2])
            result.append(
                DexClass(
                    descriptor=self.type_name(int(row[0])),
                    superclass=None if sup == NO_INDEX else self.type_name(sup),
                    interfaces=tuple(self.type_name(t) for t in self.type_list(int(row[3]))),
                    access_flags=int(row[1]),
                )
            )
        return result


def open_dex(data: bytes | bytearray, source: str, name: str = "classes.dex") -> DexFile:
    """Parse DEX bytes; a malformed file is an `InputError` naming `source`."""
    try:
        return DexFile(data, name)
    except FormatError as exc:
        raise InputError(source, f"malformed DEX: {exc}") from None
