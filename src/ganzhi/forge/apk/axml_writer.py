"""Write binary AXML (the compiled AndroidManifest.xml format) from a small element tree.

Layout follows aapt: RES_XML chunk → string pool (attribute names that carry an android
resource id first, matching the resource map) → resource map → start-namespace → elements →
end-namespace. Typed values: str → TYPE_STRING, bool → TYPE_INT_BOOLEAN, int → TYPE_INT_DEC.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from ganzhi.forge.apk.spec import ComponentSpec, IntentFilterSpec, ManifestSpec

ANDROID_NS = "http://schemas.android.com/apk/res/android"
NO_ENTRY = 0xFFFFFFFF

RES_IDS = {
    "label": 0x01010001,
    "name": 0x01010003,
    "permission": 0x01010006,
    "enabled": 0x0101000E,
    "exported": 0x01010010,
    "process": 0x01010011,
    "authorities": 0x01010018,
    "priority": 0x0101001C,
    "value": 0x01010024,
    "resource": 0x01010025,
    "mimeType": 0x01010026,
    "scheme": 0x01010027,
    "host": 0x01010028,
    "port": 0x01010029,
    "path": 0x0101002A,
    "pathPrefix": 0x0101002B,
    "pathPattern": 0x0101002C,
    "minSdkVersion": 0x0101020C,
    "versionCode": 0x0101021B,
    "versionName": 0x0101021C,
    "targetSdkVersion": 0x01010270,
    "maxSdkVersion": 0x01010271,
}

AttrValue = str | bool | int


@dataclass
class XmlNode:
    """An element: tag, attributes as (android namespace?, name, value), children."""

    tag: str
    attrs: list[tuple[bool, str, AttrValue]] = field(default_factory=list)
    children: list[XmlNode] = field(default_factory=list)

    def add(self, tag: str, *attrs: tuple[bool, str, AttrValue]) -> XmlNode:
        """Append and return a child element."""
        child = XmlNode(tag, list(attrs))
        self.children.append(child)
        return child


def _a(name: str, value: AttrValue) -> tuple[bool, str, AttrValue]:
    return True, name, value


def _filter_node(parent: XmlNode, f: IntentFilterSpec, tag: str = "intent-filter") -> None:
    node = parent.add(tag, *([_a("priority", f.priority)] if f.priority is not None else []))
    for action in f.actions:
        node.add("action", _a("name", action))
    for cat in f.categories:
        node.add("category", _a("name", cat))
    for d in f.data:
        attrs = [
            _a(key, val)
            for key, val in (
                ("scheme", d.scheme),
                ("host", d.host),
                ("path", d.path),
                ("mimeType", d.mime_type),
            )
            if val is not None
        ]
        node.add("data", *attrs)


def _component_node(app: XmlNode, c: ComponentSpec) -> None:
    attrs = [_a("name", c.name)]
    if c.exported is not None:
        attrs.append(_a("exported", c.exported))
    for key, val in (("authorities", c.authorities), ("permission", c.permission), ("process", c.process)):
        if val is not None:
            attrs.append(_a(key, val))
    node = app.add(c.kind, *attrs)
    for f in c.intent_filters:
        _filter_node(node, f)
    for name, value in c.meta_data:
        node.add("meta-data", _a("name", name), _a("value", value))


def manifest_tree(spec: ManifestSpec) -> XmlNode:
    """The `<manifest>` element tree for `spec`."""
    root_attrs: list[tuple[bool, str, AttrValue]] = [_a("versionCode", spec.version_code)]
    if spec.version_name is not None:
        root_attrs.append(_a("versionName", spec.version_name))
    root_attrs.append((False, "package", spec.package))
    root = XmlNode("manifest", root_attrs)
    sdk = [_a(k, v) for k, v in (("minSdkVersion", spec.min_sdk), ("targetSdkVersion", spec.target_sdk)) if v]
    if sdk:
        root.add("uses-sdk", *sdk)
    for perm in spec.permissions:
        root.add("uses-permission", _a("name", perm))
    for perm in spec.permissions_sdk23:
        root.add("uses-permission-sdk-23", _a("name", perm))
    if spec.queries is not None:
        q = root.add("queries")
        for pkg in spec.queries.packages:
            q.add("package", _a("name", pkg))
        for intent in spec.queries.intents:
            _filter_node(q, intent, tag="intent")
        for auth in spec.queries.providers:
            q.add("provider", _a("authorities", auth))
    app = root.add("application", *([_a("name", spec.application_name)] if spec.application_name else []))
    for name, value in spec.meta_data:
        app.add("meta-data", _a("name", name), _a("value", value))
    for comp in spec.components:
        _component_node(app, comp)
    return root


class _StringPool:
    def __init__(self, root: XmlNode) -> None:
        attr_names: list[str] = []
        others: list[str] = []
        self.res_ids: list[int] = []

        def visit(node: XmlNode) -> None:
            others.append(node.tag)
            for is_android, name, value in node.attrs:
                if is_android and name in RES_IDS and name not in attr_names:
                    attr_names.append(name)
                else:
                    others.append(name)
                if isinstance(value, str):
                    others.append(value)
            for child in node.children:
                visit(child)

        visit(root)
        attr_names.sort(key=lambda n: RES_IDS[n])
        self.res_ids = [RES_IDS[n] for n in attr_names]
        self.strings: list[str] = list(attr_names)
        self.index: dict[str, int] = {s: i for i, s in enumerate(self.strings)}
        for s in ["android", ANDROID_NS, *others]:
            if s not in self.index:
                self.index[s] = len(self.strings)
                self.strings.append(s)

    def chunk(self, utf8: bool) -> bytes:
        body = bytearray()
        offsets = []
        for s in self.strings:
            offsets.append(len(body))
            if utf8:
                raw = s.encode("utf-8")
                body += _len8(len(s)) + _len8(len(raw)) + raw + b"\x00"
            else:
                raw = s.encode("utf-16-le", "surrogatepass")
                n = len(raw) // 2
                body += struct.pack("<HH", 0x8000 | (n >> 16), n & 0xFFFF) if n > 0x7FFF else struct.pack("<H", n)
                body += raw + b"\x00\x00"
        body += b"\x00" * (-len(body) % 4)
        header_size = 28
        strings_start = header_size + 4 * len(offsets)
        size = strings_start + len(body)
        flags = 0x100 if utf8 else 0
        head = struct.pack("<HHIIIIII", 0x0001, header_size, size, len(offsets), 0, flags, strings_start, 0)
        return head + struct.pack(f"<{len(offsets)}I", *offsets) + bytes(body)


def _len8(n: int) -> bytes:
    return bytes((0x80 | (n >> 8), n & 0xFF)) if n > 0x7F else bytes((n,))


def _typed(value: AttrValue, pool: _StringPool) -> tuple[int, int, int]:
    """(raw string index, data type, data) of one attribute value."""
    if isinstance(value, bool):
        return NO_ENTRY, 0x12, 0xFFFFFFFF if value else 0
    if isinstance(value, int):
        return NO_ENTRY, 0x10, value & 0xFFFFFFFF
    idx = pool.index[value]
    return idx, 0x03, idx


def write_axml(root: XmlNode, *, utf8: bool = False) -> bytes:
    """Serialise the element tree `root` as binary AXML."""
    pool = _StringPool(root)
    ns_uri, ns_prefix = pool.index[ANDROID_NS], pool.index["android"]
    body = bytearray()
    body += struct.pack("<HHIIIII", 0x0100, 16, 24, 1, NO_ENTRY, ns_prefix, ns_uri)
    line = [1]

    def emit(node: XmlNode) -> None:
        line[0] += 1
        attrs = sorted(node.attrs, key=lambda a: (RES_IDS.get(a[1], 0xFFFFFFFF) if a[0] else 0xFFFFFFFF, a[1]))
        attr_bytes = bytearray()
        for is_android, name, value in attrs:
            raw, dtype, data = _typed(value, pool)
            ns = ns_uri if is_android else NO_ENTRY
            attr_bytes += struct.pack("<IIIHBBI", ns, pool.index[name], raw, 8, 0, dtype, data)
        size = 16 + 20 + len(attr_bytes)
        body.extend(struct.pack("<HHIII", 0x0102, 16, size, line[0], NO_ENTRY))
        body.extend(struct.pack("<IIHHHHHH", NO_ENTRY, pool.index[node.tag], 20, 20, len(attrs), 0, 0, 0))
        body.extend(attr_bytes)
        for child in node.children:
            emit(child)
        body.extend(struct.pack("<HHIIIII", 0x0103, 16, 24, line[0], NO_ENTRY, NO_ENTRY, pool.index[node.tag]))

    emit(root)
    body += struct.pack("<HHIIIII", 0x0101, 16, 24, line[0], NO_ENTRY, ns_prefix, ns_uri)
    strings = pool.chunk(utf8)
    resmap = struct.pack(f"<HHI{len(pool.res_ids)}I", 0x0180, 8, 8 + 4 * len(pool.res_ids), *pool.res_ids)
    total = 8 + len(strings) + len(resmap) + len(body)
    return struct.pack("<HHI", 0x0003, 8, total) + strings + resmap + bytes(body)


def write_manifest(spec: ManifestSpec, *, utf8: bool = False) -> bytes:
    """Binary AndroidManifest.xml for `spec`."""
    return write_axml(manifest_tree(spec), utf8=utf8)
