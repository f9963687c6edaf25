"""Record a capture bundle from an Android device with adb: device facts, then frames (uiautomator dump,
screencap, foreground activity from dumpsys) during a cold start or a permission flow, and the logcat.

In the cold-start scenario, when a frame shows a close/skip control, it is tapped once (`input tap`) and
the capture goes on, so the bundle carries the dynamic evidence the "effective close" check needs.
Every adb call has a timeout; a failing call names the command and its error output.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ganzhi.collect.ui.bundle import (
    MAX_EVENTS,
    ActivityChange,
    App,
    Device,
    Foreground,
    Frame,
    Manifest,
    PermissionShown,
    Tap,
    write_manifest,
)
from ganzhi.collect.ui.bundle import Event as BundleEvent
from ganzhi.collect.ui.detect import Detector, detect_close
from ganzhi.collect.ui.hierarchy import HierarchyError, parse_uiautomator
from ganzhi.collect.ui.image import MAX_IMAGE_BYTES, ImageError, load_rgb
from ganzhi.collect.ui.logcat import MARKER_TAG, MARKER_TEXT, expand_component, logged_activities
from ganzhi.collect.ui.permissions import PERMISSION_ACTIVITY, PERMISSION_PACKAGES
from ganzhi.errors import InputError

SCENARIOS = ("cold-start", "permissions")
ADB_TIMEOUT_S = 30.0
MAX_OUTPUT_BYTES = MAX_IMAGE_BYTES
MAX_LOGCAT_BYTES = 8 * 1024 * 1024  # the tail of a long log is not needed: a capture lasts seconds
_SIZE = re.compile(r"(Physical|Override) size:\s*(\d+)x(\d+)")
_DENSITY = re.compile(r"(Physical|Override) density:\s*(\d+)")
_RESUMED = re.compile(
    r"(?:mResumedActivity|topResumedActivity|ResumedActivity)[:=]\s*ActivityRecord\{\S+ \S+ ([\w.]+)/([\w.$]+)"
)


class CaptureError(InputError):
    """adb could not do what the capture needs."""


@dataclass
class Adb:
    """A thin adb client for one device."""

    serial: str
    executable: str = "adb"
    timeout_s: float = ADB_TIMEOUT_S

    def run(self, *args: str) -> bytes:
        command = [self.executable, "-s", self.serial, *args]
        try:
            done = subprocess.run(command, capture_output=True, timeout=self.timeout_s, check=False)
        except FileNotFoundError:
            raise CaptureError(self.executable, "adb not found on PATH") from None
        except subprocess.TimeoutExpired:
            raise CaptureError(" ".join(command), f"no answer within {self.timeout_s:g} s") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()[:300]
            raise CaptureError(" ".join(command), f"exit code {done.returncode}: {message}")
        if len(done.stdout) > MAX_OUTPUT_BYTES:
            raise CaptureError(" ".join(command), f"output of {len(done.stdout)} bytes is above {MAX_OUTPUT_BYTES}")
        return done.stdout

    def text(self, *args: str) -> str:
        return self.run(*args).decode("utf-8", "replace")


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The Override line when present, else the Physical one."""
    found = list(pattern.finditer(text))
    override = [m for m in found if m.group(1) == "Override"]
    chosen = override or found
    return chosen[-1] if chosen else None


def device_facts(adb: Adb) -> Device:
    """Screen size and density (`wm size`, `wm density`), model and Android version."""
    size = _last(_SIZE, adb.text("shell", "wm", "size"))
    if size is None:
        raise CaptureError(f"adb -s {adb.serial} shell wm size", "no screen size in the answer")
    density = _last(_DENSITY, adb.text("shell", "wm", "density"))
    if density is None:
        raise CaptureError(f"adb -s {adb.serial} shell wm density", "no density in the answer; refusing to guess")
    return Device(
        model=adb.text("shell", "getprop", "ro.product.model").strip(),
        android_version=adb.text("shell", "getprop", "ro.build.version.release").strip(),
        screen_width_px=int(size.group(2)),
        screen_height_px=int(size.group(3)),
        density_dpi=int(density.group(2)),
    )


def foreground(adb: Adb) -> tuple[str, str]:
    """(package, activity) resumed now, from `dumpsys activity activities`."""
    match = _RESUMED.search(adb.text("shell", "dumpsys", "activity", "activities"))
    if match is None:
        return "", ""
    return expand_component(match.group(1), match.group(2))


