"""Bounded, tamper-tolerant APK (ZIP) access on top of apkInspector's header parsing.

apkInspector finds the end-of-central-directory, central directory and local headers the way
Android does, surviving the anti-analysis tricks (bogus compression methods, zero sizes in local
headers, prepended data). ZIP64 is resolved here, on top of it: the ZIP64 end-of-central-directory
record (through its locator) and the ZIP64 extended-information extra field (0x0001) of central
directory and local headers replace the 0xFFFF/0xFFFFFFFF placeholders, so sizes and offsets are
the real ones (apkInspector alone takes the placeholders literally and every such entry is lost).
We inflate entries ourselves so every read is bounded: entry size, total inflated bytes and
compression ratio (zip bombs). Nothing is ever written to disk, and hostile entry names are only
reported as anomalies.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from apkInspector.headers import CentralDirectory, EndOfCentralDirectoryRecord, LocalHeaderRecord

from ganzhi.collect.apk.limits import ApkLimits
from ganzhi.errors import InputError

LOCAL_HEADER_SIZE = 30
#: bytes of compressed input read, and of output inflated, per step (bounds the memory a read holds besides
#: the entry itself)
INFLATE_CHUNK = 1 << 18
#: first guess of inflated ÷ compressed size (DEX files deflate 2–4×); the buffer grows past it when needed
INFLATE_GUESS_RATIO = 8
CENTRAL_HEADER_SIZE = 46
EOCD_SIZE = 22
ZIP64_LOCATOR_SIZE = 20
ZIP64_EOCD_SIZE = 56
ZIP64_EXTRA_ID = 0x0001
#: The placeholders that mean "the real value is in the ZIP64 structures".
U32_PLACEHOLDER = 0xFFFFFFFF
U16_PLACEHOLDER = 0xFFFF
_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
#: The EOCD (22 bytes) plus the largest comment: where the record must be when the file is well formed.
_EOCD_SEARCH = EOCD_SIZE + 0xFFFF
_DEX_NAME = re.compile(r"^classes(\d*)\.dex$")
_LIB_NAME = re.compile(r"^lib/([^/]+)/([^/]+\.so)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")
_SEPARATORS = re.compile(r"[/\\]")


def hostile_name_problem(name: str) -> str | None:
    """Why an entry name would be dangerous to extract, or None when it is harmless."""
    if not name:
        return "empty entry name"
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return f"absolute entry name {name!r}"
    if ".." in _SEPARATORS.split(name):
        return f"entry name {name!r} climbs out of the archive with '..'"
    if _CONTROL.search(name):
        return f"entry name {name!r} contains control characters"
    if "\\" in name:
        return f"entry name {name!r} uses backslashes"
    return None


def zip64_extra(extra: bytes) -> bytes | None:
    """The data of the ZIP64 extended-information field (header id 0x0001) in raw extra bytes, or None."""
    pos = 0
    while pos + 4 <= len(extra):
        header_id, size = struct.unpack_from("<HH", extra, pos)
        if header_id == ZIP64_EXTRA_ID:
            return extra[pos + 4 : pos + 4 + size]
        pos += 4 + size
    return None


def zip64_values(data: bytes, wanted: int) -> list[int]:
    """Up to `wanted` little-endian 8-byte values from a ZIP64 extra field's data, in field order."""
    count = min(wanted, len(data) // 8)
    return list(struct.unpack_from(f"<{count}Q", data)) if count else []


@dataclass(frozen=True, slots=True)
class Zip64End:
    """What the ZIP64 end-of-central-directory record declares."""

    entries: int
    directory_size: int
    directory_offset: int


@dataclass(slots=True)
class _Parsed:
    """The archive's structure: EOCD, central directory entries by name, local headers by their own name."""

    eocd: Any
    entries: dict[str, Any]
    local_headers: dict[str, Any]
    declared_entries: int
    directory_offset: int


class ApkArchive:
    """An opened APK: entry names, bounded reads, anomalies seen while parsing."""

    def __init__(self, path: Path, limits: ApkLimits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or ApkLimits()
        self.anomalies: list[str] = []
        self.inflated_total = 0
        try:
            self.size = self.path.stat().st_size
        except OSError as exc:
            raise InputError(str(self.path), f"cannot read the file: {exc.strerror or exc}") from None
        if self.size > self.limits.max_apk_bytes:
            raise InputError(str(self.path), f"file is {self.size} bytes, above the limit {self.limits.max_apk_bytes}")
        self._fh: IO[bytes] = self.path.open("rb")
        try:
            self._zip = self._parse()
        except InputError:
            self._fh.close()
            raise
        except Exception as exc:  # apkInspector raises ValueError, struct.error, KeyError...
            self._fh.close()
            raise InputError(str(self.path), f"not a readable ZIP/APK: {type(exc).__name__}: {exc}") from None
        self._entries: dict[str, Any] = self._zip.entries
        self._check_entries()

    # -- parsing ----------------------------------------------------------------------------------

    def _parse(self) -> _Parsed:
        """apkInspector's EOCD → central directory → local headers, with ZIP64 values put in place."""
        eocd = EndOfCentralDirectoryRecord.parse(self._fh)
        declared = int(eocd.total_number_of_central_directory_records)
        offset = int(eocd.offset_of_start_of_central_directory)
        z64 = self._zip64_end()
        if z64 is not None:
            if declared == U16_PLACEHOLDER:
                declared = z64.entries
            if offset == U32_PLACEHOLDER or int(eocd.size_of_central_directory) == U32_PLACEHOLDER:
                offset = z64.directory_offset
            eocd.offset_of_start_of_central_directory = offset
        if offset > self.size:
            raise InputError(
                str(self.path), f"central directory offset {offset} is past the end of the {self.size}-byte file"
            )
        entries: dict[str, Any] = CentralDirectory.parse(self._fh, eocd).entries
        local_headers: dict[str, Any] = {}
        for cd in entries.values():
            self._apply_central_zip64(cd)
            local = LocalHeaderRecord.parse(self._fh, cd)
            if local is not None:
                self._apply_local_zip64(cd, local)
                local_headers[local.filename] = local
        return _Parsed(eocd, entries, local_headers, declared, offset)

    def _tail(self) -> bytes:
        start = max(0, self.size - _EOCD_SEARCH - ZIP64_LOCATOR_SIZE)
        self._fh.seek(start)
        return self._fh.read(self.size - start)

    def _zip64_end(self) -> Zip64End | None:
        """The ZIP64 end-of-central-directory record found through its locator, or None (not ZIP64)."""
        tail = self._tail()
        at = tail.rfind(_EOCD_SIGNATURE)
        if at < ZIP64_LOCATOR_SIZE or tail[at - ZIP64_LOCATOR_SIZE : at - 16] != _ZIP64_LOCATOR_SIGNATURE:
            return None
        (record_offset,) = struct.unpack_from("<Q", tail, at - 12)
        if record_offset + ZIP64_EOCD_SIZE > self.size:
            raise InputError(
                str(self.path),
                f"ZIP64 end-of-central-directory locator points at offset {record_offset}, "
                f"past the end of the {self.size}-byte file",
            )
        self._fh.seek(record_offset)
        record = self._fh.read(ZIP64_EOCD_SIZE)
        if record[:4] != _ZIP64_EOCD_SIGNATURE:
            raise InputError(
                str(self.path), f"no ZIP64 end-of-central-directory record at offset {record_offset} (bad signature)"
            )
        entries, size, offset = struct.unpack_from("<QQQ", record, 32)
        return Zip64End(entries=entries, directory_size=size, directory_offset=offset)

    def _raw_extra(self, offset: int, length: int) -> bytes:
        if offset < 0 or length <= 0 or offset + length > self.size:
            return b""
        self._fh.seek(offset)
        return self._fh.read(length)

    def _apply_central_zip64(self, cd: Any) -> None:
        """Replace placeholder sizes/offset of a central directory entry by its ZIP64 extra values.

        apkInspector keeps the extra field only as lossily decoded text, so the raw bytes are read
        again from the file. The values appear in the fixed order uncompressed size, compressed
        size, local header offset, each only when its 32-bit field holds the placeholder.
        """
        names = [
            n
            for n in ("uncompressed_size", "compressed_size", "relative_offset_of_local_file_header")
            if getattr(cd, n) == U32_PLACEHOLDER
        ]
        if not names:
            return
        raw = self._raw_extra(
            int(cd.offset_in_central_directory) + CENTRAL_HEADER_SIZE + int(cd.file_name_length),
            int(cd.extra_field_length),
        )
        data = zip64_extra(raw)
        if data is None:
            self.anomalies.append(
                f"entry {cd.filename!r}: central directory uses ZIP64 placeholders without a ZIP64 extra field"
            )
            return
        values = zip64_values(data, len(names))
        if len(values) < len(names):
            self.anomalies.append(f"entry {cd.filename!r}: ZIP64 extra field is too short ({len(data)} bytes)")
        for name, value in zip(names, values, strict=False):
            setattr(cd, name, value)

    def _apply_local_zip64(self, cd: Any, local: Any) -> None:
        """Replace placeholder sizes of a local header by its ZIP64 extra values (both sizes, in order)."""
        if U32_PLACEHOLDER not in (local.uncompressed_size, local.compressed_size):
            return
        raw = self._raw_extra(
            int(cd.relative_offset_of_local_file_header) + LOCAL_HEADER_SIZE + int(local.file_name_length),
            int(local.extra_field_length),
        )
        data = zip64_extra(raw)
        if data is None:
            return  # the read falls back to the central directory sizes
        values = zip64_values(data, 2)
        if len(values) == 2:
            local.uncompressed_size, local.compressed_size = values
        elif len(values) == 1:
            field = "uncompressed_size" if local.uncompressed_size == U32_PLACEHOLDER else "compressed_size"
            setattr(local, field, values[0])

    def _check_entries(self) -> None:
        n = len(self._entries)
        if n > self.limits.max_entries:
            self.close()
            raise InputError(str(self.path), f"{n} ZIP entries, above the limit {self.limits.max_entries}")
        declared = self._zip.declared_entries
        if declared != n:
            self.anomalies.append(f"end of central directory declares {declared} entries, {n} distinct names found")
        for name, cd in self._entries.items():
            problem = hostile_name_problem(name)
            if problem:
                self.anomalies.append(problem)
            local = self._zip.local_headers.get(name)
            if local is None:
                self.anomalies.append(
                    f"entry {name!r}: no local file header at offset {cd.relative_offset_of_local_file_header}"
                )
            elif local.compression_method not in (0, 8):
                self.anomalies.append(f"entry {name!r}: unknown compression method {local.compression_method}")

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the file handle."""
        self._fh.close()

    def __enter__(self) -> ApkArchive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- listing --------------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        """Every entry name from the central directory."""
        return list(self._entries)

    def has(self, name: str) -> bool:
        """Whether an entry called `name` exists and has a local header."""
        return name in self._entries and name in self._zip.local_headers

    def dex_names(self) -> list[str]:
        """`classes.dex`, `classes2.dex`, … in load order, then any other `.dex` entry."""
        primary: list[tuple[int, str]] = []
        other: list[str] = []
        for name in self._entries:
            match = _DEX_NAME.match(name)
            if match:
                primary.append((int(match.group(1) or 1), name))
            elif name.lower().endswith(".dex"):
                other.append(name)
        return [n for _, n in sorted(primary)] + sorted(other)

    def native_libs(self) -> dict[str, list[str]]:
        """`.so` file names per ABI directory under `lib/`."""
        libs: dict[str, list[str]] = {}
        for name in self._entries:
            match = _LIB_NAME.match(name)
            if match:
                libs.setdefault(match.group(1), []).append(match.group(2))
        return {abi: sorted(names) for abi, names in sorted(libs.items())}

    @property
    def central_directory_offset(self) -> int:
        """File offset of the central directory (the APK Signing Block ends right before it)."""
        return self._zip.directory_offset

    def read_at(self, offset: int, size: int) -> bytes:
        """Raw bytes of the file (bounded by the file size), for structures outside ZIP entries."""
        if offset < 0 or size < 0 or offset + size > self.size:
            raise InputError(
                str(self.path), f"read of {size} bytes at offset {offset} outside the {self.size}-byte file"
            )
        self._fh.seek(offset)
        return self._fh.read(size)

    def declared_size(self, name: str) -> int:
        """Uncompressed size recorded in the central directory."""
        return int(self._entries[name].uncompressed_size)

    # -- reading --------------------------------------------------------------------------------

    def _locate(self, name: str) -> tuple[Any, int, int, int]:
        """(local header, data start, compressed size, uncompressed size) of entry `name`, bounds-checked."""
        where = f"{self.path}!{name}"
        cd = self._entries.get(name)
        local = self._zip.local_headers.get(name)
        if cd is None or local is None:
            raise InputError(where, "entry is missing from the central directory or has no local header")
        # Android reads sizes from the central directory; local ones are used when plausible
        # (zero and an unresolved ZIP64 placeholder are not)
        use_local = local.compressed_size not in (0, U32_PLACEHOLDER) and local.uncompressed_size not in (
            0,
            U32_PLACEHOLDER,
        )
        csize = int(local.compressed_size if use_local else cd.compressed_size)
        usize = int(local.uncompressed_size if use_local else cd.uncompressed_size)
        start = (
            int(cd.relative_offset_of_local_file_header)
            + LOCAL_HEADER_SIZE
            + int(local.file_name_length)
            + int(local.extra_field_length)
        )
        if start + min(csize, usize) > self.size:
            raise InputError(
                where, f"entry data at offset {start} with {csize} bytes runs past the {self.size}-byte file"
            )
        return local, start, csize, usize

    def entry_problem(self, name: str) -> str | None:
        """Why entry `name` could not be read (located, bounds-checked, not inflated), or None when it can."""
        try:
            self._locate(name)
        except InputError as exc:
            return str(exc)
        return None

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """Inflate entry `name`, bounded by `max_bytes`, the per-entry, total and ratio limits."""
        return bytes(self.read_buffer(name, max_bytes))

    def read_buffer(self, name: str, max_bytes: int | None = None) -> bytes | bytearray:
        """`read` without the final copy: a deflated entry comes back as the one buffer it was inflated into.

        Why: joining zlib's output blocks into `bytes` holds the entry twice at the peak; a DEX of
        tens of MiB is the largest object a scan holds, so it is inflated straight into a bytearray
        of its declared size instead (compressed input streamed from the file in chunks).
        """
        where = f"{self.path}!{name}"
        local, start, csize, usize = self._locate(name)
        limit = min(
            max_bytes or self.limits.max_entry_bytes,
            self.limits.max_entry_bytes,
            self.limits.max_total_inflated - self.inflated_total,
        )
        method = local.compression_method
        data: bytes | bytearray
        if method == 0 or (method != 8 and csize == usize):
            data = self._read_raw(start, usize, limit, where)
        else:
            inflated = self._inflate(start, csize, usize, limit, where, tolerant=method != 8)
            # a bogus method whose bytes are not deflate: Android reads them as stored
            data = inflated if inflated is not None else self._read_raw(start, usize, limit, where)
        self._refuse_bomb(csize, len(data), where)
        self.inflated_total += len(data)
        return data

    def _refuse_bomb(self, csize: int, size: int, where: str) -> None:
        """InputError when `csize` compressed bytes would become `size` bytes at a ratio above the limit."""
        if size > self.limits.ratio_floor_bytes and size > self.limits.max_ratio * max(csize, 1):
            raise InputError(
                where,
                f"inflates {csize} bytes to {size} (ratio above {self.limits.max_ratio}): refusing a likely zip bomb",
            )

    def _read_raw(self, start: int, size: int, limit: int, where: str) -> bytes:
        if size > limit:
            raise InputError(where, f"entry is {size} bytes, above the limit {limit}")
        self._fh.seek(start)
        return self._fh.read(size)

    def _inflate(
        self, start: int, csize: int, declared: int, limit: int, where: str, *, tolerant: bool
    ) -> bytearray | None:
        """Inflate into one bytearray of the declared size, `INFLATE_CHUNK` bytes of output per step.

        More output than declared is refused as Android refuses it (a `tolerant` read, for an entry
        whose method is bogus, returns None instead: its bytes may not be deflate at all); more than
        `limit` is refused as before. Less than declared is kept (the buffer is cut to what came out).
        """
        # a zip bomb is refused as soon as its output passes the ratio limit, before the buffer grows to it
        bomb_cap = max(self.limits.ratio_floor_bytes, self.limits.max_ratio * max(csize, 1))
        size = min(declared, limit, bomb_cap)
        # a header may lie about the size: the buffer starts at a plausible size and doubles up to it
        out = bytearray(min(size, INFLATE_GUESS_RATIO * csize + INFLATE_CHUNK))
        inflater = zlib.decompressobj(-15)
        self._fh.seek(start)
        remaining = min(csize, self.size - start)
        pending = b""
        filled = 0
        try:
            while not inflater.eof:
                if not pending and remaining > 0:
                    pending = self._fh.read(min(INFLATE_CHUNK, remaining))
                    remaining -= len(pending)
                    if not pending:
                        remaining = 0
                chunk = inflater.decompress(pending, min(INFLATE_CHUNK, size - filled + 1))
                pending = inflater.unconsumed_tail
                end = filled + len(chunk)
                if end > size:
                    out.clear()  # released now, not when the traceback holding this frame is collected
                    if tolerant:
                        return None
                    if size == bomb_cap < min(declared, limit):
                        self._refuse_bomb(csize, end, where)
                    what = f"the limit of {limit}" if declared > limit else f"its declared size of {declared}"
                    raise InputError(where, f"inflates to more than {what} bytes")
                if end > len(out):
                    out.extend(bytes(min(size, max(2 * len(out), end)) - len(out)))
                out[filled:end] = chunk
                filled = end
                if not chunk and not pending and remaining <= 0:
                    break  # input exhausted and nothing more comes out: a truncated stream
        except zlib.error as exc:
            out.clear()
            if tolerant:
                return None
            raise InputError(where, f"deflate data is corrupt: {exc}") from None
        if tolerant and (not inflater.eof or inflater.unused_data):
            return None
        if filled < len(out):
            del out[filled:]
        return out
