"""The judged UI screens of an app page: the latest run's pictures the reader may see, in words and with results.

A picture is shown or served only when `Scope.sees_subject` allows its subject (the same rule as the app's
issues and results); the words say the verdict and where and how large the found close control is, for the
image's alt text and the caption beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ganzhi.accounts.roles import Role
from ganzhi.accounts.scope import Scope
from ganzhi.findings.models import Result
from ganzhi.store.ui_picture_repo import UiPicture, get_picture, pictures_of, results_for_subject
from ganzhi.usecases.ui_pictures import PICTURE_TASKS

#: Verdict names by status (zh, en).
VERDICTS = {
    "FAIL": ("不通过", "fail"),
    "WARN": ("警告", "warning"),
    "MANUAL": ("需人工复核", "manual review"),
    "PASS": ("通过", "pass"),
    "NOT_APPLICABLE": ("不适用", "not applicable"),
    "ERROR": ("检查出错", "check error"),
}
KINDS = {"splash": ("开屏广告", "splash ad"), "popup": ("弹窗广告", "pop-up ad")}
#: Screen regions by (row, column) of a 3 × 3 grid (zh, en).
REGIONS = {
    (0, 0): ("左上角", "top left"),
    (0, 1): ("顶部中间", "top centre"),
    (0, 2): ("右上角", "top right"),
    (1, 0): ("左侧中部", "middle left"),
    (1, 1): ("屏幕中央", "centre"),
    (1, 2): ("右侧中部", "middle right"),
    (2, 0): ("左下角", "bottom left"),
    (2, 1): ("底部中间", "bottom centre"),
    (2, 2): ("右下角", "bottom right"),
}
#: Pictures of one app read per page (they are bounded per run when stored; this caps old runs' rows).
MAX_ROWS = 1000


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def verdict_words(status: str, lang: str) -> str:
    """'不通过（FAIL）' / 'fail (FAIL)'."""
    name = _pick(VERDICTS.get(status, (status, status)), lang)
    return f"{name} ({status})" if lang == "en" else f"{name}（{status}）"


def region(bounds: list[int], screen: list[int]) -> tuple[int, int]:
    """(row, column) of the control's centre in a 3 × 3 grid over the screen."""
    width, height = max(1, screen[0]), max(1, screen[1])
    x = (bounds[0] + bounds[2]) / 2
    y = (bounds[1] + bounds[3]) / 2
    return min(2, max(0, int(3 * y / height))), min(2, max(0, int(3 * x / width)))


def close_words(facts: dict[str, Any], lang: str) -> str:
    """Where the found close control is and how large, in words (or that none was found)."""
    close = facts.get("close")
    if not isinstance(close, dict):
        return "no close control found" if lang == "en" else "未找到关闭控件"
    left, top, right, bottom = (int(v) for v in close["bounds"])
    where = _pick(REGIONS[region([left, top, right, bottom], list(facts.get("screen") or [1, 1]))], lang)
    label = str(close.get("label") or "")
    width, height, side = right - left, bottom - top, close.get("min_side_dp")
    if lang == "en":
        named = f" '{label}'" if label else ""
        return (
            f"close control{named} at the {where} of the screen, {width}×{height} px (short side {side} dp), "
            f"top-left corner at ({left}, {top})"
        )
    named = f"「{label}」" if label else ""
    return f"关闭控件{named}位于屏幕{where}，{width}×{height} 像素（短边 {side} dp），左上角坐标 ({left}, {top})"


def alt_text(picture: UiPicture, lang: str) -> str:
    """The image's alt text: what the screen is, its verdict, and the close control in words."""
    kind = _pick(KINDS.get(str(picture.facts.get("kind")), (picture.window, picture.window)), lang)
    verdict = verdict_words(picture.verdict, lang)
    where = close_words(picture.facts, lang)
    if lang == "en":
        return f"{kind} screenshot, verdict: {verdict}; {where}"
    return f"{kind}截图，判定：{verdict}；{where}"


@dataclass(slots=True)
class Screen:
    """One judged screen as the app page shows it."""

    picture: UiPicture
    url: str
    alt: str
    verdict: str
    close: str
    results: list[Result] = field(default_factory=list)


@dataclass(slots=True)
class Screens:
    """The latest run's judged screens of one app that the reader may see."""

    run_id: str | None = None
    items: list[Screen] = field(default_factory=list)


def screen_url(package: str, picture_id: int) -> str:
    return f"/apps/{package}/screens/{picture_id}.png"


def latest_screens(scope: Scope, package: str, lang: str) -> Screens:
    """The judged screens of the newest run holding a visible picture of app `package`, with their T4 results."""
    if scope.role is Role.PUBLIC:
        return Screens()
    visible = [p for p in pictures_of(scope.session, "app", package, limit=MAX_ROWS) if scope.sees_subject(p.subject)]
    if not visible:
        return Screens()
    run_id = visible[0].run_id
    by_subject: dict[str, list[Result]] = {}
    items = []
    for picture in (p for p in visible if p.run_id == run_id):
        key = picture.subject.key
        if key not in by_subject:
            by_subject[key] = results_for_subject(scope.session, run_id, key, PICTURE_TASKS)
        mine = [
            r
            for r in by_subject[key]
            if r.data.get("window") == picture.window and r.data.get("bundle") == picture.bundle
        ]
        items.append(
            Screen(
                picture=picture,
                url=screen_url(package, picture.id),
                alt=alt_text(picture, lang),
                verdict=verdict_words(picture.verdict, lang),
                close=close_words(picture.facts, lang),
                results=mine,
            )
        )
    return Screens(run_id=run_id, items=items)


def visible_picture(scope: Scope, package: str, picture_id: int) -> UiPicture | None:
    """The picture if it exists, belongs to app `package` and the reader may see its subject; else None."""
    if scope.role is Role.PUBLIC:
        return None
    picture = get_picture(scope.session, picture_id)
    if picture is None or picture.subject.type != "app" or picture.subject.id != package:
        return None
    return picture if scope.sees_subject(picture.subject) else None
