"""Low-level decoding shared by the DEX and AXML readers: LEB128, MUTF-8 and bounded struct reads.

Every function takes the buffer and an offset and raises `FormatError` (never IndexError or
struct.error) with the offset and what was expected, so callers can turn it into an `InputError`
naming the file.
"""

from __future__ import annotations

import struct

import numpy as np
import numpy.typing as npt

U16 = struct.Struct("<H")
U32 = struct.Struct("<I")
I32 = struct.Struct("<i")

MAX_LEB128_BYTES = 5


class FormatError(ValueError):
    """A binary structure is malformed; the message names the offset, the expected and the actual value."""


def u16_at(buf: bytes | bytearray | memoryview, offset: int) -> int:
    """Little-endian u16 at `offset`."""
    if offset < 0 or offset + 2 > len(buf):
        raise FormatError(f"u16 at offset {offset:#x} lies outside the {len(buf)}-byte buffer")
    value: int = U16.unpack_from(buf, offset)[0]
    return value


def u32_at(buf: bytes | bytearray | memoryview, offset: int) -> int:
    """Little-endian u32 at `offset`."""
    if offset < 0 or offset + 4 > len(buf):
        raise FormatError(f"u32 at offset {offset:#x} lies outside the {len(buf)}-byte buffer")
    value: int = U32.unpack_from(buf, offset)[0]
    return value


def read_uleb128(buf: bytes | bytearray | memoryview, offset: int) -> tuple[int, int]:
    """Decode one unsigned LEB128 value; returns (value, offset after it)."""
    result = 0
    shift = 0
    for i in range(MAX_LEB128_BYTES):
        pos = offset + i
        if pos >= len(buf) or pos < 0:
            raise FormatError(f"uleb128 at offset {offset:#x} runs past the end of the {len(buf)}-byte buffer")
        byte = buf[pos]
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & 0xFFFFFFFF, pos + 1
        shift += 7
    raise FormatError(f"uleb128 at offset {offset:#x} is longer than {MAX_LEB128_BYTES} bytes")


def decode_mutf8(raw: bytes | bytearray) -> str:
    """Decode Modified UTF-8 (DEX strings): C0 80 for NUL and CESU-style surrogate pairs."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")  # not even MUTF-8: keep what can be read
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        # Lone surrogates are legal in DEX strings; keep them visible instead of failing.
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def encode_mutf8(text: str) -> bytes:
    """Encode `text` as Modified UTF-8 (the inverse of `decode_mutf8`)."""
    out = bytearray()
    for unit_pair in _utf16_units(text):
        if unit_pair == 0:
            out += b"\xc0\x80"
        elif unit_pair < 0x80:
            out.append(unit_pair)
        elif unit_pair < 0x800:
            out += bytes((0xC0 | (unit_pair >> 6), 0x80 | (unit_pair & 0x3F)))
        else:
            out += bytes((0xE0 | (unit_pair >> 12), 0x80 | ((unit_pair >> 6) & 0x3F), 0x80 | (unit_pair & 0x3F)))
    return bytes(out)


def _utf16_units(text: str) -> list[int]:
    data = text.encode("utf-16-le", "surrogatepass")
    return [data[i] | (data[i + 1] << 8) for i in range(0, len(data), 2)]


def utf16_length(text: str) -> int:
    """Number of UTF-16 code units in `text` (the length field of DEX string data)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def gather_u32(data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Little-endian u32 values at many byte offsets at once (offsets must be in range)."""
    b = data[offsets[:, None] + np.arange(4)].astype(np.int64)
    result: npt.NDArray[np.int64] = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16) | (b[:, 3] << 24)
    return result


def decode_uleb_stream(
    data: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Decode a byte run as back-to-back uleb128 values, vectorised.

    Returns (values, start offsets, lengths in bytes). Runs longer than 5 bytes get length > 5 so a
    caller that uses them can reject the file; their value is garbage.
    """
    if data.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    ends = np.flatnonzero(data < 0x80)
    if ends.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts + 1
    # byte k of every value at once, for k below the 5-byte cap: no per-byte int64 temporaries (they made the
    # class-data decode the peak of a scan); bytes past the cap only feed bits the 32-bit mask drops
    values = (data[starts] & 0x7F).astype(np.int64)
    longer = np.flatnonzero(lengths > 1)
    for k in range(1, MAX_LEB128_BYTES):
        if longer.size == 0:
            break
        values[longer] |= (data[starts[longer] + k] & 0x7F).astype(np.int64) << (7 * k)
        longer = longer[lengths[longer] > k + 1]
    return values & 0xFFFFFFFF, starts, lengths
