"""Import existing captures into a bundle: raw uiautomator dumps, GKD snapshots, plain screenshot sequences.

Neither uiautomator XML nor GKD snapshots carry the screen density, so every importer takes it as a
required argument: a missing density is an error, never a guess. Files are copied (bounded) into
`out/frames/`, the manifest is written, and the result is loaded back so it is validated like any bundle.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ganzhi.collect.bounded import DEFAULT_LIMITS, check_archive, open_zip, read_member
from ganzhi.collect.jsonl import parse_json_strict
from ganzhi.collect.ui.bundle import Bundle, Foreground, Frame, Manifest, load_bundle, write_manifest
from ganzhi.collect.ui.hierarchy import MAX_HIERARCHY_BYTES, HierarchyError, parse_gkd, parse_uiautomator
from ganzhi.collect.ui.image import MAX_IMAGE_BYTES, ImageError, image_size
from ganzhi.errors import InputError

MAX_ZIP_MEMBER_BYTES = MAX_IMAGE_BYTES
#: A GKD share zip holds a snapshot JSON and one screenshot; both are bounded by their own limits.
_ZIP_LIMITS = replace(DEFAULT_LIMITS, max_part_bytes=MAX_ZIP_MEMBER_BYTES, max_total_bytes=2 * MAX_ZIP_MEMBER_BYTES)


def _manifest(source: str, **fields: Any) -> Manifest:
    """The manifest of an import; a value the format cannot hold (a screen of -1 px) names the input."""
    try:
        return Manifest(**fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()[:10]
        )
        raise InputError(source, f"cannot build the bundle manifest: {problems}") from None


def _require_density(density_dpi: int | None, source: str) -> int:
    if density_dpi is None or density_dpi <= 0:
        raise InputError(
            source,
            f"--density is required (dpi, e.g. 440) and must be > 0 (got {density_dpi!r}); "
            "the format does not record it and ganzhi never guesses it",
        )
    return density_dpi


def _read(path: Path, limit: int) -> bytes:
    if not path.is_file():
        raise InputError(str(path), "file not found")
    if path.stat().st_size > limit:
        raise InputError(str(path), f"{path.stat().st_size} bytes, above the limit of {limit}")
    return path.read_bytes()


def _finish(out: Path, manifest: Manifest) -> Bundle:
    write_manifest(out, manifest)
    return load_bundle(out)


def import_uiautomator(
    dumps: Sequence[Path],
    out: Path,
    *,
    package: str,
    density_dpi: int | None,
    interval_ms: int = 1000,
    scenario: str = "imported",
) -> Bundle:
    """Dumps in the given order, `interval_ms` apart; a PNG with the same stem becomes the frame's screenshot."""
    density = _require_density(density_dpi, str(dumps[0]) if dumps else str(out))
    if not dumps:
        raise InputError(str(out), "no uiautomator dumps given")
    (out / "frames").mkdir(parents=True, exist_ok=True)
    frames = []
    width = height = 0
    for position, path in enumerate(dumps):
        data = _read(path, MAX_HIERARCHY_BYTES)
        try:
            tree = parse_uiautomator(data)
        except HierarchyError as exc:
            raise InputError(str(path), str(exc)) from None
        width = max(width, *(n.bounds[2] for n in tree.nodes))
        height = max(height, *(n.bounds[3] for n in tree.nodes))
        xml_name = f"frames/{position:04d}.xml"
        (out / xml_name).write_bytes(data)
        png = path.with_suffix(".png")
        png_name = None
        if png.is_file():
            png_data = _read(png, MAX_IMAGE_BYTES)
            try:
                width, height = image_size(png_data)
            except ImageError as exc:
                raise InputError(str(png), str(exc)) from None
            png_name = f"frames/{position:04d}.png"
            shutil.copyfile(png, out / png_name)
        frames.append(
            Frame(
                t_ms=position * interval_ms,
                hierarchy=xml_name,
                screenshot=png_name,
                foreground=Foreground(package=tree.package or package),
            )
        )
    manifest = _manifest(
        str(dumps[0]),
        format="ganzhi-ui-bundle",
        version=1,
        scenario=scenario,
        device={"screen_width_px": width, "screen_height_px": height, "density_dpi": density},
        app={"package": package},
        frames=frames,
    )
    return _finish(out, manifest)


