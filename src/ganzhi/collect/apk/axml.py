"""Our own binary AXML (compiled AndroidManifest.xml) parser, bounded and tolerant like Android.

Why not apkInspector's text output: Android identifies attributes by resource id, not by the
name string (obfuscators blank or fake names), and we want typed values (bool/int/reference)
rather than re-parsing XML text. Android-namespace attributes are keyed by their framework name
(resolved through the resource map); attributes without a namespace are kept apart in `plain`,
because the framework ignores them (except `package` on `<manifest>`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ganzhi.collect.apk.binary import FormatError, u16_at, u32_at

ANDROID_NS = "http://schemas.android.com/apk/res/android"
RES_XML_TYPE = 0x0003
RES_STRING_POOL_TYPE = 0x0001
RES_XML_RESOURCE_MAP_TYPE = 0x0180
START_NAMESPACE, END_NAMESPACE = 0x0100, 0x0101
START_ELEMENT, END_ELEMENT, CDATA = 0x0102, 0x0103, 0x0104
NO_ENTRY = 0xFFFFFFFF
UTF8_FLAG = 0x100
MAX_DEPTH = 256

#: Framework attribute resource ids (android.R.attr) we read from manifests.
ATTR_NAMES = {
    0x01010000: "theme",
    0x01010001: "label",
    0x01010002: "icon",
    0x01010003: "name",
    0x01010006: "permission",
    0x01010007: "readPermission",
    0x01010008: "writePermission",
    0x01010009: "protectionLevel",
    0x0101000B: "sharedUserId",
    0x0101000D: "persistent",
    0x0101000E: "enabled",
    0x0101000F: "debuggable",
    0x01010010: "exported",
    0x01010011: "process",
    0x01010012: "taskAffinity",
    0x01010013: "multiprocess",
    0x01010018: "authorities",
    0x0101001B: "grantUriPermissions",
    0x0101001C: "priority",
    0x0101001D: "launchMode",
    0x01010024: "value",
    0x01010025: "resource",
    0x01010026: "mimeType",
    0x01010027: "scheme",
    0x01010028: "host",
    0x01010029: "port",
    0x0101002A: "path",
    0x0101002B: "pathPrefix",
    0x0101002C: "pathPattern",
    0x0101020C: "minSdkVersion",
    0x0101021B: "versionCode",
    0x0101021C: "versionName",
    0x01010202: "targetActivity",
    0x01010270: "targetSdkVersion",
    0x01010271: "maxSdkVersion",
    0x01010280: "allowBackup",
    0x0101028E: "required",
    0x010102B7: "installLocation",
    0x010103A9: "isolatedProcess",
    0x010103E3: "ssp",
    0x010103E4: "sspPrefix",
    0x010103E5: "sspPattern",
    0x010104EB: "fullBackupContent",
    0x010104EC: "usesCleartextTraffic",
    0x01010505: "directBootAware",
}

AttrValue = str | int | bool | float


@dataclass
class XmlElement:
    """One element: android attributes by name, un-namespaced attributes, children."""

    tag: str
    attrs: dict[str, AttrValue] = field(default_factory=dict)
    plain: dict[str, AttrValue] = field(default_factory=dict)
    children: list[XmlElement] = field(default_factory=list)
    line: int = 0

    def get(self, name: str) -> AttrValue | None:
        """An android-namespace attribute value."""
        return self.attrs.get(name)

    def text(self, name: str) -> str | None:
        """An android attribute as text (ints and booleans are rendered, missing is None)."""
        value = self.attrs.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def iter(self, tag: str) -> list[XmlElement]:
        """Direct children with tag `tag`."""
        return [c for c in self.children if c.tag == tag]


def _string_pool(buf: bytes, off: int) -> list[str]:
    header_size, size = u16_at(buf, off + 2), u32_at(buf, off + 4)
    end = off + size
    if size < 28 or end > len(buf):
        raise FormatError(f"string pool at {off:#x} declares size {size}, outside the {len(buf)}-byte file")
    count, flags, strings_start = u32_at(buf, off + 8), u32_at(buf, off + 16), u32_at(buf, off + 20)
    if count > (size - header_size) // 4:
        raise FormatError(f"string pool at {off:#x} declares {count} strings, more than fit in {size} bytes")
    utf8 = bool(flags & UTF8_FLAG)
    base = off + strings_start
    strings = []
    for i in range(count):
        pos = base + u32_at(buf, off + header_size + 4 * i)
        strings.append(_read_pool_string(buf, pos, end, utf8) if pos < end else "")
    return strings


def _read_pool_string(buf: bytes, pos: int, end: int, utf8: bool) -> str:
    if utf8:
        n = buf[pos]
        pos += 2 if n & 0x80 else 1  # UTF-16 length, skipped
        if pos >= end:
            return ""
        n = buf[pos]
        if n & 0x80:
            n = ((n & 0x7F) << 8) | buf[pos + 1]
            pos += 1
        pos += 1
        return buf[pos : min(pos + n, end)].decode("utf-8", "replace")
    n = u16_at(buf, pos)
    pos += 2
    if n & 0x8000:
        n = ((n & 0x7FFF) << 16) | u16_at(buf, pos)
        pos += 2
    raw = buf[pos : min(pos + 2 * n, end)]
    return raw[: len(raw) // 2 * 2].decode("utf-16-le", "replace")


_FORMAT: dict[int, Callable[[int], AttrValue]] = {
    0x01: lambda d: f"@{d:08x}",  # reference
    0x02: lambda d: f"?{d:08x}",  # theme attribute
    0x10: lambda d: d - (1 << 32) if d & 0x80000000 else d,  # int (decimal, signed)
    0x12: lambda d: d != 0,  # boolean
}


def _typed_value(dtype: int, data: int, raw: int, strings: list[str]) -> AttrValue:
    if dtype == 0x03:
        idx = data if data < len(strings) else raw
        return strings[idx] if idx < len(strings) else ""
    if raw != NO_ENTRY and raw < len(strings) and dtype not in (0x10, 0x11, 0x12):
        return strings[raw]
    formatter = _FORMAT.get(dtype)
    return formatter(data) if formatter else data


def parse_axml(buf: bytes, *, max_nodes: int = 500_000) -> XmlElement:
    """Parse binary AXML into its root element; FormatError on anything unreadable."""
    try:
        return _Parser(buf, max_nodes).run()
    except IndexError as exc:
        raise FormatError(f"AXML structure points outside the {len(buf)}-byte file ({exc})") from None


class _Parser:
    """Walks the chunks of one AXML document, keeping the string pool and element stack."""

    def __init__(self, buf: bytes, max_nodes: int) -> None:
        self.buf = buf
        self.max_nodes = max_nodes
        self.strings: list[str] = []
        self.res_ids: list[int] = []
        self.android_uris: set[int] = set()
        self.stack: list[XmlElement] = []
        self.root: XmlElement | None = None
        self.nodes = 0

    def run(self) -> XmlElement:
        buf = self.buf
        if len(buf) < 8:
            raise FormatError(f"AXML is {len(buf)} bytes, smaller than a chunk header")
        # Android validates only the sizes of the outer chunk, not its type (a known anti-analysis trick).
        pos = u16_at(buf, 2)
        if pos < 8 or pos > len(buf):
            raise FormatError(f"AXML header size is {pos}, expected 8..{len(buf)}")
        while pos + 8 <= len(buf):
            ctype, hsize, csize = u16_at(buf, pos), u16_at(buf, pos + 2), u32_at(buf, pos + 4)
            if csize < 8 or hsize > csize or pos + csize > len(buf):
                if self.root is not None and not self.stack:
                    break  # trailing junk after the document (e.g. a zero-sized end-namespace)
                raise FormatError(f"chunk {ctype:#06x} at {pos:#x} has size {csize}, header {hsize}")
            self._chunk(ctype, pos, hsize, csize)
            pos += csize
        if self.root is None:
            raise FormatError("AXML contains no element")
        return self.root

    def _chunk(self, ctype: int, pos: int, hsize: int, csize: int) -> None:
        buf = self.buf
        if ctype == RES_STRING_POOL_TYPE:
            self.strings = _string_pool(buf, pos)
        elif ctype == RES_XML_RESOURCE_MAP_TYPE:
            self.res_ids = [u32_at(buf, pos + hsize + 4 * i) for i in range((csize - hsize) // 4)]
        elif ctype == START_NAMESPACE:
            uri = u32_at(buf, pos + 20)
            if uri < len(self.strings) and self.strings[uri] == ANDROID_NS:
                self.android_uris.add(uri)
        elif ctype == START_ELEMENT:
            self._start(pos, hsize)
        elif ctype == END_ELEMENT:
            if not self.stack:
                raise FormatError(f"end element at {pos:#x} without a start element")
            self.stack.pop()

    def _start(self, pos: int, hsize: int) -> None:
        self.nodes += 1
        if self.nodes > self.max_nodes or len(self.stack) >= MAX_DEPTH:
            raise FormatError(f"AXML has more than {self.max_nodes} elements or {MAX_DEPTH} levels")
        element = self._element(pos, hsize)
        if self.stack:
            self.stack[-1].children.append(element)
        elif self.root is None:
            self.root = element
        else:
            raise FormatError(f"second root element <{element.tag}> at {pos:#x}")
        self.stack.append(element)

    def _is_android(self, ns: int) -> bool:
        return ns in self.android_uris or (ns < len(self.strings) and self.strings[ns] == ANDROID_NS)

    def _element(self, pos: int, hsize: int) -> XmlElement:
        buf, strings, res_ids = self.buf, self.strings, self.res_ids
        body = pos + hsize
        name_idx = u32_at(buf, body + 4)
        attr_start, attr_size, attr_count = (
            u16_at(buf, body + 8),
            u16_at(buf, body + 10),
            u16_at(buf, body + 12),
        )
        tag = strings[name_idx] if name_idx < len(strings) else ""
        element = XmlElement(tag=tag, line=u32_at(buf, pos + 8))
        attr_size = attr_size or 20
        by_name: dict[str, AttrValue] = {}
        for i in range(attr_count):
            a = body + attr_start + i * attr_size
            ns, name, raw = u32_at(buf, a), u32_at(buf, a + 4), u32_at(buf, a + 8)
            dtype, data = buf[a + 15], u32_at(buf, a + 16)
            value = _typed_value(dtype, data, raw, strings)
            res_name = ATTR_NAMES.get(res_ids[name]) if name < len(res_ids) else None
            text_name = strings[name] if name < len(strings) else ""
            if res_name is not None:
                element.attrs[res_name] = value
            elif ns != NO_ENTRY and self._is_android(ns):
                by_name.setdefault(text_name, value)
            elif ns == NO_ENTRY:
                element.plain[text_name] = value
        for key, value in by_name.items():
            element.attrs.setdefault(key, value)
        return element
