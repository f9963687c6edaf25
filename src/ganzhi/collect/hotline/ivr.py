"""IVR menus as trees (YAML/JSON) and the shortest path to a human agent.

A menu file is `{"start": ID, "nodes": {ID: node}}` where a node has `prompt_seconds` (how long its
prompt plays), `options` (key → node id), and optionally `human: true` (an agent answers; then
`wait_seconds` is the queue time), `hangup: true` (the call ends) or `timeout` (node reached when the
caller presses nothing). Keys are DTMF digits 0–9, * or #.

Analysis runs Dijkstra on seconds (prompt + queue), tie-broken by depth, so `min_seconds` is the
fastest way to a human and `path` the keys to press. It reports every cycle (a menu that leads back
to itself) and every dead end (a node with no option, no timeout, not human and not a hangup).
"""

from __future__ import annotations

import heapq
import json
import math
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ganzhi.errors import InputError
from ganzhi.evidence.hotline import IvrAnalysis

MAX_MENU_BYTES = 1 << 20
MAX_NODES = 5_000
KEYS = frozenset("0123456789*#")
TIMEOUT_KEY = "timeout"


class IvrNode(BaseModel):
    """One menu node."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prompt: str = ""
    prompt_seconds: float = Field(default=0.0, ge=0, le=3600)
    options: dict[str, str] = Field(default_factory=dict)
    timeout: str | None = None
    human: bool = False
    wait_seconds: float = Field(default=0.0, ge=0, le=86400)
    hangup: bool = False

    @model_validator(mode="after")
    def _keys(self) -> IvrNode:
        bad = sorted(k for k in self.options if k not in KEYS)
        if bad:
            raise ValueError(f"options: keys must be DTMF digits 0-9, * or # (got {bad})")
        return self


class IvrMenu(BaseModel):
    """A whole menu: its start node and nodes by id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: str
    nodes: dict[str, IvrNode] = Field(min_length=1, max_length=MAX_NODES)

    @model_validator(mode="after")
    def _references(self) -> IvrMenu:
        if self.start not in self.nodes:
            raise ValueError(f"start: node {self.start!r} is not defined (nodes: {sorted(self.nodes)[:10]})")
        for node_id, node in self.nodes.items():
            targets = dict(node.options)
            if node.timeout is not None:
                targets[TIMEOUT_KEY] = node.timeout
            for key, target in targets.items():
                if target not in self.nodes:
                    raise ValueError(f"nodes.{node_id}.options.{key}: node {target!r} is not defined")
        return self

    def edges(self, node_id: str) -> list[tuple[str, str]]:
        """(key, target) pairs leaving a node, the timeout last."""
        node = self.nodes[node_id]
        found = sorted(node.options.items())
        if node.timeout is not None:
            found.append((TIMEOUT_KEY, node.timeout))
        return found


def load_menu(path: Path) -> IvrMenu:
    """Parse a YAML or JSON menu; InputError names the file and the field at fault."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_MENU_BYTES + 1)
    except OSError as exc:
        raise InputError(str(path), f"cannot open: {exc.strerror or exc}") from None
    if len(raw) > MAX_MENU_BYTES:
        raise InputError(str(path), f"larger than {MAX_MENU_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
        data: Any = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(
            str(path), f"not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}"
        ) from None
    return parse_menu(data, str(path))


def parse_menu(data: Any, source: str) -> IvrMenu:
    """Validate menu data; InputError lists each bad field as `field: problem`."""
    try:
        return IvrMenu.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in exc.errors()[:10])
        raise InputError(source, problems) from None


def _cycles(menu: IvrMenu) -> list[list[str]]:
    """Every elementary cycle's node list, found once each (iterative DFS, back edges)."""
    colour: dict[str, int] = {}
    found: list[list[str]] = []
    for root in sorted(menu.nodes):
        if colour.get(root):
            continue
        stack: list[tuple[str, list[str]]] = [(root, [t for _k, t in menu.edges(root)])]
        trail = [root]
        colour[root] = 1
        while stack:
            node, pending = stack[-1]
            if not pending:
                stack.pop()
                trail.pop()
                colour[node] = 2
                continue
            nxt = pending.pop(0)
            state = colour.get(nxt, 0)
            if state == 1:
                cycle = [*trail[trail.index(nxt) :], nxt]
                if cycle not in found:
                    found.append(cycle)
            elif state == 0:
                colour[nxt] = 1
                trail.append(nxt)
                stack.append((nxt, [t for _k, t in menu.edges(nxt)]))
    return found


def analyze(menu: IvrMenu) -> IvrAnalysis:
    """Fastest path to a human, plus cycles and dead ends."""
    best: dict[str, tuple[float, int]] = {menu.start: (menu.nodes[menu.start].prompt_seconds, 0)}
    previous: dict[str, tuple[str, str]] = {}
    heap: list[tuple[float, int, str]] = [(menu.nodes[menu.start].prompt_seconds, 0, menu.start)]
    goal: str | None = None
    while heap:
        seconds, depth, node_id = heapq.heappop(heap)
        if best.get(node_id, (math.inf, 0)) < (seconds, depth):
            continue
        node = menu.nodes[node_id]
        if node.human:
            goal = node_id
            break
        if node.hangup:
            continue
        for key, target in menu.edges(node_id):
            step_depth = depth if key == TIMEOUT_KEY else depth + 1
            target_node = menu.nodes[target]
            cost = seconds + target_node.prompt_seconds + (target_node.wait_seconds if target_node.human else 0.0)
            if (cost, step_depth) < best.get(target, (math.inf, 0)):
                best[target] = (cost, step_depth)
                previous[target] = (node_id, key)
                heapq.heappush(heap, (cost, step_depth, target))
    dead_ends = sorted(
        node_id
        for node_id, node in menu.nodes.items()
        if not node.human and not node.hangup and not menu.edges(node_id)
    )
    result: dict[str, Any] = {"cycles": _cycles(menu), "dead_ends": dead_ends, "nodes": len(menu.nodes)}
    if goal is None:
        return IvrAnalysis(human_reachable=False, **result)
    keys: list[str] = []
    cursor = goal
    while cursor in previous:
        parent, key = previous[cursor]
        keys.append(key)
        cursor = parent
    keys.reverse()
    seconds, depth = best[goal]
    return IvrAnalysis(human_reachable=True, min_depth=depth, min_seconds=round(seconds, 3), path=keys, **result)


def analysis_json(analysis: IvrAnalysis) -> dict[str, Any]:
    """The CLI's JSON: human_reachable, min_depth, min_seconds, path, then the problems found."""
    return {
        "human_reachable": analysis.human_reachable,
        "min_depth": analysis.min_depth,
        "min_seconds": analysis.min_seconds,
        "path": analysis.path,
        "cycles": analysis.cycles,
        "dead_ends": analysis.dead_ends,
    }