def _gkd_parts(path: Path) -> tuple[bytes, bytes | None, str]:
    """(json, screenshot or None, screenshot suffix) from a snapshot .json (+ sibling image) or a .zip."""
    if path.suffix.lower() == ".zip":
        with open_zip(path, str(path), what="not a readable zip") as archive:
            infos = [i for i in check_archive(archive, str(path), limits=_ZIP_LIMITS) if not i.is_dir()]
            json_info = next((i for i in infos if i.filename.endswith(".json")), None)
            if json_info is None:
                raise InputError(str(path), "the zip holds no snapshot .json")
            image_info = next((i for i in infos if i.filename.lower().endswith((".png", ".webp", ".jpg"))), None)
            image = None
            if image_info is not None:
                image = read_member(archive, image_info, str(path), limit=MAX_ZIP_MEMBER_BYTES, limits=_ZIP_LIMITS)
            data = read_member(archive, json_info, str(path), limit=MAX_HIERARCHY_BYTES, limits=_ZIP_LIMITS)
            return data, image, Path(image_info.filename).suffix if image_info else ".png"
    data = _read(path, MAX_HIERARCHY_BYTES)
    for suffix in (".png", ".webp", ".jpg"):
        sibling = path.with_suffix(suffix)
        if sibling.is_file():
            return data, _read(sibling, MAX_IMAGE_BYTES), suffix
    return data, None, ".png"


def import_gkd(snapshots: Sequence[Path], out: Path, *, density_dpi: int | None, scenario: str = "imported") -> Bundle:
    """GKD snapshots (json + image, or the shared .zip) ordered by their `id` (a capture time in ms)."""
    density = _require_density(density_dpi, str(snapshots[0]) if snapshots else str(out))
    if not snapshots:
        raise InputError(str(out), "no GKD snapshots given")
    (out / "frames").mkdir(parents=True, exist_ok=True)
    loaded = []
    for path in snapshots:
        data, image, suffix = _gkd_parts(path)
        try:
            tree = parse_gkd(data)
            doc = parse_json_strict(data.decode("utf-8-sig"))
        except (HierarchyError, ValueError) as exc:
            raise InputError(str(path), str(exc)) from None
        if not isinstance(doc, dict):
            raise InputError(str(path), "a GKD snapshot is a JSON object")
        raw_id = doc.get("id")
        stamp: int = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else 0
        loaded.append((stamp, path, data, image, suffix, tree))
    loaded.sort(key=lambda item: item[0])
    first = loaded[0][0]
    frames = []
    width = height = 0
    package = ""
    for position, (stamp, path, data, image, suffix, tree) in enumerate(loaded):
        if tree.screen is not None:
            width, height = tree.screen
        package = package or (tree.package or "")
        json_name = f"frames/{position:04d}.json"
        (out / json_name).write_bytes(data)
        image_name = None
        if image is not None:
            image_name = f"frames/{position:04d}{suffix}"
            (out / image_name).write_bytes(image)
        frames.append(
            Frame(
                t_ms=max(0, stamp - first),
                hierarchy=json_name,
                hierarchy_format="gkd",
                screenshot=image_name,
                foreground=Foreground(package=tree.package or "", activity=tree.activity or ""),
            )
        )
        if width == 0 and image is not None:
            try:
                width, height = image_size(image)
            except ImageError as exc:
                raise InputError(str(path), str(exc)) from None
    if not package:
        raise InputError(str(snapshots[0]), "the snapshots name no appId")
    manifest = _manifest(
        str(snapshots[0]),
        format="ganzhi-ui-bundle",
        version=1,
        scenario=scenario,
        device={"screen_width_px": width or 1, "screen_height_px": height or 1, "density_dpi": density},
        app={"package": package},
        frames=frames,
    )
    return _finish(out, manifest)


def import_screenshots(
    images: Sequence[Path],
    out: Path,
    *,
    package: str,
    density_dpi: int | None,
    interval_ms: int = 1000,
    scenario: str = "imported",
) -> Bundle:
    """A plain screenshot sequence (in the given order, `interval_ms` apart) with no hierarchy."""
    density = _require_density(density_dpi, str(images[0]) if images else str(out))
    if not images:
        raise InputError(str(out), "no screenshots given")
    (out / "frames").mkdir(parents=True, exist_ok=True)
    frames = []
    size = (0, 0)
    for position, path in enumerate(images):
        data = _read(path, MAX_IMAGE_BYTES)
        try:
            size = image_size(io.BytesIO(data).getvalue())
        except ImageError as exc:
            raise InputError(str(path), str(exc)) from None
        name = f"frames/{position:04d}{path.suffix.lower() or '.png'}"
        (out / name).write_bytes(data)
        frames.append(Frame(t_ms=position * interval_ms, screenshot=name))
    manifest = _manifest(
        str(images[0]),
        format="ganzhi-ui-bundle",
        version=1,
        scenario=scenario,
        device={"screen_width_px": size[0], "screen_height_px": size[1], "density_dpi": density},
        app={"package": package},
        frames=frames,
    )
    return _finish(out, manifest)
