"""Bounded, tamper-tolerant APK (ZIP) access on top of apkInspector's header parsing.

apkInspector finds the end-of-central-directory, central directory and local headers the way
Android does, surviving the anti-analysis tricks (bogus compression methods, zero sizes in local
headers, prepended data). We inflate entries ourselves so every read is bounded: entry size,
total inflated bytes and compression ratio (zip bombs). Nothing is ever written to disk, and
hostile entry names are only reported as anomalies.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from apkInspector.headers import ZipEntry

from ganzhi.collect.apk.limits import ApkLimits
from ganzhi.errors import InputError

LOCAL_HEADER_SIZE = 30
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
            self._zip = ZipEntry.parse(self._fh, raw=True)
        except Exception as exc:  # apkInspector raises ValueError, struct.error, KeyError...
            self._fh.close()
            raise InputError(str(self.path), f"not a readable ZIP/APK: {type(exc).__name__}: {exc}") from None
        self._entries: dict[str, Any] = self._zip.central_directory.entries
        self._check_entries()

    def _check_entries(self) -> None:
        n = len(self._entries)
        if n > self.limits.max_entries:
            self.close()
            raise InputError(str(self.path), f"{n} ZIP entries, above the limit {self.limits.max_entries}")
        declared = self._zip.eocd.total_number_of_central_directory_records
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
        return int(self._zip.eocd.offset_of_start_of_central_directory)

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

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """Inflate entry `name`, bounded by `max_bytes`, the per-entry, total and ratio limits."""
        where = f"{self.path}!{name}"
        cd = self._entries.get(name)
        local = self._zip.local_headers.get(name)
        if cd is None or local is None:
            raise InputError(where, "entry is missing from the central directory or has no local header")
        limit = min(
            max_bytes or self.limits.max_entry_bytes,
            self.limits.max_entry_bytes,
            self.limits.max_total_inflated - self.inflated_total,
        )
        use_local = local.compressed_size != 0 and local.uncompressed_size != 0
        csize = local.compressed_size if use_local else cd.compressed_size
        usize = local.uncompressed_size if use_local else cd.uncompressed_size
        start = (
            cd.relative_offset_of_local_file_header
            + LOCAL_HEADER_SIZE
            + local.file_name_length
            + local.extra_field_length
        )
        if start + min(csize, usize) > self.size:
            raise InputError(
                where, f"entry data at offset {start} with {csize} bytes runs past the {self.size}-byte file"
            )
        method = local.compression_method
        if method == 0 or (method != 8 and csize == usize):
            data = self._read_raw(start, usize, limit, where)
        else:
            self._fh.seek(start)
            compressed = self._fh.read(min(csize, self.size - start))
            inflated = self._inflate(compressed, limit, where, tolerant=method != 8)
            # a bogus method whose bytes are not deflate: Android reads them as stored
            data = inflated if inflated is not None else self._read_raw(start, usize, limit, where)
        if len(data) > self.limits.ratio_floor_bytes and len(data) > self.limits.max_ratio * max(csize, 1):
            raise InputError(
                where,
                f"inflates {csize} bytes to {len(data)} (ratio above "
                f"{self.limits.max_ratio}): refusing a likely zip bomb",
            )
        self.inflated_total += len(data)
        return data

    def _read_raw(self, start: int, size: int, limit: int, where: str) -> bytes:
        if size > limit:
            raise InputError(where, f"entry is {size} bytes, above the limit {limit}")
        self._fh.seek(start)
        return self._fh.read(size)

    def _inflate(self, compressed: bytes, limit: int, where: str, *, tolerant: bool) -> bytes | None:
        inflater = zlib.decompressobj(-15)
        try:
            data = inflater.decompress(compressed, limit + 1)
        except zlib.error as exc:
            if tolerant:
                return None
            raise InputError(where, f"deflate data is corrupt: {exc}") from None
        if len(data) > limit:
            raise InputError(where, f"inflates to more than the limit of {limit} bytes")
        if tolerant and (not inflater.eof or inflater.unused_data):
            return None
        return data
