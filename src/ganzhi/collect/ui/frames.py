"""One frame of a bundle, read and classified: which layer is on screen and what it shows.

Layers: `ad` (splash or pop-up ad), `permission` (the system permission dialog), `app`, `other`.
Bad files do not stop the analysis: the frame keeps what could be read and names the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ganzhi.collect.ui.bundle import Bundle, Frame
from ganzhi.collect.ui.detect import Candidate, Detector, detect_close
from ganzhi.collect.ui.hierarchy import MAX_HIERARCHY_BYTES, Hierarchy, HierarchyError, Node, parse_hierarchy
from ganzhi.collect.ui.image import MAX_IMAGE_BYTES, RGB, ImageError, load_rgb
from ganzhi.collect.ui.lexicon import has_countdown
from ganzhi.collect.ui.permissions import PERMISSION_ACTIVITY, PERMISSION_IDS, PERMISSION_PACKAGES
from ganzhi.collect.ui.recognise import AD_MARK, Observation, Recognition
from ganzhi.errors import InputError

AD_ACTIVITY = re.compile(
    r"Splash|Advert|ADActivity|AdActivity|PortraitAD|LandscapeAD|Stub_Standard|openadsdk|ksad|hiad|gdt", re.IGNORECASE
)
AD_ID = re.compile(r"splash|ad_container|adcontainer|ksad|tt_splash|hiad|gdt_|ad_view|adview", re.IGNORECASE)
AD_LABEL = re.compile(r"^\s*(广告|廣告|Ad|AD|Ads|Sponsored|赞助)\s*$")
COUNTDOWN = re.compile(r"(\d+\s*(s|秒|S))|(^\s*\d{1,2}\s*$)|倒计时")
JUMP_TEXT = re.compile(
    r"点击跳转|跳转(详情|第三方应用)|查看详情|了解更多|立即下载|点击或上滑|上滑|扭动|扭一扭|摇一摇|摇动手机|转动手机"
)


@dataclass(slots=True)
class FrameView:
    """What the analyser knows about one frame."""

    t_ms: int
    package: str
    activity: str
    layer: str = "other"
    hierarchy: Hierarchy | None = None
    rgb: RGB | None = None
    candidates: list[Candidate] = field(default_factory=list)
    ad_label: bool = False
    countdown: bool = False
    problems: list[str] = field(default_factory=list)
    recognition: Recognition | None = None

    def texts(self, package: str | None = None) -> list[str]:
        """Texts and descriptions of the frame, only of `package` when given."""
        if self.hierarchy is None:
            return []
        found: list[str] = []
        for node in self.hierarchy.nodes:
            if package is not None and node.package != package:
                continue
            found.extend(value.strip() for value in (node.text, node.desc) if value.strip())
        return found


def _read_hierarchy(bundle: Bundle, frame: Frame, view: FrameView) -> None:
    if frame.hierarchy is None:
        return
    try:
        data = bundle.read(frame.hierarchy, limit=MAX_HIERARCHY_BYTES)
        view.hierarchy = parse_hierarchy(data, frame.hierarchy_format)
    except (InputError, HierarchyError) as exc:
        view.problems.append(f"{bundle.name}/{frame.hierarchy} (t_ms {frame.t_ms}): {exc}")


def _read_screenshot(bundle: Bundle, frame: Frame, view: FrameView) -> None:
    if frame.screenshot is None:
        return
    try:
        view.rgb = load_rgb(bundle.read(frame.screenshot, limit=MAX_IMAGE_BYTES))
    except (InputError, ImageError) as exc:
        view.problems.append(f"{bundle.name}/{frame.screenshot} (t_ms {frame.t_ms}): {exc}")


def _is_permission(view: FrameView) -> bool:
    if view.package in PERMISSION_PACKAGES or PERMISSION_ACTIVITY.search(view.activity or ""):
        return True
    if view.hierarchy is None:
        return False
    return any(n.package in PERMISSION_PACKAGES or n.vid in PERMISSION_IDS for n in view.hierarchy.nodes)


def _ad_cues(nodes: tuple[Node, ...]) -> tuple[bool, bool, bool]:
    label = any(AD_LABEL.match(n.text) or AD_LABEL.match(n.desc) for n in nodes if n.visible)
    countdown = any(COUNTDOWN.search(n.text) for n in nodes if n.visible and len(n.text) <= 12)
    ids = any(AD_ID.search(n.vid) for n in nodes if n.vid)
    return label, countdown, ids


def read_frame(bundle: Bundle, frame: Frame, detector: Detector, foreground: tuple[str, str]) -> FrameView:
    """Read, detect and classify one frame; `foreground` is the last known (package, activity)."""
    package, activity = foreground
    if frame.foreground is not None:
        package = frame.foreground.package or package
        activity = frame.foreground.activity or activity
    view = FrameView(t_ms=frame.t_ms, package=package, activity=activity)
    _read_hierarchy(bundle, frame, view)
    _read_screenshot(bundle, frame, view)
    if view.hierarchy is not None:
        if frame.foreground is None and view.hierarchy.package:
            view.package = view.hierarchy.package
        if view.hierarchy.activity:
            view.activity = view.hierarchy.activity
    if _is_permission(view):
        view.layer = "permission"
        return view
    observation = detector.observe(view.rgb) if view.rgb is not None else None
    if view.hierarchy is not None or view.rgb is not None:
        view.candidates = detect_close(detector, rgb=view.rgb, hierarchy=view.hierarchy, observation=observation)
    if detector.recogniser is not None and (observation is not None or view.hierarchy is not None):
        view.recognition = detector.recogniser.recognise(
            observation, detector.lexicon, hierarchy=view.hierarchy, activity=view.activity
        )
    if view.hierarchy is not None:
        cue_label, cue_countdown, cue_ids = _ad_cues(view.hierarchy.nodes)
    else:  # a bare screenshot has no node texts: OCR lines and the recogniser's cues stand in for them
        cue_label, cue_ids = False, False
        cue_countdown = any(c.source == "ocr" and has_countdown(c.label) for c in view.candidates)
        if observation is not None:
            cue_label = _pixel_ad_label(observation)
            cue_countdown = cue_countdown or any(
                has_countdown(line.text) and SKIP_WORD.search(line.text) for line in observation.lines
            )
    view.ad_label, view.countdown = cue_label, cue_countdown
    ad_activity = AD_ACTIVITY.search(view.activity.rsplit(".", 1)[-1] if view.activity else "") is not None
    has_close = any(c.source != "template" or view.hierarchy is None for c in view.candidates)
    recognised = view.recognition is not None and view.recognition.is_ad
    screenshot_only = view.hierarchy is None and view.rgb is not None
    if ad_activity or (has_close and (cue_label or cue_countdown or cue_ids)) or (recognised and screenshot_only):
        view.layer = "ad"
    elif view.package == bundle.manifest.app.package:
        view.layer = "app"
    return view


SKIP_WORD = re.compile(r"skip|跳过|跳過|关闭|close", re.IGNORECASE)


def _pixel_ad_label(observation: Observation) -> bool:
    """An 广告 / Ad / Sponsored label read off the screen, or an AdChoices mark."""
    from ganzhi.collect.ui.recognise import PRESENT_AT

    if observation.adchoices >= PRESENT_AT["adchoices"]:
        return True
    return any(AD_MARK.match(line.text.strip()) or "广告" in line.text for line in observation.lines)
