"""Turn a capture bundle into `ui_episode` evidence: ad windows, taps and their outcome, permission
requests with the notices around them, and shakes. Measurements only; thresholds live in the checks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from ganzhi.collect.ui.bundle import ActivityChange, Bundle, PermissionShown, Shake, Tap, load_bundle
from ganzhi.collect.ui.contrast import swatch
from ganzhi.collect.ui.detect import Candidate, Detector
from ganzhi.collect.ui.frames import JUMP_TEXT, FrameView, read_frame
from ganzhi.collect.ui.lexicon import has_countdown
from ganzhi.collect.ui.navigation import list_reach
from ganzhi.collect.ui.permissions import PERMISSION_PACKAGES, class_of_permission, classes_named, has_purpose
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.ui import (
    AdWindow,
    CloseControl,
    NoticeFacts,
    PermissionRequestFacts,
    ShakeFacts,
    TapFacts,
    UiDevice,
    UiEpisode,
)

#: Splash ads are those within the first 10 s of a cold start (GKD's splash `matchTime` 10000).
SPLASH_WINDOW_MS = 10_000
#: After a tap or shake, a jump is looked for this long (or until the next tap).
OBSERVE_MS = 5_000
LANDING_ACTIVITY = re.compile(r"webview|landing|browser|AdActivity|AdWeb|H5", re.IGNORECASE)
MAX_NOTICES = 10
#: Android's status bar (24 dp) and 3-button navigation bar (48 dp): the safe area of a screenshot whose
#: capture did not record the bars (configurable defaults, stated as the basis in the evidence).
ASSUMED_STATUS_BAR_DP = 24
ASSUMED_NAV_BAR_DP = 48
MAX_UNRECOGNISED = 20


def _dp(px: int, dpi: int) -> int:
    return round(px * 160 / dpi)  # ATF rounds the same way


def _overlapped(view: FrameView, node_index: int | None) -> bool:
    """Another clickable drawn later (not an ancestor or descendant) covers at least half the control."""
    if view.hierarchy is None or node_index is None:
        return False
    tree = view.hierarchy
    target = tree.nodes[node_index]
    ancestors = {n.index for n in tree.ancestors(node_index)}
    for node in tree.nodes[node_index + 1 :]:
        if not node.clickable or not node.visible or target.index in {a.index for a in tree.ancestors(node.index)}:
            continue
        if node.index in ancestors:
            continue
        left, top = max(node.bounds[0], target.bounds[0]), max(node.bounds[1], target.bounds[1])
        right, bottom = min(node.bounds[2], target.bounds[2]), min(node.bounds[3], target.bounds[3])
        if right > left and bottom > top and (right - left) * (bottom - top) * 2 >= max(1, target.area):
            return True
    return False


def _control(bundle: Bundle, view: FrameView, candidate: Candidate, start_ms: int) -> CloseControl:
    device = bundle.manifest.device
    left, top, right, bottom = candidate.bounds
    width, height = max(0, right - left), max(0, bottom - top)
    measured = swatch(view.rgb, candidate.bounds) if view.rgb is not None else None
    node = view.hierarchy.nodes[candidate.node_index] if view.hierarchy and candidate.node_index is not None else None
    status_bar, nav_bar = device.status_bar_px, device.nav_bar_px
    safe = None
    basis = ""
    if (status_bar is None or nav_bar is None) and view.hierarchy is None:
        status_bar = round(ASSUMED_STATUS_BAR_DP * device.density_dpi / 160)
        nav_bar = round(ASSUMED_NAV_BAR_DP * device.density_dpi / 160)
        basis = f"assumed {ASSUMED_STATUS_BAR_DP} dp status bar, {ASSUMED_NAV_BAR_DP} dp navigation bar"
    if status_bar is not None and nav_bar is not None:
        safe = top >= status_bar and bottom <= device.screen_height_px - nav_bar
    return CloseControl(
        bounds=candidate.bounds,
        source=candidate.source,
        score=round(candidate.score, 4),
        label=candidate.label,
        first_seen_ms=view.t_ms - start_ms,
        min_side_dp=_dp(min(width, height), device.density_dpi),
        area_share=round(width * height / (device.screen_width_px * device.screen_height_px), 5),
        contrast_ratio=measured.ratio if measured is not None else None,
        in_safe_area=safe,
        overlapped=_overlapped(view, candidate.node_index),
        enabled=node.enabled if node is not None else True,
        exposed=candidate.node_index is not None,
        tree_known=view.hierarchy is not None,
        safe_area_basis=basis,
        countdown_label=has_countdown(candidate.label) if candidate.source == "ocr" else False,
    )


def _jump_share(bundle: Bundle, view: FrameView) -> tuple[float, list[str]]:
    if view.hierarchy is None:
        return 0.0, []
    device = bundle.manifest.device
    screen = device.screen_width_px * device.screen_height_px
    close_nodes = {c.node_index for c in view.candidates if c.node_index is not None}
    best = 0.0
    for node in view.hierarchy.nodes:
        if node.clickable and node.visible and node.index not in close_nodes:
            best = max(best, node.area / screen)
    texts = sorted({t for t in view.texts() if JUMP_TEXT.search(t)})
    return round(min(best, 1.0), 4), texts


def _runs(views: Sequence[FrameView], layer: str) -> list[list[int]]:
    runs: list[list[int]] = []
    for position, view in enumerate(views):
        if view.layer != layer:
            continue
        if runs and runs[-1][-1] == position - 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    return runs


class _Timeline:
    """Foreground changes from frames and activity events, to tell where a tap or shake led."""

    def __init__(self, bundle: Bundle, views: Sequence[FrameView]) -> None:
        self.app = bundle.manifest.app.package
        points = [(v.t_ms, v.package, v.activity) for v in views]
        points += [(e.t_ms, e.package, e.activity) for e in bundle.manifest.events if isinstance(e, ActivityChange)]
        self.points = sorted(points, key=lambda p: p[0])

    def jump_after(self, t_ms: int, until_ms: int) -> tuple[int, str] | None:
        for when, package, activity in self.points:
            if t_ms < when <= until_ms and package and package not in PERMISSION_PACKAGES:
                if package != self.app:
                    return when - t_ms, package
                if LANDING_ACTIVITY.search(activity.rsplit(".", 1)[-1]):
                    return when - t_ms, f"{package}/{activity}"
        return None


def _taps(bundle: Bundle, views: Sequence[FrameView], run: list[int], timeline: _Timeline) -> list[TapFacts]:
    start = views[run[0]].t_ms
    after_end = views[run[-1] + 1].t_ms if run[-1] + 1 < len(views) else views[run[-1]].t_ms + OBSERVE_MS
    taps = [e for e in bundle.manifest.events if isinstance(e, Tap) and start <= e.t_ms < after_end]
    found = []
    for position, tap in enumerate(taps):
        shown = [views[i] for i in run if views[i].t_ms <= tap.t_ms] or [views[run[0]]]
        latest = shown[-1]
        on_close = any(
            c.bounds[0] <= tap.x <= c.bounds[2] and c.bounds[1] <= tap.y <= c.bounds[3] for c in latest.candidates
        )
        has_next = position + 1 < len(taps)
        next_tap = taps[position + 1].t_ms if has_next else tap.t_ms + OBSERVE_MS
        # The ad counts as gone after this tap only if it went before the next tap was needed.
        gone = next((v.t_ms - tap.t_ms for v in views if v.t_ms > tap.t_ms and v.layer != "ad"), None)
        if gone is not None and has_next and tap.t_ms + gone > next_tap:
            gone = None
        jump = timeline.jump_after(tap.t_ms, max(next_tap, tap.t_ms + 1))
        found.append(
            TapFacts(
                t_ms=tap.t_ms,
                x=tap.x,
                y=tap.y,
                on_close=on_close,
                countdown_visible=latest.countdown,
                ad_gone_after_ms=gone,
                jump_after_ms=jump[0] if jump else None,
                jump_target=jump[1] if jump else None,
            )
        )
    return found


def _ad_windows(bundle: Bundle, views: Sequence[FrameView], timeline: _Timeline) -> list[AdWindow]:
    windows = []
    cold = bundle.manifest.scenario == "cold-start"
    for run in _runs(views, "ad"):
        frames = [views[i] for i in run]
        start = frames[0].t_ms
        first = next((v for v in frames if v.candidates), None)
        close = _control(bundle, first, first.candidates[0], start) if first is not None else None
        shares = [_jump_share(bundle, v) for v in frames]
        recognised = [v.recognition for v in frames if v.recognition is not None and v.recognition.is_ad]
        windows.append(
            AdWindow(
                kind="splash" if cold and start <= SPLASH_WINDOW_MS else "popup",
                start_ms=start,
                end_ms=frames[-1].t_ms,
                activity=frames[0].activity,
                frames=len(frames),
                close=close,
                ad_label=any(v.ad_label for v in frames),
                countdown=any(v.countdown for v in frames),
                max_jump_share=max((s for s, _ in shares), default=0.0),
                jump_texts=sorted({t for _, texts in shares for t in texts}),
                taps=_taps(bundle, views, run, timeline),
                screenshot_only=all(v.hierarchy is None for v in frames),
                recognised_kind=recognised[0].kind if recognised else "",
                recognition_score=round(max(r.probability for r in recognised), 4) if recognised else None,
                cues=sorted({c for r in recognised for c in r.present}),
                first_frame=run[0],
            )
        )
    for position, window in enumerate(windows):
        closed = any(t.on_close and t.ad_gone_after_ms is not None for t in window.taps)
        again = any(w.activity == window.activity for w in windows[position + 1 :])
        if closed and again:
            windows[position] = window.model_copy(update={"reappeared_after_close": True})
    return windows


def _notices(view: FrameView, package: str, offset: int, same_screen: bool) -> list[NoticeFacts]:
    found = []
    for text in view.texts(package):
        classes = classes_named(text)
        purpose = has_purpose(text)
        if classes or purpose:
            found.append(
                NoticeFacts(
                    offset_ms=offset, same_screen=same_screen, text=text[:300], classes=classes, purpose_cue=purpose
                )
            )
    return found


def _permission_requests(bundle: Bundle, views: Sequence[FrameView]) -> list[PermissionRequestFacts]:
    app = bundle.manifest.app.package
    shown = [e for e in bundle.manifest.events if isinstance(e, PermissionShown)]
    requests = []
    for run in _runs(views, "permission"):
        frames = [views[i] for i in run]
        start = frames[0].t_ms
        dialog_text = " ".join(t for v in frames[:1] for p in PERMISSION_PACKAGES for t in v.texts(p))[:500]
        if not dialog_text:
            dialog_text = " ".join(frames[0].texts())[:500]
        event = next((e for e in reversed(shown) if e.t_ms <= start + 1000), None)
        named = classes_named(dialog_text)
        permission_class = named[0] if named else class_of_permission(event.permission if event else None)
        notices: list[NoticeFacts] = []
        for view in frames:
            notices.extend(_notices(view, app, view.t_ms - start, same_screen=True))
        if run[0] > 0 and views[run[0] - 1].layer in {"app", "ad"}:
            before = views[run[0] - 1]
            notices.extend(_notices(before, app, before.t_ms - start, same_screen=False))
        requests.append(
            PermissionRequestFacts(
                start_ms=start,
                end_ms=frames[-1].t_ms,
                permission_class=permission_class,
                android_permission=event.permission if event else None,
                dialog_text=dialog_text,
                notices=notices[:MAX_NOTICES],
            )
        )
    return requests


def _shakes(bundle: Bundle, timeline: _Timeline) -> list[ShakeFacts]:
    found = []
    for event in bundle.manifest.events:
        if not isinstance(event, Shake):
            continue
        jump = timeline.jump_after(event.t_ms, event.t_ms + event.duration_ms + OBSERVE_MS)
        found.append(
            ShakeFacts(
                t_ms=event.t_ms,
                acceleration=event.acceleration,
                rotation_deg=event.rotation_deg,
                duration_s=event.duration_ms / 1000,
                jumped=jump is not None,
                jump_target=jump[1] if jump else None,
            )
        )
    return found


def analyse_bundle(bundle: Bundle, detector: Detector, on_frame: Callable[[], None] | None = None) -> UiEpisode:
    """Read every frame once and measure what the checks need."""
    manifest = bundle.manifest
    views: list[FrameView] = []
    foreground = (manifest.app.package, "")
    for frame in manifest.frames:
        view = read_frame(bundle, frame, detector, foreground)
        foreground = (view.package, view.activity)
        views.append(view)
        if on_frame is not None:
            on_frame()
    timeline = _Timeline(bundle, views)
    device = manifest.device
    return UiEpisode(
        bundle=bundle.name,
        format_version=manifest.version,
        scenario=manifest.scenario,
        package=manifest.app.package,
        device=UiDevice(
            model=device.model,
            android_version=device.android_version,
            screen_width_px=device.screen_width_px,
            screen_height_px=device.screen_height_px,
            density_dpi=device.density_dpi,
        ),
        frames=len(views),
        ad_windows=_ad_windows(bundle, views, timeline),
        permission_requests=_permission_requests(bundle, views),
        shakes=_shakes(bundle, timeline),
        problems=[p for v in views for p in v.problems],
        unrecognised=_unrecognised(views),
        list_reach=list_reach(bundle, views),
    )


def _unrecognised(views: Sequence[FrameView]) -> list[str]:
    """Screenshot frames the recogniser did not take for an ad, each with the cues that were missing."""
    found = []
    for position, view in enumerate(views):
        if view.layer == "ad" or view.recognition is None or view.recognition.is_ad:
            continue
        found.append(f"frame {position} (t_ms {view.t_ms}): {view.recognition.reason('zh')}")
    return found[:MAX_UNRECOGNISED]


def bundle_evidence(path: Path, detector: Detector, on_frame: Callable[[], None] | None = None) -> Evidence:
    """The `ui_episode` evidence of the bundle at `path` (InputError when the bundle itself is unusable)."""
    bundle = load_bundle(path)
    episode = analyse_bundle(bundle, detector, on_frame)
    app = bundle.manifest.app
    subject = Subject(type="app", id=app.package, version=app.version_name)
    return Evidence.of(episode, subject, source=f"ui-bundle:{path}", collected_at=dt.datetime.now(dt.UTC))
