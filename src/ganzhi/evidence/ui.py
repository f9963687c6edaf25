"""`ui_episode` evidence: what a UI capture bundle showed, measured, with no verdict yet.

The analyser (`ganzhi.collect.ui.analyze`) reads the bundle's trees and screenshots once and writes these facts;
the T4 and T3 checks judge them against catalog params. Times are milliseconds from the bundle's start.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

Bounds = tuple[int, int, int, int]


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


#: The largest screen side and density a capture may state (the same bounds as the bundle's `Device`).
MAX_SCREEN_PX = 20_000
MAX_DENSITY_DPI = 2_000


class UiDevice(_Facts):
    """Device facts captured with the bundle; density is required (px = dp × dpi / 160).

    Sizes must be positive and plausible: a snapshot's `screenWidth: -1` (size unknown) never reaches
    evidence, the importers read the size from the screenshot or refuse the input with an `InputError`.
    """

    model: str = ""
    android_version: str = ""
    screen_width_px: int = Field(gt=0, le=MAX_SCREEN_PX)
    screen_height_px: int = Field(gt=0, le=MAX_SCREEN_PX)
    density_dpi: int = Field(gt=0, le=MAX_DENSITY_DPI)


class CloseControl(_Facts):
    """A close/skip control as first seen in an ad window, measured on the screen."""

    bounds: Bounds
    source: str
    score: float
    label: str = ""
    first_seen_ms: int = Field(description="after the ad window started")
    min_side_dp: int
    area_share: float
    contrast_ratio: float | None = None
    in_safe_area: bool | None = None
    overlapped: bool = False
    enabled: bool = True
    exposed: bool = Field(default=True, description="a view-tree node carries it (not only seen in pixels)")
    tree_known: bool = Field(default=True, description="a view tree was captured (False: screenshot only)")
    safe_area_basis: str = Field(default="", description="where the bar heights came from when not captured")
    countdown_label: bool = Field(default=False, description="its label carries a countdown (跳过 5s, Skip in 5)")


class TapFacts(_Facts):
    """A tap inside an ad window and what followed it."""

    t_ms: int
    x: int
    y: int
    on_close: bool
    countdown_visible: bool = False
    ad_gone_after_ms: int | None = None
    jump_after_ms: int | None = None
    jump_target: str | None = None


class AdWindow(_Facts):
    """One splash or pop-up ad display (consecutive frames of the ad layer)."""

    kind: Literal["splash", "popup"]
    start_ms: int
    end_ms: int
    activity: str = ""
    frames: int
    close: CloseControl | None = None
    ad_label: bool = False
    countdown: bool = False
    max_jump_share: float = 0.0
    jump_texts: list[str] = Field(default_factory=list)
    taps: list[TapFacts] = Field(default_factory=list)
    reappeared_after_close: bool = False
    screenshot_only: bool = Field(default=False, description="recognised from pixels alone, no view tree")
    recognised_kind: str = Field(default="", description="splash, interstitial or popup, as the recogniser saw it")
    recognition_score: float | None = Field(default=None, description="the pop-up model's probability")
    cues: list[str] = Field(default_factory=list, description="the cues the window was recognised from")
    first_frame: int | None = Field(default=None, description="index of the window's first frame in the bundle")


class NoticeFacts(_Facts):
    """App text seen around a permission dialog that may explain it."""

    offset_ms: int = Field(description="notice frame time minus the dialog's first frame (negative: before)")
    same_screen: bool
    text: str
    classes: list[str] = Field(default_factory=list)
    purpose_cue: bool = False


class PermissionRequestFacts(_Facts):
    """A system runtime-permission dialog shown during the capture."""

    start_ms: int
    end_ms: int
    permission_class: str | None
    android_permission: str | None = None
    dialog_text: str = ""
    notices: list[NoticeFacts] = Field(default_factory=list)


class ShakeFacts(_Facts):
    """A recorded motion and whether a jump followed it."""

    t_ms: int
    acceleration: float = Field(ge=0, description="peak, m/s²")
    rotation_deg: float = Field(ge=0)
    duration_s: float = Field(ge=0)
    jumped: bool
    jump_target: str | None = None


class ListReach(_Facts):
    """Where a navigation capture first showed the entry of one personal-information list (T6/T7 二级菜单)."""

    list_kind: Literal["collected", "shared"]
    found: bool
    entry_text: str = ""
    entry_level: int | None = Field(default=None, description="forward taps from the app's home to the screen")
    frame: int | None = None
    path: list[str] = Field(default_factory=list, description="the labels tapped from home to that screen")
    frames: int = 0
    max_level: int = Field(default=0, description="the deepest level the capture reached")


@evidence_kind("ui_episode")
class UiEpisode(_Facts):
    """Everything one capture bundle showed about splash/pop-up ads, permission dialogs and shakes."""

    bundle: str
    format_version: int
    scenario: str
    package: str
    device: UiDevice
    frames: int
    ad_windows: list[AdWindow] = Field(default_factory=list)
    permission_requests: list[PermissionRequestFacts] = Field(default_factory=list)
    shakes: list[ShakeFacts] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list, description="frames that could not be read, by name")
    unrecognised: list[str] = Field(
        default_factory=list, description="frames not recognised as an ad, with the cues that were missing"
    )
    list_reach: list[ListReach] = Field(
        default_factory=list, description="navigation captures: where the T6/T7 list entries were found"
    )
