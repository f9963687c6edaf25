"""View hierarchies from uiautomator XML dumps and GKD snapshot JSON, as one flat list of nodes.

Both formats end up as `Node`s in pre-order with a parent index, bounds in screen pixels, so the detectors
and the analyser do not care where a tree came from. Inputs are bounded (bytes, node count) and parsed with
defusedxml, so a hostile dump cannot exhaust memory or expand entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any
from xml.etree.ElementTree import Element

from ganzhi.collect.bounded import DEFAULT_LIMITS, parse_json, parse_xml
from ganzhi.errors import InputError

MAX_HIERARCHY_BYTES = 16 * 1024 * 1024
MAX_NODES = 20_000
#: XML: a node is one element, so twice MAX_NODES elements is ample; JSON: bounded by MAX_HIERARCHY_BYTES.
_XML_LIMITS = replace(
    DEFAULT_LIMITS,
    max_part_bytes=MAX_HIERARCHY_BYTES,
    max_json_bytes=MAX_HIERARCHY_BYTES,
    max_xml_elements=2 * MAX_NODES + 10,
    max_seconds=30.0,
)
#: Screen coordinates and sizes above this are refused (the bundle's `Device` allows 20 000 px per side).
MAX_SCREEN_PX = 20_000
_BOUNDS = re.compile(r"^\[(-?\d{1,9}),(-?\d{1,9})\]\[(-?\d{1,9}),(-?\d{1,9})\]$", re.ASCII)
_ORDER = re.compile(r"^-?\d{1,9}$", re.ASCII)


class HierarchyError(ValueError):
    """A hierarchy cannot be read; the message says what is wrong (the caller adds the file)."""


@dataclass(frozen=True, slots=True)
class Node:
    """One view: identity, text, flags and bounds in screen pixels (left, top, right, bottom)."""

    index: int
    parent: int | None
    depth: int
    cls: str
    package: str
    text: str
    desc: str
    resource_id: str
    clickable: bool
    enabled: bool
    visible: bool
    naf: bool
    bounds: tuple[int, int, int, int]
    drawing_order: int = 0

    @property
    def vid(self) -> str:
        """The id without its `package:id/` prefix (GKD's `vid`)."""
        return self.resource_id.rsplit("/", 1)[-1] if self.resource_id else ""

    @property
    def width(self) -> int:
        return max(0, self.bounds[2] - self.bounds[0])

    @property
    def height(self) -> int:
        return max(0, self.bounds[3] - self.bounds[1])

    @property
    def area(self) -> int:
        return self.width * self.height


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """A parsed tree: nodes in pre-order, the screen size when the format carries it."""

    nodes: tuple[Node, ...]
    source_format: str
    screen: tuple[int, int] | None = None
    package: str | None = None
    activity: str | None = None

    def children(self, index: int) -> list[Node]:
        """Direct children of node `index`."""
        return [n for n in self.nodes if n.parent == index]

    def ancestors(self, index: int) -> list[Node]:
        """Ancestors of node `index`, nearest first."""
        found: list[Node] = []
        parent = self.nodes[index].parent
        while parent is not None:
            found.append(self.nodes[parent])
            parent = self.nodes[parent].parent
        return found

    def clickable_target(self, index: int) -> Node:
        """The node itself when clickable, else its nearest clickable ancestor (what a tap activates)."""
        node = self.nodes[index]
        if node.clickable:
            return node
        for ancestor in self.ancestors(index):
            if ancestor.clickable:
                return ancestor
        return node

    def texts(self) -> list[str]:
        """Every non-empty text and content description, in tree order."""
        found: list[str] = []
        for node in self.nodes:
            found.extend(value for value in (node.text, node.desc) if value.strip())
        return found


def _flag(element: Element, name: str, default: bool = False) -> bool:
    value = element.get(name)
    return default if value is None else value.strip().lower() == "true"


def _bounds(value: str | None, where: str) -> tuple[int, int, int, int]:
    match = _BOUNDS.match((value or "").strip())
    if match is None:
        raise HierarchyError(f"{where}: bounds must look like [l,t][r,b] (got {value!r})")
    left, top, right, bottom = (int(g) for g in match.groups())
    return left, top, right, bottom


def parse_uiautomator(data: bytes) -> Hierarchy:
    """Parse a `uiautomator dump` XML (`<hierarchy><node …>`); HierarchyError names the node at fault."""
    if len(data) > MAX_HIERARCHY_BYTES:
        raise HierarchyError(f"XML is {len(data)} bytes, above the limit of {MAX_HIERARCHY_BYTES}")
    try:
        root = parse_xml(data, "uiautomator XML", "XML", limits=_XML_LIMITS)
    except InputError as exc:
        raise HierarchyError(f"not a readable uiautomator XML: {exc.problem}") from None
    if root.tag != "hierarchy":
        raise HierarchyError(f"root element must be <hierarchy> (got <{root.tag}>)")
    nodes: list[Node] = []
    stack: list[tuple[Element, int | None, int]] = [(child, None, 0) for child in reversed(list(root))]
    while stack:
        element, parent, depth = stack.pop()
        if element.tag != "node":
            continue
        if len(nodes) >= MAX_NODES:
            raise HierarchyError(f"more than {MAX_NODES} nodes")
        index = len(nodes)
        where = f"node {index} (class {element.get('class', '?')!r})"
        order = element.get("drawing-order", "0")
        nodes.append(
            Node(
                index=index,
                parent=parent,
                depth=depth,
                cls=element.get("class", ""),
                package=element.get("package", ""),
                text=element.get("text", ""),
                desc=element.get("content-desc", ""),
                resource_id=element.get("resource-id", ""),
                clickable=_flag(element, "clickable") or _flag(element, "long-clickable"),
                enabled=_flag(element, "enabled", default=True),
                visible=_flag(element, "visible-to-user", default=True),
                naf=_flag(element, "NAF"),
                bounds=_bounds(element.get("bounds"), where),
                drawing_order=int(order) if _ORDER.match(order) else 0,
            )
        )
        stack.extend((child, index, depth + 1) for child in reversed(list(element)))
    if not nodes:
        raise HierarchyError("the <hierarchy> holds no <node>")
    top = next((n for n in nodes if n.package), None)
    return Hierarchy(nodes=tuple(nodes), source_format="uiautomator", package=top.package if top else None)


def _attr(raw: dict[str, Any], *names: str) -> Any:
    for name in names:
        if name in raw and raw[name] is not None:
            return raw[name]
    return None


def _text(raw: dict[str, Any], *names: str) -> str:
    value = _attr(raw, *names)
    return value if isinstance(value, str) else ""


def _int(raw: dict[str, Any], name: str, where: str) -> int:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise HierarchyError(f"{where}: attr.{name} must be an integer (got {value!r})")
    return value


def parse_gkd(data: bytes) -> Hierarchy:
    """Parse a GKD snapshot JSON (flat `nodes` with `pid` and `attr`), new and old attribute names."""
    if len(data) > MAX_HIERARCHY_BYTES:
        raise HierarchyError(f"JSON is {len(data)} bytes, above the limit of {MAX_HIERARCHY_BYTES}")
    try:
        doc = parse_json(data, "GKD snapshot", limits=_XML_LIMITS)
    except InputError as exc:
        raise HierarchyError(f"not a readable GKD snapshot: {exc.problem}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list):
        raise HierarchyError("a GKD snapshot is an object with a `nodes` list")
    raw_nodes = doc["nodes"]
    if len(raw_nodes) > MAX_NODES:
        raise HierarchyError(f"{len(raw_nodes)} nodes, above the limit of {MAX_NODES}")
    app_id = doc.get("appId") if isinstance(doc.get("appId"), str) else ""
    ids: dict[int, int] = {}
    nodes: list[Node] = []
    for position, raw in enumerate(raw_nodes):
        where = f"nodes[{position}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("attr"), dict):
            raise HierarchyError(f"{where}: expected an object with `attr`")
        attr: dict[str, Any] = raw["attr"]
        node_id = raw.get("id", position)
        pid = raw.get("pid", -1)
        if not isinstance(node_id, int) or not isinstance(pid, int):
            raise HierarchyError(f"{where}: id and pid must be integers (got {node_id!r}, {pid!r})")
        if pid != -1 and pid not in ids:
            raise HierarchyError(f"{where}: pid {pid} names no earlier node (nodes must be in pre-order)")
        parent = ids[pid] if pid != -1 else None
        ids[node_id] = position
        full_id = _text(attr, "id")
        vid = _text(attr, "vid")
        nodes.append(
            Node(
                index=position,
                parent=parent,
                depth=nodes[parent].depth + 1 if parent is not None else 0,
                cls=_text(attr, "name", "className"),
                package=app_id or "",
                text=_text(attr, "text"),
                desc=_text(attr, "desc", "contentDescription"),
                resource_id=full_id or vid,
                clickable=bool(_attr(attr, "clickable", "isClickable")) or bool(_attr(attr, "longClickable")),
                enabled=True,
                visible=_attr(attr, "visibleToUser") is not False,
                naf=False,
                bounds=(
                    _int(attr, "left", where),
                    _int(attr, "top", where),
                    _int(attr, "right", where),
                    _int(attr, "bottom", where),
                ),
            )
        )
    if not nodes:
        raise HierarchyError("the snapshot holds no nodes")
    screen = _screen(doc.get("screenWidth"), doc.get("screenHeight"))
    activity = doc.get("activityId") if isinstance(doc.get("activityId"), str) else None
    return Hierarchy(nodes=tuple(nodes), source_format="gkd", screen=screen, package=app_id or None, activity=activity)


def _screen(width: Any, height: Any) -> tuple[int, int] | None:
    """The snapshot's screen size when both sides are integers in 1..MAX_SCREEN_PX, else None (size unknown).

    GKD writes `screenWidth: -1` (or 0) when the size could not be read; such a value is not a size.
    """
    sides = (width, height)
    if all(isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_SCREEN_PX for v in sides):
        return int(width), int(height)
    return None


def parse_hierarchy(data: bytes, fmt: str) -> Hierarchy:
    """Parse `data` as `fmt` ('uiautomator' or 'gkd')."""
    if fmt == "uiautomator":
        return parse_uiautomator(data)
    if fmt == "gkd":
        return parse_gkd(data)
    raise HierarchyError(f"hierarchy format must be 'uiautomator' or 'gkd' (got {fmt!r})")


def sniff_format(data: bytes) -> str:
    """'uiautomator' for XML, 'gkd' for JSON, by the first non-blank byte."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "gkd" if head in (b"{", b"[") else "uiautomator"
