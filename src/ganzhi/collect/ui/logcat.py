"""Activity changes read from the logcat a capture records, placed on the bundle's clock.

Why: frames are grabbed every few hundred milliseconds, so the foreground seen in a frame says only that
an activity changed somewhere between two grabs; whether a tap on a close control jumped to a landing
page, and how soon, needs the change's own time. The system logs it: `wm_resume_activity` /
`am_resume_activity` in the events buffer and `Displayed pkg/.Activity` in the main buffer both name the
component. Device time (`logcat -v epoch`) is tied to the bundle's clock by a marker line the capture
writes with `log` at a known bundle time, so no device/host clock offset is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKER_TAG = "ganzhi"
MARKER_TEXT = "ganzhi-capture-start"
_LINE = re.compile(
    r"^\s*(?P<sec>\d{9,11})\.(?P<frac>\d{1,9})\s+(?:\d+\s+\d+\s+)?[VDIWEFS]\s+(?P<tag>[^:\s][^:]*?)\s*:\s?(?P<msg>.*)$"
)
_RESUME_TAGS = frozenset({"wm_resume_activity", "am_resume_activity"})
_ON_RESUME_TAGS = frozenset({"wm_on_resume_called", "am_on_resume_called"})
_COMPONENT = re.compile(r"([A-Za-z][\w.]*)/([\w.$]+)")
_DISPLAYED = re.compile(r"^Displayed\s+([A-Za-z][\w.]*/[\w.$]+)")


@dataclass(frozen=True, slots=True)
class LoggedActivity:
    """An activity that came to the foreground, at a bundle time in ms."""

    t_ms: int
    package: str
    activity: str


def expand_component(package: str, activity: str) -> tuple[str, str]:
    """(package, full class name) of a component `package/activity`, where `.Act` is short for `package.Act`."""
    return package, package + activity if activity.startswith(".") else activity


def _component(text: str) -> tuple[str, str] | None:
    match = _COMPONENT.search(text)
    return None if match is None else expand_component(match.group(1), match.group(2))


def _epoch_ms(sec: str, frac: str) -> int:
    return int(sec) * 1000 + int((frac + "000")[:3])


def _activity(tag: str, message: str, app_package: str) -> tuple[str, str] | None:
    """(package, activity) a line reports as resumed or displayed, else None."""
    if tag in _RESUME_TAGS:
        return _component(message.rsplit(",", 1)[-1])
    if tag in {"ActivityTaskManager", "ActivityManager"}:
        displayed = _DISPLAYED.match(message)
        return _component(displayed.group(1)) if displayed else None
    if tag in _ON_RESUME_TAGS:  # logged by the app's own process: the class name only, no package
        fields = message.strip("[] ").split(",")
        name = fields[1].strip() if len(fields) > 1 else ""
        return (app_package, name) if name.startswith(app_package + ".") else None
    return None


def logged_activities(text: str, marker_t_ms: int, app_package: str, *, limit: int) -> list[LoggedActivity] | None:
    """Foreground changes after the marker, on the bundle clock (the marker was written at `marker_t_ms`).

    None when the marker is not in the log (then device times cannot be placed); repeats of the same
    activity in a row (resume, then displayed) are kept once; at most `limit` changes.
    """
    origin: int | None = None
    found: list[LoggedActivity] = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if match is None:
            continue
        tag, message = match.group("tag").strip(), match.group("msg").strip()
        at = _epoch_ms(match.group("sec"), match.group("frac"))
        if origin is None:
            if tag == MARKER_TAG and message == MARKER_TEXT:
                origin = at
            continue
        seen = _activity(tag, message, app_package)
        if seen is None or at < origin:
            continue
        if found and (found[-1].package, found[-1].activity) == seen:
            continue
        found.append(LoggedActivity(marker_t_ms + at - origin, *seen))
        if len(found) >= limit:
            break
    return found if origin is not None else None
