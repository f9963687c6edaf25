"""RFC 4733 telephone-event RTP packets (DTMF digits as named events), built and parsed."""

from __future__ import annotations

import struct
from dataclasses import dataclass

EVENT_PAYLOAD_TYPE = 101
_DIGITS = "0123456789*#"
_HEADER = struct.Struct("!BBHII")
_EVENT = struct.Struct("!BBH")


def event_code(digit: str) -> int:
    """RFC 4733 event code of a DTMF key (0–9 → 0–9, * → 10, # → 11); ValueError otherwise."""
    if len(digit) != 1 or digit not in _DIGITS:
        raise ValueError(f"expected a DTMF key 0-9, * or # (got {digit!r})")
    return _DIGITS.index(digit)


@dataclass(frozen=True, slots=True)
class DtmfEvent:
    """One parsed telephone-event packet."""

    digit: str
    end: bool
    duration: int
    timestamp: int
    ssrc: int


def digit_packets(digit: str, seq: int, timestamp: int, ssrc: int, *, duration: int = 800) -> list[bytes]:
    """Packets for one key press: three updates, then the end packet sent three times (as RFC 4733 advises)."""
    code = event_code(digit)
    packets = []
    for index in range(6):
        end = index >= 3
        marker = 0x80 if index == 0 else 0
        step = duration if end else duration * (index + 1) // 4
        header = _HEADER.pack(0x80, marker | EVENT_PAYLOAD_TYPE, (seq + index) & 0xFFFF, timestamp, ssrc)
        packets.append(header + _EVENT.pack(code, (0x80 if end else 0) | 10, step))
    return packets


def parse_event(packet: bytes) -> DtmfEvent | None:
    """The telephone event in an RTP packet, or None when it is not one (wrong version/type/size)."""
    if len(packet) < _HEADER.size + _EVENT.size:
        return None
    first, second, _seq, timestamp, ssrc = _HEADER.unpack_from(packet)
    if first >> 6 != 2 or second & 0x7F != EVENT_PAYLOAD_TYPE:
        return None
    offset = _HEADER.size + 4 * (first & 0x0F)
    if len(packet) < offset + _EVENT.size:
        return None
    code, flags, duration = _EVENT.unpack_from(packet, offset)
    if code >= len(_DIGITS):
        return None
    return DtmfEvent(digit=_DIGITS[code], end=bool(flags & 0x80), duration=duration, timestamp=timestamp, ssrc=ssrc)
