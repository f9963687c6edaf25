from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from ganzhi.collect.ui.importers import import_gkd, import_screenshots, import_uiautomator
from ganzhi.errors import InputError
from ganzhi.forge.ui import scenarios
from ganzhi.forge.ui.bundles import render_png, uiautomator_xml


def _dumps(tmp: Path) -> list[Path]:
    paths = []
    for position, screen in enumerate(
        [scenarios.splash_screen(close=scenarios.close_button(48, 4.5)), scenarios.home_screen()]
    ):
        xml = tmp / f"dump{position}.xml"
        xml.write_bytes(uiautomator_xml(screen, scenarios.PACKAGE))
        if position == 0:
            xml.with_suffix(".png").write_bytes(render_png(screen, 1080, 2400))
        paths.append(xml)
    return paths


def test_uiautomator_dumps_become_a_bundle(tmp_path: Path) -> None:
    bundle = import_uiautomator(
        _dumps(tmp_path), tmp_path / "out", package=scenarios.PACKAGE, density_dpi=440, interval_ms=500
    )
    frames = bundle.manifest.frames
    assert [f.t_ms for f in frames] == [0, 500]
    assert frames[0].screenshot == "frames/0000.png" and frames[1].screenshot is None
    assert (bundle.manifest.device.screen_width_px, bundle.manifest.device.screen_height_px) == (1080, 2400)


def test_density_is_required_everywhere(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"--density is required"):
        import_uiautomator(_dumps(tmp_path), tmp_path / "out", package="p", density_dpi=None)
    with pytest.raises(InputError, match=r"--density is required"):
        import_gkd([tmp_path / "x.json"], tmp_path / "out2", density_dpi=0)


def test_corrupt_dump_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<hierarchy><node")
    with pytest.raises(InputError, match=r"bad\.xml: not a readable uiautomator XML"):
        import_uiautomator([bad], tmp_path / "out", package="p", density_dpi=440)


def _gkd_doc(stamp: int, text: str) -> dict[str, object]:
    return {
        "id": stamp,
        "appId": "com.x",
        "activityId": "com.x.SplashActivity",
        "screenWidth": 1080,
        "screenHeight": 2400,
        "nodes": [
            {"id": 0, "pid": -1, "attr": {"name": "FrameLayout", "left": 0, "top": 0, "right": 1080, "bottom": 2400}},
            {
                "id": 1,
                "pid": 0,
                "attr": {"text": text, "clickable": True, "left": 900, "top": 90, "right": 1040, "bottom": 190},
            },
        ],
    }


def test_gkd_snapshots_json_and_zip_ordered_by_id(tmp_path: Path) -> None:
    later = tmp_path / "2000.json"
    later.write_text(json.dumps(_gkd_doc(1_700_000_002_000, "首页")), encoding="utf-8")
    archive = tmp_path / "1000.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("1000.json", json.dumps(_gkd_doc(1_700_000_000_500, "跳过")))
        handle.writestr("1000.png", render_png(scenarios.home_screen(), 1080, 2400))
    bundle = import_gkd([later, archive], tmp_path / "out", density_dpi=440)
    frames = bundle.manifest.frames
    assert [f.t_ms for f in frames] == [0, 1500]
    assert frames[0].hierarchy_format == "gkd" and frames[0].screenshot == "frames/0000.png"
    assert bundle.manifest.app.package == "com.x" and frames[0].foreground is not None
    assert frames[0].foreground.activity == "com.x.SplashActivity"


def test_bad_zip_and_screenshots(tmp_path: Path) -> None:
    broken = tmp_path / "b.zip"
    broken.write_bytes(b"PK nope")
    with pytest.raises(InputError, match=r"b\.zip: not a readable zip"):
        import_gkd([broken], tmp_path / "o", density_dpi=440)
    shots = []
    for position in range(3):
        path = tmp_path / f"s{position}.png"
        path.write_bytes(render_png(scenarios.home_screen(), 540, 1200))
        shots.append(path)
    bundle = import_screenshots(shots, tmp_path / "shots", package="com.x", density_dpi=320, interval_ms=250)
    assert [f.t_ms for f in bundle.manifest.frames] == [0, 250, 500]
    assert bundle.manifest.device.screen_width_px == 540 and bundle.manifest.frames[0].hierarchy is None
    (tmp_path / "junk.png").write_bytes(b"junk")
    with pytest.raises(InputError, match=r"junk\.png: not a readable image"):
        import_screenshots([tmp_path / "junk.png"], tmp_path / "o2", package="p", density_dpi=320)
