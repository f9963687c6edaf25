"""`ganzhi capture android` against a fake adb that replays recorded device answers (no device here)."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ganzhi.cli import app
from ganzhi.collect.ui.analyze import bundle_evidence
from ganzhi.collect.ui.bundle import load_bundle
from ganzhi.collect.ui.capture import Adb, CaptureError, capture_android, device_facts
from ganzhi.collect.ui.detect import Detector
from ganzhi.collect.ui.lexicon import load_lexicon
from ganzhi.errors import InputError
from ganzhi.evidence.ui import UiEpisode
from ganzhi.forge.ui import scenarios
from ganzhi.forge.ui.bundles import render_png, uiautomator_xml

FAKE_ADB = '''#!{python}
"""Fake adb: answers `adb -s SERIAL ARGS...` from the JSON in $FAKE_ADB_RESPONSES, in order per command."""
import json, os, sys
args = sys.argv[1:]
if args[:1] == ["-s"]:
    args = args[2:]
key = " ".join(args)
responses = json.load(open(os.environ["FAKE_ADB_RESPONSES"], encoding="utf-8"))
state_path = os.environ["FAKE_ADB_STATE"]
state = json.load(open(state_path)) if os.path.exists(state_path) else {{}}
with open(os.environ["FAKE_ADB_LOG"], "a", encoding="utf-8") as log:
    log.write(key + "\\n")
answers = responses.get(key)
if answers is None:
    sys.stderr.write("fake adb: no recorded answer for: " + key)
    sys.exit(1)
count = state.get(key, 0)
state[key] = count + 1
json.dump(state, open(state_path, "w"))
answer = answers[min(count, len(answers) - 1)]
if "file" in answer:
    sys.stdout.buffer.write(open(answer["file"], "rb").read())
else:
    sys.stdout.write(answer.get("stdout", ""))
sys.stderr.write(answer.get("stderr", ""))
sys.exit(answer.get("exit", 0))
'''

RESUMED = "  mResumedActivity: ActivityRecord{{8f3c2d1 u0 {package}/{activity} t42}}\n"


def _recorded(tmp: Path, density: str) -> dict[str, list[dict[str, object]]]:
    """Answers as a real device gives them: a splash twice, then the home screen."""
    splash = scenarios.splash_screen(close=scenarios.close_button(48, 4.5))
    home = scenarios.home_screen()
    files = {}
    for name, screen in (("splash", splash), ("home", home)):
        (tmp / f"{name}.xml").write_bytes(uiautomator_xml(screen, scenarios.PACKAGE))
        (tmp / f"{name}.png").write_bytes(render_png(screen, scenarios.WIDTH, scenarios.HEIGHT))
        files[name] = (str(tmp / f"{name}.xml"), str(tmp / f"{name}.png"))
    package = scenarios.PACKAGE
    return {
        "shell wm size": [{"stdout": "Physical size: 1080x2400\n"}],
        "shell wm density": [{"stdout": density}],
        "shell getprop ro.product.model": [{"stdout": "Pixel 7\n"}],
        "shell getprop ro.build.version.release": [{"stdout": "13\n"}],
        f"shell am force-stop {package}": [{"stdout": ""}],
        f"shell pm reset-permissions -p {package}": [{"stdout": ""}],
        "logcat -c": [{"stdout": ""}],
        "shell log -t ganzhi ganzhi-capture-start": [{"stdout": ""}],
        f"shell monkey -p {package} -c android.intent.category.LAUNCHER 1": [{"stdout": "Events injected: 1\n"}],
        "shell uiautomator dump /sdcard/window_dump.xml": [
            {"stdout": "UI hierchary dumped to: /sdcard/window_dump.xml\n"}
        ],
        "exec-out cat /sdcard/window_dump.xml": [
            {"file": files["splash"][0]},
            {"file": files["splash"][0]},
            {"file": files["home"][0]},
        ],
        "exec-out screencap -p": [
            {"file": files["splash"][1]},
            {"file": files["splash"][1]},
            {"file": files["home"][1]},
        ],
        "shell dumpsys activity activities": [
            {"stdout": RESUMED.format(package=package, activity=".SplashActivity")},
            {"stdout": RESUMED.format(package=package, activity=".SplashActivity")},
            {"stdout": RESUMED.format(package=package, activity=".MainActivity")},
        ],
        "shell input tap 970 176": [{"stdout": ""}],
        "logcat -d -b events,main -v epoch": [
            {
                "stdout": "1700000000.000  4321  4321 I ganzhi  : ganzhi-capture-start\n"
                "1700000000.600  1000  1020 I wm_resume_activity: [0,9,42,com.example.app/.MainActivity]\n"
            }
        ],
        f"shell dumpsys package {package}": [{"stdout": "    versionName=2.3.1\n"}],
    }


@pytest.fixture
def fake_adb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Put the fake adb first on PATH; yields (responses file, call log)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "adb"
    script.write_text(FAKE_ADB.format(python=sys.executable), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    responses = tmp_path / "responses.json"
    log = tmp_path / "adb.log"
    responses.write_text(json.dumps(_recorded(tmp_path, "Physical density: 440\nOverride density: 480\n")))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_ADB_RESPONSES", str(responses))
    monkeypatch.setenv("FAKE_ADB_STATE", str(tmp_path / "state.json"))
    monkeypatch.setenv("FAKE_ADB_LOG", str(log))
    return responses, log


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        self.now += 0.25
        return self.now


def test_cold_start_capture_taps_the_skip_button(fake_adb: tuple[Path, Path], tmp_path: Path) -> None:
    _responses, log = fake_adb
    detector = Detector(load_lexicon(), ())
    out = capture_android(
        Adb("emulator-5554"),
        scenarios.PACKAGE,
        "cold-start",
        tmp_path / "bundle",
        detector,
        frames=3,
        interval_s=0,
        sleep=lambda _s: None,
        clock=_Clock(),
    )
    bundle = load_bundle(out)
    manifest = bundle.manifest
    assert manifest.device.density_dpi == 480, "the Override density is the one in use"
    assert manifest.device.model == "Pixel 7" and manifest.app.version_name == "2.3.1"
    assert [f.foreground.activity for f in manifest.frames if f.foreground] == [
        "com.example.app.SplashActivity",
        "com.example.app.SplashActivity",
        "com.example.app.MainActivity",
    ]
    taps = [e for e in manifest.events if e.type == "tap"]
    assert len(taps) == 1 and (taps[0].x, taps[0].y) == (970, 176)
    assert (out / "logcat.txt").read_text().startswith("1700000000.000")
    logged = [e for e in manifest.events if e.type == "activity"]
    marker_at = 250  # the fake clock advances 0.25 s per reading; the marker is the first reading after the start
    assert [(e.t_ms, e.activity) for e in logged] == [(marker_at + 600, "com.example.app.MainActivity")]
    assert [e.t_ms for e in manifest.events] == sorted(e.t_ms for e in manifest.events)
    calls = log.read_text().splitlines()
    assert calls.index("shell am force-stop com.example.app") < calls.index("shell input tap 970 176")
    episode = bundle_evidence(out, detector).payload(UiEpisode)
    window = episode.ad_windows[0]
    assert window.kind == "splash" and window.taps[0].on_close and window.taps[0].ad_gone_after_ms is not None


def test_missing_density_stops_the_capture(fake_adb: tuple[Path, Path], tmp_path: Path) -> None:
    responses, _log = fake_adb
    recorded = json.loads(responses.read_text())
    recorded["shell wm density"] = [{"stdout": "\n"}]
    responses.write_text(json.dumps(recorded))
    with pytest.raises(CaptureError, match="no density in the answer; refusing to guess"):
        device_facts(Adb("emulator-5554"))


def test_adb_errors_name_the_command(fake_adb: tuple[Path, Path]) -> None:
    with pytest.raises(InputError, match=r"adb -s X shell getprop nothing: exit code 1: fake adb: no recorded answer"):
        Adb("X").run("shell", "getprop", "nothing")


def test_cli_capture_android(fake_adb: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "cli-bundle"
    result = CliRunner().invoke(
        app,
        [
            "capture",
            "android",
            "--serial",
            "emulator-5554",
            "--package",
            scenarios.PACKAGE,
            "--scenario",
            "permissions",
            "--output",
            str(out),
            "--frames",
            "2",
            "--interval-ms",
            "0",
            "--templates",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(load_bundle(out).manifest.frames) == 2
    bad = CliRunner().invoke(
        app,
        ["capture", "android", "--serial", "S", "--package", "p", "--scenario", "warm", "-o", str(tmp_path / "x")],
    )
    assert bad.exit_code == 1 and "expected one of" in bad.output


def test_capture_without_the_log_command_keeps_frames_and_says_so(fake_adb: tuple[Path, Path], tmp_path: Path) -> None:
    responses, _log = fake_adb
    recorded = json.loads(responses.read_text())
    del recorded["shell log -t ganzhi ganzhi-capture-start"]
    responses.write_text(json.dumps(recorded))
    out = capture_android(
        Adb("emulator-5554"),
        scenarios.PACKAGE,
        "permissions",
        tmp_path / "bundle",
        Detector(load_lexicon(), ()),
        frames=2,
        interval_s=0,
        sleep=lambda _s: None,
        clock=_Clock(),
    )
    manifest = load_bundle(out).manifest
    assert len(manifest.frames) == 2 and not [e for e in manifest.events if e.type == "activity"]
    assert "logcat marker" in (out / "problems.txt").read_text(encoding="utf-8")
