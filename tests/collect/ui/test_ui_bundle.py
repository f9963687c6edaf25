from __future__ import annotations

import json
from pathlib import Path

import pytest

from ganzhi.collect.ui.bundle import load_bundle
from ganzhi.errors import InputError
from ganzhi.forge.ui.scenarios import cold_start


def _edit(root: Path, change: object) -> None:
    path = root / "bundle.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)  # type: ignore[operator]
    path.write_text(json.dumps(doc), encoding="utf-8")


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return cold_start(tmp_path / "b")


def test_a_forged_bundle_loads(bundle: Path) -> None:
    loaded = load_bundle(bundle)
    assert loaded.manifest.device.density_dpi == 440
    assert [f.t_ms for f in loaded.manifest.frames] == [0, 800]
    assert loaded.manifest.events[0].type == "tap"


def test_missing_density_is_an_error_not_a_guess(bundle: Path) -> None:
    _edit(bundle, lambda d: d["device"].pop("density_dpi"))
    with pytest.raises(InputError, match=r"density_dpi is missing") as info:
        load_bundle(bundle)
    assert str(bundle) in str(info.value)


def test_out_of_order_times_are_named(bundle: Path) -> None:
    _edit(bundle, lambda d: d["frames"][1].update(t_ms=-1 if False else 0) or d["frames"][0].update(t_ms=900))
    with pytest.raises(InputError, match=r"frames\[1\]\.t_ms 0 is before frames\[0\]\.t_ms 900"):
        load_bundle(bundle)


def test_missing_frame_file_and_bad_manifest(bundle: Path) -> None:
    (bundle / "frames" / "0001.png").unlink()
    with pytest.raises(InputError, match=r"frames\[1\] \(t_ms 800\): missing file 'frames/0001.png'"):
        load_bundle(bundle)
    (bundle / "bundle.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        load_bundle(bundle)
    with pytest.raises(InputError, match=r"bundle\.json is missing"):
        load_bundle(bundle / "frames")


def test_paths_outside_the_bundle_are_refused(bundle: Path) -> None:
    loaded = load_bundle(bundle)
    with pytest.raises(InputError, match="outside the bundle"):
        loaded.read("../../etc/passwd", limit=100)


def test_wrong_version_and_empty_frames(bundle: Path) -> None:
    _edit(bundle, lambda d: d.update(version=2))
    with pytest.raises(InputError, match="version must be 1"):
        load_bundle(bundle)
    _edit(bundle, lambda d: d.update(version=1, frames=[]))
    with pytest.raises(InputError, match="frames"):
        load_bundle(bundle)
