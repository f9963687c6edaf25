"""Signer certificates: v1 (JAR, PKCS#7 in META-INF) and v2/v3 (APK Signing Block).

A minimal DER walker is enough: we only need the certificate DER blobs, identified by SHA-256
(the fingerprint app stores and regulators quote). No crypto verification is attempted here.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

from ganzhi.collect.apk.binary import FormatError, u32_at

SIG_BLOCK_MAGIC = b"APK Sig Block 42"
SCHEME_IDS = {0x7109871A: "v2", 0xF05368C0: "v3", 0x1B93AD61: "v3.1"}
V1_SIGNATURE = re.compile(r"^META-INF/[^/]+\.(RSA|DSA|EC)$", re.IGNORECASE)
MAX_CERTS = 64


@dataclass(frozen=True)
class CertRef:
    """A certificate found in a signature, with where it came from."""

    scheme: str
    sha256: str
    source: str


def _tlv(buf: bytes, off: int, end: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at `off`."""
    if off + 2 > end:
        raise FormatError(f"DER element at {off} runs past the end ({end})")
    tag, first = buf[off], buf[off + 1]
    pos = off + 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or pos + n > end:
            raise FormatError(f"DER length at {off + 1} uses {n} bytes (indefinite or oversized)")
        length = int.from_bytes(buf[pos : pos + n], "big")
        pos += n
    if pos + length > end:
        raise FormatError(f"DER element at {off} declares {length} bytes, only {end - pos} left")
    return tag, pos, pos + length


def pkcs7_certificates(blob: bytes) -> list[bytes]:
    """DER certificates in the `certificates` field of a PKCS#7 SignedData ContentInfo."""
    tag, start, end = _tlv(blob, 0, len(blob))
    if tag != 0x30:
        raise FormatError(f"PKCS#7 starts with tag {tag:#x}, expected SEQUENCE (0x30)")
    _, _, pos = _tlv(blob, start, end)  # contentType OID
    tag, c_start, c_end = _tlv(blob, pos, end)
    if tag != 0xA0:
        raise FormatError(f"PKCS#7 content has tag {tag:#x}, expected [0] EXPLICIT (0xa0)")
    tag, sd_start, sd_end = _tlv(blob, c_start, c_end)
    if tag != 0x30:
        raise FormatError(f"SignedData has tag {tag:#x}, expected SEQUENCE")
    pos = sd_start
    for _ in range(3):  # version, digestAlgorithms, encapContentInfo
        _, _, pos = _tlv(blob, pos, sd_end)
    certs: list[bytes] = []
    if pos < sd_end and blob[pos] == 0xA0:
        _, cs_start, cs_end = _tlv(blob, pos, sd_end)
        cur = cs_start
        while cur < cs_end and len(certs) < MAX_CERTS:
            _, _, nxt = _tlv(blob, cur, cs_end)
            certs.append(blob[cur:nxt])
            cur = nxt
    return certs


def _length_prefixed(buf: bytes, off: int, end: int) -> tuple[int, int]:
    n = u32_at(buf, off)
    if off + 4 + n > end:
        raise FormatError(f"length-prefixed field at {off} declares {n} bytes, only {end - off - 4} left")
    return off + 4, off + 4 + n


def _sequence(buf: bytes, start: int, end: int) -> list[tuple[int, int]]:
    items: list[tuple[int, int]] = []
    pos = start
    while pos < end and len(items) < MAX_CERTS:
        s, e = _length_prefixed(buf, pos, end)
        items.append((s, e))
        pos = e
    return items


def signing_block_certificates(block: bytes) -> list[tuple[str, bytes]]:
    """(scheme, DER certificate) pairs from the pairs of an APK Signing Block (without its size/magic)."""
    found: list[tuple[str, bytes]] = []
    pos = 0
    while pos + 12 <= len(block):
        pair_len = struct.unpack_from("<Q", block, pos)[0]
        if pair_len < 4 or pos + 8 + pair_len > len(block):
            raise FormatError(f"signing block pair at {pos} declares {pair_len} bytes")
        pair_id = u32_at(block, pos + 8)
        scheme = SCHEME_IDS.get(pair_id)
        if scheme is not None:
            v_start, v_end = pos + 12, pos + 8 + pair_len
            signers_start, signers_end = _length_prefixed(block, v_start, v_end)
            for s_start, s_end in _sequence(block, signers_start, signers_end):
                sd_start, sd_end = _length_prefixed(block, s_start, s_end)
                _, dg_end = _length_prefixed(block, sd_start, sd_end)
                ct_start, ct_end = _length_prefixed(block, dg_end, sd_end)
                for c_start, c_end in _sequence(block, ct_start, ct_end):
                    found.append((scheme, block[c_start:c_end]))
        pos += 8 + pair_len
    return found


def read_signing_block(read_at: Callable[[int, int], bytes], cd_offset: int) -> bytes | None:
    """The pairs section of the APK Signing Block that ends at `cd_offset`, or None when absent.

    `read_at(offset, size)` returns bytes of the file.
    """
    if cd_offset < 32:
        return None
    footer = read_at(cd_offset - 24, 24)
    if len(footer) != 24 or footer[8:] != SIG_BLOCK_MAGIC:
        return None
    size = struct.unpack_from("<Q", footer, 0)[0]
    start = cd_offset - size - 8
    if size < 24 or start < 0:
        raise FormatError(f"APK Signing Block size {size} does not fit before the central directory at {cd_offset}")
    block = read_at(start, size + 8)
    if struct.unpack_from("<Q", block, 0)[0] != size:
        raise FormatError("APK Signing Block: leading and trailing sizes differ")
    return block[8 : 8 + size - 24]


def fingerprint(der: bytes) -> str:
    """SHA-256 hex of a DER certificate."""
    return hashlib.sha256(der).hexdigest()
