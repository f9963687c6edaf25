"""Ready-made forged bundles: a cold-start splash, a pop-up, a permission request, shakes.

Every knob is a measured quantity (close size in dp, contrast ratio, delay, jump share, notice offset),
so tests and check cases can sit on either side of each catalog threshold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ganzhi.collect.ui.bundle import ActivityChange, PermissionShown, Shake, Tap
from ganzhi.collect.ui.bundle import Event as BundleEvent
from ganzhi.forge.ui.bundles import ForgedFrame, Screen, View, grey_for_ratio, write_bundle

PACKAGE = "com.example.app"
SPLASH = f"{PACKAGE}.SplashActivity"
MAIN = f"{PACKAGE}.MainActivity"
WIDTH, HEIGHT, DPI = 1080, 2400, 440
PERMISSION_PACKAGE = "com.android.permissioncontroller"
TapResult = Literal["close", "jump", "nothing"]


def px(dp: float, dpi: int = DPI) -> int:
    """dp → px (px = dp × dpi / 160)."""
    return round(dp * dpi / 160)


def close_button(
    side_dp: float, ratio: float, *, text: str = "跳过", enabled: bool = True, top_dp: float = 40, dpi: int = DPI
) -> View:
    side = px(side_dp, dpi)
    right = WIDTH - px(16)
    top = px(top_dp)
    fill = 200
    ink = grey_for_ratio(fill, ratio)
    return View(
        bounds=(right - side, top, right, top + side),
        cls="android.widget.TextView",
        text=text,
        resource_id=f"{PACKAGE}:id/tt_splash_skip_btn",
        clickable=True,
        enabled=enabled,
        fill=(fill, fill, fill),
        ink=(ink, ink, ink),
        glyph="bar",
    )


def home_screen() -> Screen:
    return Screen(
        [
            View(
                bounds=(0, 0, WIDTH, HEIGHT),
                package=PACKAGE,
                children=[
                    View(
                        bounds=(0, px(24), WIDTH, px(80)),
                        cls="android.widget.TextView",
                        text="首页",
                        fill=(240, 240, 240),
                    ),
                ],
            )
        ]
    )


def splash_screen(*, close: View | None, jump_share: float = 0.2, ad_label: bool = True) -> Screen:
    creative_height = round(HEIGHT * jump_share)
    children = [
        View(
            bounds=(0, 0, WIDTH, creative_height),
            cls="android.widget.ImageView",
            clickable=True,
            resource_id=f"{PACKAGE}:id/splash_creative",
            fill=(90, 140, 200),
        )
    ]
    if ad_label:
        children.append(
            View(
                bounds=(px(16), HEIGHT - px(120), px(56), HEIGHT - px(100)), cls="android.widget.TextView", text="广告"
            )
        )
    if close is not None:
        children.append(close)
    return Screen(
        [View(bounds=(0, 0, WIDTH, HEIGHT), resource_id=f"{PACKAGE}:id/splash_container", children=children)],
        background=(60, 60, 60),
    )


def cold_start(
    root: Path,
    *,
    close_dp: float = 48,
    contrast: float = 4.5,
    close_delay_ms: int = 0,
    with_close: bool = True,
    jump_share: float = 0.2,
    ad_label: bool = True,
    tap: TapResult | None = "close",
    second_tap_closes: bool = False,
    settle_ms: int = 500,
    probe_jump: bool = False,
    enabled: bool = True,
    density_dpi: int = DPI,
) -> Path:
    """A cold start showing a splash ad, then (optionally) tapping its close control."""
    button = close_button(close_dp, contrast, enabled=enabled, dpi=density_dpi) if with_close else None
    frames = []
    if close_delay_ms > 0:
        frames.append(
            ForgedFrame(0, splash_screen(close=None, jump_share=jump_share, ad_label=ad_label), PACKAGE, SPLASH)
        )
    appear = close_delay_ms
    splash = splash_screen(close=button, jump_share=jump_share, ad_label=ad_label)
    frames.append(ForgedFrame(appear, splash, PACKAGE, SPLASH))
    events: list[BundleEvent] = []
    t = appear + 300
    if probe_jump:
        events.append(Tap(type="tap", t_ms=t, x=WIDTH // 2, y=round(HEIGHT * jump_share / 2)))
        events.append(
            ActivityChange(type="activity", t_ms=t + 200, package="com.android.browser", activity=".BrowserActivity")
        )
        frames.append(ForgedFrame(t + 400, home_screen(), "com.android.browser", "com.android.browser.BrowserActivity"))
        return write_bundle(root, frames, events, density_dpi=density_dpi)
    if tap is not None and button is not None:
        left, tp, right, b = button.bounds
        events.append(Tap(type="tap", t_ms=t, x=(left + right) // 2, y=(tp + b) // 2))
        if tap == "jump":
            events.append(
                ActivityChange(type="activity", t_ms=t + 200, package="com.android.vending", activity=".Market")
            )
            frames.append(
                ForgedFrame(
                    t + settle_ms, home_screen(), "com.android.vending", "com.android.vending.AssetBrowserActivity"
                )
            )
        elif tap == "nothing":
            frames.append(ForgedFrame(t + settle_ms, splash, PACKAGE, SPLASH))
            if second_tap_closes:
                events.append(Tap(type="tap", t_ms=t + settle_ms + 100, x=(left + right) // 2, y=(tp + b) // 2))
                frames.append(ForgedFrame(t + 2 * settle_ms + 100, home_screen(), PACKAGE, MAIN))
        else:
            frames.append(ForgedFrame(t + settle_ms, home_screen(), PACKAGE, MAIN))
    return write_bundle(root, frames, events, density_dpi=density_dpi)


def popup_screen() -> Screen:
    dialog = View(
        bounds=(px(40), px(200), WIDTH - px(40), px(600)),
        resource_id=f"{PACKAGE}:id/ad_container",
        fill=(250, 250, 250),
        children=[
            View(
                bounds=(WIDTH - px(96), px(208), WIDTH - px(48), px(256)),
                cls="android.widget.ImageView",
                desc="关闭",
                clickable=True,
                fill=(250, 250, 250),
                ink=(40, 40, 40),
                glyph="x",
            ),
            View(bounds=(px(60), px(540), px(100), px(560)), cls="android.widget.TextView", text="广告"),
        ],
    )
    return Screen([View(bounds=(0, 0, WIDTH, HEIGHT), children=[dialog])], background=(120, 120, 120))


def popup_repop(root: Path, *, repop: bool) -> Path:
    """A pop-up on the main page closed by one tap, coming back on the same page when `repop`."""
    frames = [ForgedFrame(0, home_screen(), PACKAGE, MAIN), ForgedFrame(12_000, popup_screen(), PACKAGE, MAIN)]
    close = popup_screen().views[0].children[0].children[0].bounds
    events: list[BundleEvent] = [
        Tap(type="tap", t_ms=12_300, x=(close[0] + close[2]) // 2, y=(close[1] + close[3]) // 2)
    ]
    frames.append(ForgedFrame(12_800, home_screen(), PACKAGE, MAIN))
    if repop:
        frames.append(ForgedFrame(15_000, popup_screen(), PACKAGE, MAIN))
    return write_bundle(root, frames, events, scenario="popup")


def shakes(root: Path, *, acceleration: float, rotation_deg: float, duration_ms: int, jumps: bool) -> Path:
    """A splash with a shake hint; one recorded shake, followed by a jump when `jumps`."""
    screen = splash_screen(close=close_button(48, 4.5))
    screen.views[0].children.append(
        View(bounds=(px(100), px(700), px(300), px(760)), cls="android.widget.TextView", text="摇一摇 跳转详情页")
    )
    frames = [ForgedFrame(0, screen, PACKAGE, SPLASH)]
    events: list[BundleEvent] = [
        Shake(type="shake", t_ms=500, acceleration=acceleration, rotation_deg=rotation_deg, duration_ms=duration_ms)
    ]
    if jumps:
        events.append(
            ActivityChange(
                type="activity", t_ms=500 + duration_ms + 200, package="com.taobao.taobao", activity=".Detail"
            )
        )
    return write_bundle(root, frames, events)


NoticeMode = Literal["same", "before", "late", "none", "no_purpose"]


def permission_request(root: Path, *, notice: NoticeMode, late_ms: int = 600, permission: str = "位置") -> Path:
    """The app asks for a permission; its notice is on the same screen, just before, late, vague or absent."""
    purpose = f"获取{permission}信息，用于为你推荐附近的门店" if notice != "no_purpose" else "为了更好的体验"
    banner = View(
        bounds=(0, px(24), WIDTH, px(120)),
        cls="android.widget.TextView",
        text=purpose,
        package=PACKAGE,
        fill=(255, 255, 255),
    )
    dialog = View(
        bounds=(px(24), px(500), WIDTH - px(24), px(760)),
        package=PERMISSION_PACKAGE,
        children=[
            View(
                bounds=(px(40), px(520), WIDTH - px(40), px(600)),
                cls="android.widget.TextView",
                resource_id=f"{PERMISSION_PACKAGE}:id/permission_message",
                text=f"允许“示例”获取此设备的{permission}信息吗？",
            ),
            View(
                bounds=(px(40), px(620), WIDTH - px(40), px(680)),
                cls="android.widget.Button",
                clickable=True,
                resource_id=f"{PERMISSION_PACKAGE}:id/permission_allow_foreground_only_button",
                text="仅在使用中允许",
            ),
        ],
    )
    app_home = home_screen()
    frames = [ForgedFrame(0, app_home, PACKAGE, MAIN)]
    if notice == "before":
        frames.append(ForgedFrame(1_000, Screen([*app_home.views, banner]), PACKAGE, MAIN))
    same_screen = notice in {"same", "no_purpose"}
    dialog_activity = f"{PERMISSION_PACKAGE}.permission.ui.GrantPermissionsActivity"
    first = Screen([*app_home.views, banner, dialog] if same_screen else [*app_home.views, dialog])
    frames.append(ForgedFrame(2_000, first, PERMISSION_PACKAGE, dialog_activity))
    if notice == "late":
        frames.append(
            ForgedFrame(2_000 + late_ms, Screen([*app_home.views, banner, dialog]), PERMISSION_PACKAGE, dialog_activity)
        )
    frames.append(ForgedFrame(4_000, app_home, PACKAGE, MAIN))
    events: list[BundleEvent] = [
        PermissionShown(
            type="permission_dialog_shown", t_ms=2_000, permission="android.permission.ACCESS_FINE_LOCATION"
        )
    ]
    return write_bundle(root, frames, events, scenario="permissions")
