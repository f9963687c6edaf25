"""How many taps from the app's home the two personal-information lists are (T6/T7 二级菜单).

A navigation capture is a bundle whose frames follow the user from the app's home (frame 0, level 0)
through 我的 → 设置 → 隐私 …: a sequence of uiautomator dumps, a GKD snapshot series, or a recording with
its taps and keys. The level of a frame is the number of forward taps from home: a tap between two frames
whose screens differ goes one level down, a `back` key one level up (never above home). A series without
events (imported dumps or snapshots) is read as one forward tap per new screen. The list's *entry* is a
node whose text or description names the list (已收集个人信息清单, 第三方共享个人信息清单, SDK目录 …);
its level is the level of the first frame that shows it, and the path is the tapped labels that led there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ganzhi.collect.ui.bundle import Bundle, Key, Tap
from ganzhi.collect.ui.frames import FrameView
from ganzhi.collect.ui.hierarchy import Hierarchy
from ganzhi.evidence.ui import ListReach

LIST_NAMES: dict[str, re.Pattern[str]] = {
    "collected": re.compile(
        r"已收集.{0,6}个人信息.{0,2}(清单|列表)|个人信息收集.{0,4}(清单|列表)|收集个人信息.{0,2}(清单|列表)"
    ),
    "shared": re.compile(
        r"第三方.{0,8}(共享|SDK|sdk).{0,8}(清单|目录|列表)|共享个人信息.{0,2}(清单|列表)|第三方信息共享|SDK.{0,4}(目录|清单)"
    ),
}
#: Labels longer than this are paragraphs (a policy text naming the list), not a menu entry.
MAX_ENTRY_CHARS = 30
MAX_PATH = 12


def _signature(tree: Hierarchy | None, activity: str) -> tuple[str, ...]:
    texts = tuple(t for t in (tree.texts() if tree is not None else [])[:40])
    return (activity, *texts)


def _tapped_label(tree: Hierarchy | None, tap: Tap) -> str:
    """The label of the smallest labelled node under the tap (what the user tapped)."""
    if tree is None:
        return f"({tap.x},{tap.y})"
    best = None
    for node in tree.nodes:
        left, top, right, bottom = node.bounds
        label = (node.text or node.desc).strip()
        if label and left <= tap.x <= right and top <= tap.y <= bottom and (best is None or node.area < best[0]):
            best = (node.area, label)
    return best[1][:MAX_ENTRY_CHARS] if best else f"({tap.x},{tap.y})"


def levels(bundle: Bundle, views: Sequence[FrameView]) -> tuple[list[int], list[list[str]]]:
    """Level of each frame and the tapped labels from home to it."""
    events = [e for e in bundle.manifest.events if isinstance(e, Tap | Key)]
    has_events = bool(events)
    found: list[int] = []
    paths: list[list[str]] = []
    for position, view in enumerate(views):
        if position == 0:
            found.append(0)
            paths.append([])
            continue
        before = views[position - 1]
        level, path = found[-1], list(paths[-1])
        changed = _signature(view.hierarchy, view.activity) != _signature(before.hierarchy, before.activity)
        between = [e for e in events if before.t_ms <= e.t_ms < view.t_ms]
        if not has_events:
            if changed:
                level, path = level + 1, [*path, view.activity.rsplit(".", 1)[-1] or f"frame {position}"]
        else:
            for event in between:
                if isinstance(event, Key) and event.key.lower() in {"back", "keycode_back", "4"}:
                    level, path = max(0, level - 1), path[:-1]
                elif isinstance(event, Tap) and changed:
                    level, path = level + 1, [*path, _tapped_label(before.hierarchy, event)]
        found.append(level)
        paths.append(path[:MAX_PATH])
    return found, paths


def _entry(tree: Hierarchy | None, pattern: re.Pattern[str]) -> str | None:
    if tree is None:
        return None
    for node in tree.nodes:
        for value in (node.text, node.desc):
            label = value.strip()
            if node.visible and label and len(label) <= MAX_ENTRY_CHARS and pattern.search(label):
                return label
    return None


def list_reach(bundle: Bundle, views: Sequence[FrameView]) -> list[ListReach]:
    """Where each list's entry was first seen in a navigation capture (empty for other scenarios)."""
    if bundle.manifest.scenario != "navigation" or not views:
        return []
    frame_levels, paths = levels(bundle, views)
    found = []
    for kind, pattern in LIST_NAMES.items():
        seen = [(frame_levels[i], i, label) for i, v in enumerate(views) if (label := _entry(v.hierarchy, pattern))]
        if not seen:
            found.append(ListReach(list_kind=kind, found=False, frames=len(views), max_level=max(frame_levels)))
            continue
        level, index, label = min(seen)
        found.append(
            ListReach(
                list_kind=kind,
                found=True,
                entry_text=label,
                entry_level=level,
                frame=index,
                path=paths[index],
                frames=len(views),
                max_level=max(frame_levels),
            )
        )
    return found