@dataclass
class CaptureRun:
    """State of one capture: frames and events so far."""

    out: Path
    started: float
    frames: list[Frame] = field(default_factory=list)
    events: list[BundleEvent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def now_ms(self, clock: Callable[[], float]) -> int:
        return max(0, round((clock() - self.started) * 1000))


def _grab(adb: Adb, run: CaptureRun, clock: Callable[[], float]) -> tuple[bytes | None, bytes | None, tuple[str, str]]:
    t_ms = run.now_ms(clock)
    position = len(run.frames)
    xml: bytes | None = None
    png: bytes | None = None
    try:
        adb.run("shell", "uiautomator", "dump", "/sdcard/window_dump.xml")
        xml = adb.run("exec-out", "cat", "/sdcard/window_dump.xml")
        parse_uiautomator(xml)
    except (CaptureError, HierarchyError) as exc:
        run.problems.append(f"frame {position}: hierarchy: {exc}")
        xml = None
    try:
        png = adb.run("exec-out", "screencap", "-p")
        load_rgb(png)
    except (CaptureError, ImageError) as exc:
        run.problems.append(f"frame {position}: screenshot: {exc}")
        png = None
    fg = foreground(adb)
    if xml is None and png is None:
        return None, None, fg
    names = (f"frames/{position:04d}.xml" if xml else None, f"frames/{position:04d}.png" if png else None)
    if xml is not None and names[0]:
        (run.out / names[0]).write_bytes(xml)
    if png is not None and names[1]:
        (run.out / names[1]).write_bytes(png)
    run.frames.append(
        Frame(t_ms=t_ms, hierarchy=names[0], screenshot=names[1], foreground=Foreground(package=fg[0], activity=fg[1]))
    )
    return xml, png, fg


def _write_marker(adb: Adb, run: CaptureRun, clock: Callable[[], float]) -> int | None:
    """Log the start marker that ties logcat's device times to the bundle clock; its bundle time, or None."""
    at = run.now_ms(clock)
    try:
        adb.run("shell", "log", "-t", MARKER_TAG, MARKER_TEXT)
    except CaptureError as exc:
        run.problems.append(f"logcat marker: {exc}; activity changes come from frames only")
        return None
    return at


def _add_logged_activities(run: CaptureRun, logcat: bytes, marker_ms: int | None, package: str) -> None:
    """Merge the activity changes logcat recorded into the events, in time order."""
    if marker_ms is None:
        return
    room = MAX_EVENTS - len(run.events)
    changes = logged_activities(logcat.decode("utf-8", "replace"), marker_ms, package, limit=max(0, room))
    if changes is None:
        run.problems.append("logcat: capture start marker not found; activity changes come from frames only")
        return
    run.events.extend(
        ActivityChange(type="activity", t_ms=c.t_ms, package=c.package, activity=c.activity) for c in changes
    )
    run.events.sort(key=lambda event: event.t_ms)


def capture_android(
    adb: Adb,
    package: str,
    scenario: str,
    out: Path,
    detector: Detector,
    *,
    frames: int = 12,
    interval_s: float = 0.3,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_frame: Callable[[], None] | None = None,
) -> Path:
    """Record `frames` frames of `scenario` for `package` into the bundle folder `out`."""
    if scenario not in SCENARIOS:
        raise CaptureError("--scenario", f"expected one of {SCENARIOS} (got {scenario!r})")
    device = device_facts(adb)
    (out / "frames").mkdir(parents=True, exist_ok=True)
    adb.run("shell", "am", "force-stop", package)
    if scenario == "permissions":
        adb.run("shell", "pm", "reset-permissions", "-p", package)
    adb.run("logcat", "-c")
    run = CaptureRun(out=out, started=clock())
    marker_ms = _write_marker(adb, run, clock)
    adb.run("shell", "monkey", "-p", package, "-c", "android.intent.category.LAUNCHER", "1")
    tapped = False
    dialog_seen = False
    for _ in range(frames):
        xml, _png, fg = _grab(adb, run, clock)
        if on_frame is not None:
            on_frame()
        is_dialog = fg[0] in PERMISSION_PACKAGES or bool(PERMISSION_ACTIVITY.search(fg[1]))
        if is_dialog and not dialog_seen:
            run.events.append(PermissionShown(type="permission_dialog_shown", t_ms=run.frames[-1].t_ms))
        dialog_seen = is_dialog
        if scenario == "cold-start" and not tapped and xml is not None:
            tapped = _tap_close(adb, run, detector, xml, clock)
        sleep(interval_s)
    logcat = adb.run("logcat", "-d", "-b", "events,main", "-v", "epoch")[:MAX_LOGCAT_BYTES]
    (out / "logcat.txt").write_bytes(logcat)
    _add_logged_activities(run, logcat, marker_ms, package)
    if not run.frames:
        raise CaptureError(str(out), "no frame could be captured: " + "; ".join(run.problems[:5]))
    version = adb.text("shell", "dumpsys", "package", package)
    version_name = re.search(r"versionName=(\S+)", version)
    manifest = Manifest(
        format="ganzhi-ui-bundle",
        version=1,
        scenario=scenario,
        device=device,
        app=App(package=package, version_name=version_name.group(1) if version_name else None),
        frames=run.frames,
        events=run.events,
    )
    write_manifest(out, manifest)
    if run.problems:
        (out / "problems.txt").write_text("\n".join(run.problems) + "\n", encoding="utf-8")
    return out


def _tap_close(adb: Adb, run: CaptureRun, detector: Detector, xml: bytes, clock: Callable[[], float]) -> bool:
    """Tap the best lexicon close candidate once; True when a tap was sent."""
    tree = parse_uiautomator(xml)
    candidates = [c for c in detect_close(detector, rgb=None, hierarchy=tree) if c.source != "template"]
    if not candidates:
        return False
    left, top, right, bottom = candidates[0].bounds
    x, y = (left + right) // 2, (top + bottom) // 2
    run.events.append(Tap(type="tap", t_ms=run.now_ms(clock), x=x, y=y))
    adb.run("shell", "input", "tap", str(x), str(y))
    return True
