"""ZIP64 and broken-entry fixtures built by code from forged APKs (no binary files in the repository)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

PLACEHOLDER = 0xFFFFFFFF


def rewrite_zip64(src: Path, dst: Path, *, only: Callable[[str], bool] = lambda name: name.endswith(".dex")) -> Path:
    """Copy `src` entry by entry, writing those selected by `only` with `zipfile`'s `force_zip64=True`.

    Those entries get 0xFFFFFFFF sizes in their local header plus a ZIP64 extra field with the real
    ones — the rewrite that used to hide every DEX from our reader.
    """
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            target = zipfile.ZipInfo(info.filename, info.date_time)
            target.compress_type = info.compress_type
            with zout.open(target, "w", force_zip64=only(info.filename)) as out:
                out.write(data)
    return dst


def zip64_eocd_archive(entries: dict[str, bytes]) -> bytes:
    """A hand-assembled ZIP64 archive: every size and local-header offset lives only in ZIP64 extra fields
    (central directory and local headers), and the central directory is found only through the ZIP64
    end-of-central-directory record and its locator (the classic EOCD holds 0xFFFF/0xFFFFFFFF)."""
    out = bytearray()
    central = bytearray()
    for name, data in entries.items():
        raw = name.encode("utf-8")
        deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = deflater.compress(data) + deflater.flush()
        crc = zlib.crc32(data)
        offset = len(out)
        local_extra = struct.pack("<HHQQ", 1, 16, len(data), len(packed))
        out += struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 45, 0, 8, 0, 0x21, crc, PLACEHOLDER, PLACEHOLDER, len(raw), len(local_extra)
        )
        out += raw + local_extra + packed
        central_extra = struct.pack("<HHQQQ", 1, 24, len(data), len(packed), offset)
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            45,
            45,
            0,
            8,
            0,
            0x21,
            crc,
            PLACEHOLDER,
            PLACEHOLDER,
            len(raw),
            len(central_extra),
            0,
            0,
            0,
            0,
            PLACEHOLDER,
        )
        central += raw + central_extra
    directory_offset = len(out)
    out += central
    record_offset = len(out)
    count = len(entries)
    out += struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(central), directory_offset)
    out += struct.pack("<4sIQI", b"PK\x06\x07", 0, record_offset, 1)
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, PLACEHOLDER, PLACEHOLDER, 0)
    return bytes(out)


def entries_of(path: Path) -> dict[str, bytes]:
    """Every entry of a ZIP, in order."""
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def break_sizes(data: bytes, name: str) -> bytes:
    """`data` with entry `name`'s sizes set to the ZIP64 placeholder in both headers and NO ZIP64 extra:
    what the old reader saw, now an entry no reader can locate (its data would run past the file)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
        header = info.header_offset
    buf = bytearray(data)
    struct.pack_into("<II", buf, header + 18, PLACEHOLDER, PLACEHOLDER)
    at = 0
    while (at := buf.find(b"PK\x01\x02", at)) != -1:
        name_len = struct.unpack_from("<H", buf, at + 28)[0]
        if bytes(buf[at + 46 : at + 46 + name_len]) == name.encode("utf-8"):
            struct.pack_into("<II", buf, at + 20, PLACEHOLDER, PLACEHOLDER)
            return bytes(buf)
        at += 4
    raise KeyError(f"{name!r}: no central directory record")
