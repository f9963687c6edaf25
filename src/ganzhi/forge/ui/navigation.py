"""A forged navigation capture from the app's home to its privacy lists, with the lists at a known depth.

Screens: 首页 (with a 我的 tab) → 我的 (设置) → 设置 (隐私设置) → 隐私设置 → …; the list entries
("已收集个人信息清单", "第三方共享个人信息清单") are placed on the screen at `collected_level` /
`shared_level` taps from home (None: never shown). Taps are recorded on the tapped rows, and a `back`
key can be inserted to check that going back is not counted as depth.
"""

from __future__ import annotations

from pathlib import Path

from ganzhi.collect.ui.bundle import Event as BundleEvent
from ganzhi.collect.ui.bundle import Key, Tap
from ganzhi.forge.ui.bundles import ForgedFrame, Screen, View, write_bundle
from ganzhi.forge.ui.scenarios import HEIGHT, PACKAGE, WIDTH, px

COLLECTED_ENTRY = "已收集个人信息清单"
SHARED_ENTRY = "第三方共享个人信息清单"
#: The tapped row on each level (level 0 is home): what leads one level deeper.
MENU = ("我的", "设置", "隐私设置", "个人信息管理", "更多")


def _row(text: str, position: int) -> View:
    top = px(120) + position * px(64)
    return View(
        bounds=(0, top, WIDTH, top + px(56)),
        cls="android.widget.TextView",
        text=text,
        clickable=True,
        fill=(245, 245, 245),
        ink=(40, 40, 40),
        glyph="bar",
    )


def menu_screen(level: int, extra: list[str]) -> Screen:
    """The screen at `level`: a title, the row leading deeper, and `extra` rows."""
    title = "首页" if level == 0 else MENU[level - 1]
    rows = [_row(MENU[level], 0)] if level < len(MENU) else []
    rows += [_row(text, position + 1) for position, text in enumerate(extra)]
    header = View(bounds=(0, px(24), WIDTH, px(80)), cls="android.widget.TextView", text=title, fill=(230, 230, 230))
    return Screen([View(bounds=(0, 0, WIDTH, HEIGHT), package=PACKAGE, children=[header, *rows])])


def navigation(
    root: Path,
    *,
    collected_level: int | None,
    shared_level: int | None,
    depth: int = 3,
    back_detour: bool = False,
) -> Path:
    """Walk from home down to `depth`, tapping the menu row each time (a back-and-forth detour first when
    `back_detour`); the lists' entries appear on the screens of their levels."""
    frames: list[ForgedFrame] = []
    events: list[BundleEvent] = []
    t_ms = 0

    def screen(level: int) -> Screen:
        extra = []
        if collected_level == level:
            extra.append(COLLECTED_ENTRY)
        if shared_level == level:
            extra.append(SHARED_ENTRY)
        return menu_screen(level, extra)

    def tap_row(level: int) -> None:
        row = screen(level).views[0].children[1].bounds
        events.append(Tap(type="tap", t_ms=t_ms + 200, x=(row[0] + row[2]) // 2, y=(row[1] + row[3]) // 2))

    frames.append(ForgedFrame(t_ms, screen(0), PACKAGE, f"{PACKAGE}.MainActivity"))
    if back_detour:
        tap_row(0)
        t_ms += 1000
        frames.append(ForgedFrame(t_ms, screen(1), PACKAGE, f"{PACKAGE}.MineActivity"))
        events.append(Key(type="key", t_ms=t_ms + 200, key="back"))
        t_ms += 1000
        frames.append(ForgedFrame(t_ms, screen(0), PACKAGE, f"{PACKAGE}.MainActivity"))
    for level in range(depth):
        tap_row(level)
        t_ms += 1000
        frames.append(ForgedFrame(t_ms, screen(level + 1), PACKAGE, f"{PACKAGE}.Level{level + 1}Activity"))
    return write_bundle(root, frames, events, scenario="navigation", width=WIDTH, height=HEIGHT)
