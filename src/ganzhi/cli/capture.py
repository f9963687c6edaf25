"""`ganzhi capture android`: record a UI capture bundle from a device over adb."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ganzhi.cli._common import err_console, fail, progress_bar
from ganzhi.errors import GanzhiError

app = typer.Typer(
    help="采集界面证据 / capture UI evidence from a device.", no_args_is_help=True, pretty_exceptions_enable=False
)


@app.callback()
def capture() -> None:
    """采集界面证据 / capture UI evidence from a device."""


@app.command("android")
def android(
    serial: Annotated[str, typer.Option("--serial", help="设备序列号（adb）/ device serial")],
    package: Annotated[str, typer.Option("--package", help="应用包名 / app package")],
    scenario: Annotated[str, typer.Option("--scenario", help="场景 / scenario: cold-start | permissions")],
    out: Annotated[Path, typer.Option("--output", "-o", help="采集包目录 / bundle folder")],
    frames: Annotated[int, typer.Option(min=1, max=2000, help="帧数 / frames to record")] = 12,
    interval_ms: Annotated[int, typer.Option(min=0, help="帧间隔 / pause between frames")] = 300,
    adb: Annotated[str, typer.Option(help="可执行文件（adb）/ adb executable")] = "adb",
    templates: Annotated[Path | None, typer.Option(help="关闭图标模板目录 / close-icon templates")] = None,
) -> None:
    """冷启动或权限场景录制 / record a cold start or a permission flow into a bundle."""
    from ganzhi.collect.ui.capture import Adb, capture_android
    from ganzhi.collect.ui.detect import Detector
    from ganzhi.collect.ui.paths import DEFAULT_TEMPLATE_DIR

    folder = templates or DEFAULT_TEMPLATE_DIR
    detector = Detector.default(folder if folder.is_dir() else None)
    try:
        with progress_bar(f"采集 {package}", frames) as bar:
            capture_android(
                Adb(serial=serial, executable=adb),
                package,
                scenario,
                out,
                detector,
                frames=frames,
                interval_s=interval_ms / 1000,
                on_frame=lambda: bar.advance(bar.task_ids[0]),
            )
    except GanzhiError as exc:
        raise fail(exc) from None
    err_console.print(f"wrote {out}")
