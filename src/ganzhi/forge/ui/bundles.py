"""Make real-format capture bundles by code: uiautomator XML, PNG screenshots drawn to match, bundle.json.

Tests, check cases and the benchmark use it to put controls on both sides of every threshold (size in dp,
contrast ratio, delay, jump share, notice timing) with known ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
from PIL import Image, ImageDraw

from ganzhi.collect.ui.bundle import App, Device, Foreground, Frame, Manifest, write_manifest
from ganzhi.collect.ui.bundle import Event as BundleEvent

Colour = tuple[int, int, int]


@dataclass
class View:
    """A node of a forged screen, drawn as a filled box with an optional ink glyph ('x' or a bar of text)."""

    bounds: tuple[int, int, int, int]
    cls: str = "android.widget.FrameLayout"
    text: str = ""
    desc: str = ""
    resource_id: str = ""
    clickable: bool = False
    enabled: bool = True
    package: str | None = None
    fill: Colour | None = None
    ink: Colour | None = None
    glyph: str = ""
    children: list[View] = field(default_factory=list)


@dataclass
class Screen:
    """Top-level views (several for a multi-window dump) over a background colour."""

    views: list[View]
    background: Colour = (255, 255, 255)


def grey_for_ratio(background: int, ratio: float) -> int:
    """A grey level whose WCAG contrast with grey `background` is `ratio` (darker when that fits)."""

    def lum(v: float) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else float(((c + 0.055) / 1.055) ** 2.4)

    def inverse(lv: float) -> int:
        c = lv * 12.92 if lv <= 0.0031308 else 1.055 * lv ** (1 / 2.4) - 0.055
        return max(0, min(255, round(c * 255)))

    base = lum(background)
    darker = (base + 0.05) / ratio - 0.05
    return inverse(darker) if darker >= 0 else inverse(min(1.0, (base + 0.05) * ratio - 0.05))


def _xml_node(view: View, package: str, index: int, depth: int) -> str:
    pad = "  " * depth
    attrs = {
        "index": str(index),
        "text": view.text,
        "resource-id": view.resource_id,
        "class": view.cls,
        "package": view.package or package,
        "content-desc": view.desc,
        "checkable": "false",
        "checked": "false",
        "clickable": str(view.clickable).lower(),
        "enabled": str(view.enabled).lower(),
        "focusable": "false",
        "focused": "false",
        "scrollable": "false",
        "long-clickable": "false",
        "password": "false",
        "selected": "false",
        "visible-to-user": "true",
        "bounds": "[{},{}][{},{}]".format(*view.bounds),
    }
    if view.clickable and view.enabled and not view.text and not view.desc and not view.children:
        attrs["NAF"] = "true"
    rendered = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
    if not view.children:
        return f"{pad}<node {rendered} />"
    inner = "\n".join(_xml_node(c, view.package or package, i, depth + 1) for i, c in enumerate(view.children))
    return f"{pad}<node {rendered}>\n{inner}\n{pad}</node>"


def uiautomator_xml(screen: Screen, package: str) -> bytes:
    """The screen as a `uiautomator dump` file."""
    body = "\n".join(_xml_node(v, package, i, 1) for i, v in enumerate(screen.views))
    text = (
        f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<hierarchy rotation=\"0\">\n{body}\n</hierarchy>\n"
    )
    return text.encode("utf-8")


def _draw(draw: ImageDraw.ImageDraw, view: View) -> None:
    left, top, right, bottom = view.bounds
    if view.fill is not None:
        draw.rectangle((left, top, right - 1, bottom - 1), fill=view.fill)
    if view.ink is not None and view.glyph:
        width, height = right - left, bottom - top
        stroke = max(2, round(min(width, height) * 0.12))
        if view.glyph == "x":
            m = round(min(width, height) * 0.25)
            draw.line((left + m, top + m, right - m, bottom - m), fill=view.ink, width=stroke)
            draw.line((left + m, bottom - m, right - m, top + m), fill=view.ink, width=stroke)
        else:
            draw.rectangle(
                (left + width // 5, top + height // 3, right - width // 5, bottom - height // 3), fill=view.ink
            )
    for child in view.children:
        _draw(draw, child)


def render_png(screen: Screen, width: int, height: int) -> bytes:
    """A screenshot of the screen: boxes and glyphs where the views are."""
    import io

    image = Image.new("RGB", (width, height), screen.background)
    draw = ImageDraw.Draw(image)
    for view in screen.views:
        _draw(draw, view)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def noise_png(width: int, height: int, seed: int = 0) -> bytes:
    """A photo-like noisy screenshot (for negative template tests)."""
    import io

    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="RGB").save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class ForgedFrame:
    """A frame to write: time, screen (None for an event-only gap) and foreground."""

    t_ms: int
    screen: Screen
    package: str
    activity: str
    screenshot: bool = True
    hierarchy: bool = True


def write_bundle(
    root: Path,
    frames: list[ForgedFrame],
    events: list[BundleEvent] | None = None,
    *,
    package: str = "com.example.app",
    scenario: str = "cold-start",
    width: int = 1080,
    height: int = 2400,
    density_dpi: int = 440,
    bars: tuple[int, int] | None = (66, 132),
) -> Path:
    """Write a bundle folder with every frame's XML and PNG; returns `root`."""
    (root / "frames").mkdir(parents=True, exist_ok=True)
    manifest_frames = []
    for position, frame in enumerate(frames):
        xml_name = f"frames/{position:04d}.xml" if frame.hierarchy else None
        png_name = f"frames/{position:04d}.png" if frame.screenshot else None
        if xml_name:
            (root / xml_name).write_bytes(uiautomator_xml(frame.screen, frame.package))
        if png_name:
            (root / png_name).write_bytes(render_png(frame.screen, width, height))
        manifest_frames.append(
            Frame(
                t_ms=frame.t_ms,
                hierarchy=xml_name,
                screenshot=png_name,
                foreground=Foreground(package=frame.package, activity=frame.activity),
            )
        )
    manifest = Manifest(
        format="ganzhi-ui-bundle",
        version=1,
        scenario=scenario,
        device=Device(
            model="forge",
            android_version="13",
            screen_width_px=width,
            screen_height_px=height,
            density_dpi=density_dpi,
            status_bar_px=bars[0] if bars else None,
            nav_bar_px=bars[1] if bars else None,
        ),
        app=App(package=package, version_name="1.0"),
        frames=manifest_frames,
        events=list(events or []),
    )
    write_manifest(root, manifest)
    return root
