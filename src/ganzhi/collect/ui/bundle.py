"""The capture bundle (format `ganzhi-ui-bundle`, version 1): a folder with `bundle.json` and frame files.

```
bundle.json   {"format": "ganzhi-ui-bundle", "version": 1, "scenario": "cold-start",
               "device": {"model", "android_version", "screen_width_px", "screen_height_px", "density_dpi"},
               "app": {"package", "version_name", "version_code"},
               "frames": [{"t_ms", "hierarchy": "frames/0001.xml", "hierarchy_format": "uiautomator"|"gkd",
                           "screenshot": "frames/0001.png", "foreground": {"package", "activity"}}],
               "events": [{"t_ms", "type": "tap", "x", "y"} | {"type": "key", "key"}
                          | {"type": "activity", "package", "activity"}
                          | {"type": "permission_dialog_shown", "permission"}
                          | {"type": "permission_dialog_answered", "answer"}
                          | {"type": "shake", "acceleration", "rotation_deg", "duration_ms"}]}
frames/…      uiautomator XML or GKD snapshot JSON, and PNG screenshots
```

Times are milliseconds from the capture start and never go backwards; every frame has a hierarchy or a
screenshot (or both); density is required — a missing density is an error, never a guess.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ganzhi.collect.jsonl import parse_json_strict
from ganzhi.errors import InputError

FORMAT = "ganzhi-ui-bundle"
VERSION = 1
MANIFEST = "bundle.json"
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
MAX_FRAMES = 2_000
MAX_EVENTS = 100_000


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Device(_Strict):
    model: str = ""
    android_version: str = ""
    screen_width_px: int = Field(gt=0, le=20_000)
    screen_height_px: int = Field(gt=0, le=20_000)
    density_dpi: int = Field(gt=0, le=2_000)
    status_bar_px: int | None = Field(default=None, ge=0)
    nav_bar_px: int | None = Field(default=None, ge=0)


class App(_Strict):
    package: str = Field(min_length=1)
    version_name: str | None = None
    version_code: int | None = None


class Foreground(_Strict):
    package: str = ""
    activity: str = ""


class Frame(_Strict):
    t_ms: int = Field(ge=0)
    hierarchy: str | None = None
    hierarchy_format: Literal["uiautomator", "gkd"] = "uiautomator"
    screenshot: str | None = None
    foreground: Foreground | None = None

    @model_validator(mode="after")
    def _has_content(self) -> Frame:
        if self.hierarchy is None and self.screenshot is None:
            raise ValueError(f"frame at {self.t_ms} ms has neither a hierarchy nor a screenshot")
        return self


class Tap(_Strict):
    type: Literal["tap"]
    t_ms: int = Field(ge=0)
    x: int
    y: int


class Key(_Strict):
    type: Literal["key"]
    t_ms: int = Field(ge=0)
    key: str


class ActivityChange(_Strict):
    type: Literal["activity"]
    t_ms: int = Field(ge=0)
    package: str
    activity: str = ""


class PermissionShown(_Strict):
    type: Literal["permission_dialog_shown"]
    t_ms: int = Field(ge=0)
    permission: str | None = None


class PermissionAnswered(_Strict):
    type: Literal["permission_dialog_answered"]
    t_ms: int = Field(ge=0)
    answer: str


class Shake(_Strict):
    type: Literal["shake"]
    t_ms: int = Field(ge=0)
    acceleration: float = Field(ge=0)
    rotation_deg: float = Field(ge=0)
    duration_ms: int = Field(ge=0)


Event = Annotated[
    Tap | Key | ActivityChange | PermissionShown | PermissionAnswered | Shake, Field(discriminator="type")
]


class Manifest(_Strict):
    format: Literal["ganzhi-ui-bundle"]
    version: int
    scenario: str = "unspecified"
    device: Device
    app: App
    frames: list[Frame] = Field(min_length=1, max_length=MAX_FRAMES)
    events: list[Event] = Field(default_factory=list, max_length=MAX_EVENTS)

    @model_validator(mode="after")
    def _ordered(self) -> Manifest:
        if self.version != VERSION:
            raise ValueError(f"version must be {VERSION} (got {self.version})")
        for name, times in (("frames", [f.t_ms for f in self.frames]), ("events", [e.t_ms for e in self.events])):
            for position in range(1, len(times)):
                if times[position] < times[position - 1]:
                    raise ValueError(
                        f"{name}[{position}].t_ms {times[position]} is before {name}[{position - 1}].t_ms "
                        f"{times[position - 1]}: times must not go backwards"
                    )
        return self


class Bundle:
    """A validated bundle on disk: its manifest and safe access to its frame files."""

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.root = root
        self.manifest = manifest

    @property
    def name(self) -> str:
        return self.root.name

    def read(self, relative: str, *, limit: int) -> bytes:
        """Bytes of a file named by the manifest; InputError when missing, outside the bundle or too big."""
        try:
            path = (self.root / relative).resolve()
            if not path.is_relative_to(self.root.resolve()):
                raise InputError(f"{self.root}", f"{relative!r} points outside the bundle")
            if not path.is_file():
                raise InputError(f"{self.root}", f"missing frame file {relative!r}")
            size = path.stat().st_size
            if size > limit:
                raise InputError(f"{self.root}", f"{relative!r} is {size} bytes, above the limit of {limit}")
            return path.read_bytes()
        except (OSError, ValueError) as exc:  # a NUL byte or an over-long name in the manifest's path
            raise InputError(f"{self.root}", f"cannot read frame file {relative[:200]!r}: {exc}") from None


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()[:10])


def load_bundle(root: Path) -> Bundle:
    """Read and validate `root/bundle.json`; InputError names the bundle and every problem found."""
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise InputError(str(root), f"not a capture bundle: {MANIFEST} is missing")
    if manifest_path.stat().st_size > MAX_MANIFEST_BYTES:
        raise InputError(str(root), f"{MANIFEST} is larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        doc = parse_json_strict(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise InputError(str(manifest_path), str(exc)) from None
    if isinstance(doc, dict) and isinstance(doc.get("device"), dict) and "density_dpi" not in doc["device"]:
        raise InputError(str(root), "device.density_dpi is missing: density is required (never guessed)")
    try:
        manifest = Manifest.model_validate(doc)
    except ValidationError as exc:
        raise InputError(str(root), _problems(exc)) from None
    bundle = Bundle(root, manifest)
    for position, frame in enumerate(manifest.frames):
        for relative in (frame.hierarchy, frame.screenshot):
            if relative is not None and not _is_file(root / relative):
                raise InputError(str(root), f"frames[{position}] (t_ms {frame.t_ms}): missing file {relative[:200]!r}")
    return bundle


def _is_file(path: Path) -> bool:
    """`path.is_file()`, False for a name the OS cannot hold (NUL byte, over-long) instead of an exception."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def write_manifest(root: Path, manifest: Manifest) -> Path:
    """Write `bundle.json` (used by importers and the capture command)."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / MANIFEST
    path.write_text(
        json.dumps(manifest.model_dump(mode="json", exclude_none=True), ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    return path
