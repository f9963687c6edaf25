"""`ganzhi ui`: detect close controls, import captures into bundles, check bundles, evaluate on AidUI.

Exit codes: 0 done; 1 an input could not be used at all (the message names it); 2 some bundles could
not be read (each is reported, the others are checked).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ganzhi.cli._common import (
    FORMAT_HELP,
    OUTPUT_HELP,
    OutputFormat,
    check_format,
    console,
    err_console,
    fail,
    progress_bar,
    write_text,
)
from ganzhi.collect.ui.paths import AIDUI_IMAGES, AIDUI_LABELS
from ganzhi.errors import GanzhiError

if TYPE_CHECKING:
    from ganzhi.collect.ui.detect import Detector
    from ganzhi.collect.ui.ocr import TextReader

app = typer.Typer(
    help="界面证据（开屏弹窗、权限说明）/ UI evidence for T4 and T3.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

_TEMPLATES_HELP = "关闭图标模板目录 / close-icon template folder (PNG)"


class OcrMode(StrEnum):
    auto = "auto"
    on = "on"
    off = "off"


_OCR_HELP = "文字按钮OCR（可选依赖 ocr）/ OCR of text buttons (extra `ocr`): auto uses it when installed"


def _reader(mode: OcrMode) -> TextReader | None:
    """The OCR reader; in `auto` mode a missing or broken extra is a note and detection goes on without it."""
    from ganzhi.collect.ui.ocr import INSTALL_HINT, OcrUnavailable, load_reader, ocr_installed

    if mode is OcrMode.off:
        return None
    try:
        if mode is OcrMode.auto and not ocr_installed():
            raise OcrUnavailable(f"OCR extra not installed; {INSTALL_HINT}")
        return load_reader()
    except OcrUnavailable as exc:
        if mode is OcrMode.on:
            raise fail(str(exc)) from None
        err_console.print(
            f"note: text buttons (跳过/关闭/skip) on bare screenshots are not found: {exc}",
            markup=False,
            highlight=False,
        )
        return None


def _detector(
    templates: Path | None,
    threshold: float | None = None,
    *,
    ocr: OcrMode = OcrMode.off,
    text_threshold: float | None = None,
) -> Detector:
    from ganzhi.collect.ui.detect import DEFAULT_TEMPLATE_THRESHOLD, DEFAULT_TEXT_THRESHOLD, Detector
    from ganzhi.collect.ui.paths import DEFAULT_TEMPLATE_DIR

    folder = templates if templates is not None else DEFAULT_TEMPLATE_DIR
    if templates is not None and not templates.is_dir():
        raise fail(f"{templates}: template folder not found")
    if not folder.is_dir():
        err_console.print(f"note: {folder} not found; only the drawn × glyphs are used as templates")
    return Detector.default(
        folder if folder.is_dir() else None,
        threshold or DEFAULT_TEMPLATE_THRESHOLD,
        reader=_reader(ocr),
        text_threshold=text_threshold or DEFAULT_TEXT_THRESHOLD,
    )


@app.command("detect-close")
def detect_close_command(
    image: Annotated[Path, typer.Option("--image", help="截图 / screenshot (PNG)")],
    hierarchy: Annotated[
        Path | None,
        typer.Option(
            "--hierarchy", help="界面层级（uiautomator XML 或 GKD JSON）/ view hierarchy (uiautomator XML or GKD JSON)"
        ),
    ] = None,
    density: Annotated[
        int | None,
        typer.Option("--density", min=1, help="屏幕密度（dpi），用于换算 dp / screen density (dpi), for sizes in dp"),
    ] = None,
    templates: Annotated[Path | None, typer.Option("--templates", help=_TEMPLATES_HELP)] = None,
    threshold: Annotated[float | None, typer.Option(min=0, max=1, help="模板匹配阈值 / NCC threshold")] = None,
    ocr: Annotated[OcrMode, typer.Option("--ocr", help=_OCR_HELP)] = OcrMode.auto,
    text_threshold: Annotated[float | None, typer.Option(min=0, max=1, help="文字按钮阈值 / text threshold")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.json,
) -> None:
    """找出关闭/跳过控件 / find close and skip controls on one screen."""
    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="ui detect-close")
    from rich.table import Table

    from ganzhi.collect.ui.detect import detect_close
    from ganzhi.collect.ui.hierarchy import HierarchyError, parse_hierarchy, sniff_format
    from ganzhi.collect.ui.image import MAX_IMAGE_BYTES, ImageError, load_rgb

    detector = _detector(templates, threshold, ocr=ocr, text_threshold=text_threshold)
    try:
        if not image.is_file() or image.stat().st_size > MAX_IMAGE_BYTES:
            raise fail(f"{image}: not a file, or larger than {MAX_IMAGE_BYTES} bytes")
        rgb = load_rgb(image.read_bytes())
        tree = None
        if hierarchy is not None:
            data = hierarchy.read_bytes()
            tree = parse_hierarchy(data, sniff_format(data))
    except ImageError as exc:
        raise fail(f"{image}: {exc}") from None
    except HierarchyError as exc:
        raise fail(f"{hierarchy}: {exc}") from None
    except OSError as exc:
        raise fail(f"{exc.filename}: {exc.strerror}") from None
    candidates = detect_close(detector, rgb=rgb, hierarchy=tree)
    rows = []
    for c in candidates:
        row = c.as_json()
        if density is not None:
            row["min_side_dp"] = round(min(c.bounds[2] - c.bounds[0], c.bounds[3] - c.bounds[1]) * 160 / density)
        rows.append(row)
    if fmt is OutputFormat.json:
        console.out(
            json.dumps(
                {"image": str(image), "ocr": detector.reader is not None, "candidates": rows},
                ensure_ascii=False,
                indent=1,
            ),
            highlight=False,
        )
        return
    table = Table(title=f"关闭控件候选 / close candidates: {image.name}")
    for column in ("bounds", "score", "source", "label", "min_side_dp"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["bounds"]),
            str(row["score"]),
            str(row["source"]),
            str(row["label"]),
            str(row.get("min_side_dp", "")),
        )
    console.print(table)


@app.command("check")
def check_command(
    bundles: Annotated[list[Path], typer.Argument(help="采集包目录 / capture bundle folders")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
    evidence_out: Annotated[Path | None, typer.Option(help="证据JSONL / also write the evidence (JSON Lines)")] = None,
    templates: Annotated[Path | None, typer.Option("--templates", help=_TEMPLATES_HELP)] = None,
    ocr: Annotated[OcrMode, typer.Option("--ocr", help=_OCR_HELP)] = OcrMode.auto,
    lang: Annotated[str, typer.Option(help="语言 / language: zh or en")] = "zh",
) -> None:
    """分析采集包并运行T4/T3界面检查 / analyze bundles and run the T4/T3 UI checks."""
    from ganzhi.cli._report import RESULT_FORMATS, emit_results
    from ganzhi.collect.ui.analyze import bundle_evidence
    from ganzhi.collect.ui.bundle import load_bundle
    from ganzhi.engine.runner import evaluate

    check_format(fmt, RESULT_FORMATS, command="ui check", output=out)
    detector = _detector(templates, ocr=ocr)  # screenshot-only frames: text buttons (跳过) need OCR
    evidence = []
    bad = 0
    for path in bundles:
        try:
            frames = len(load_bundle(path).manifest.frames)
            with progress_bar(f"分析 {path.name}", frames) as bar:
                item = bundle_evidence(path, detector, lambda: bar.advance(bar.task_ids[0]))
        except (GanzhiError, ValueError) as exc:  # a malformed bundle is reported; the others are still checked
            bad += 1
            err_console.print(f"[red]skipped[/red] {exc}", highlight=False)
            continue
        for problem in item.data.get("problems", []):
            err_console.print(f"[yellow]problem[/yellow] {problem}", highlight=False)
        evidence.append(item)
    if evidence_out is not None:
        write_text(evidence_out, "".join(e.model_dump_json() + "\n" for e in evidence))
    if not evidence:
        raise fail("no bundle could be read")
    outcome = evaluate(evidence, tasks=("T3", "T4"))  # ui_episode evidence: the T4 pop-up and T3 purpose checks
    emit_results(
        outcome.results,
        fmt,
        out,
        lang="en" if lang == "en" else "zh",
        meta={"run_id": outcome.run_id, "bundles": len(evidence), "unreadable_bundles": bad},
    )
    if bad:
        raise typer.Exit(code=2)


class ImportSource(StrEnum):
    uiautomator = "uiautomator"
    gkd = "gkd"
    screenshots = "screenshots"


@app.command("import")
def import_command(
    source: Annotated[ImportSource, typer.Argument(help="来源 / source: uiautomator | gkd | screenshots")],
    files: Annotated[list[Path], typer.Argument(help="按时间顺序的文件 / files in time order")],
    out: Annotated[Path, typer.Option("--output", "-o", help="新采集包目录 / new bundle folder")],
    density: Annotated[
        int | None,
        typer.Option("--density", help="屏幕密度（dpi；必填，不猜测）/ screen density (dpi): required, never guessed"),
    ] = None,
    package: Annotated[str | None, typer.Option("--package", help="应用包名 / app package")] = None,
    interval_ms: Annotated[int, typer.Option(min=1, help="帧间隔 / ms between frames")] = 1000,
) -> None:
    """把现有抓取导入为采集包 / import dumps, GKD snapshots or screenshots as a bundle."""
    from ganzhi.collect.ui.importers import import_gkd, import_screenshots, import_uiautomator

    try:
        if source is ImportSource.gkd:
            bundle = import_gkd(files, out, density_dpi=density)
        else:
            if not package:
                raise fail("--package is required for uiautomator dumps and screenshots")
            importer = import_uiautomator if source is ImportSource.uiautomator else import_screenshots
            bundle = importer(files, out, package=package, density_dpi=density, interval_ms=interval_ms)
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    err_console.print(f"wrote {out} ({len(bundle.manifest.frames)} frames)")


@app.command("evaluate-aidui")
def evaluate_command(
    labels: Annotated[Path, typer.Option(help="标注文件 / label file")] = AIDUI_LABELS,
    images: Annotated[Path, typer.Option(help="截图目录（AidUI）/ AidUI screenshots")] = AIDUI_IMAGES,
    templates: Annotated[Path | None, typer.Option("--templates", help=_TEMPLATES_HELP)] = None,
    threshold: Annotated[float | None, typer.Option(min=0, max=1, help="模板匹配阈值 / NCC threshold")] = None,
    ocr: Annotated[OcrMode, typer.Option("--ocr", help=_OCR_HELP)] = OcrMode.auto,
    text_threshold: Annotated[float | None, typer.Option(min=0, max=1, help="文字按钮阈值 / text threshold")] = None,
    folds: Annotated[int, typer.Option(min=2, help="交叉验证折数 / folds over screens")] = 5,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
) -> None:
    """仅截图检测的精确率/召回率（阈值在其余折上选定）/ held-out screenshot-only precision and recall on AidUI."""
    from ganzhi.training.ui.evaluation import evaluate_aidui, load_labels

    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="ui evaluate-aidui")
    if not images.is_dir():
        raise fail(f"{images}: AidUI screenshots not found (../shared/data/ui/aidui/mobile_nagging_png)")
    detector = _detector(templates, threshold, ocr=ocr, text_threshold=text_threshold)
    try:
        count = len(load_labels(labels))
        with progress_bar("AidUI", count) as bar:
            report = evaluate_aidui(
                labels, images, detector, folds=folds, on_image=lambda: bar.advance(bar.task_ids[0])
            )
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    if fmt is OutputFormat.json:
        console.out(json.dumps(report, ensure_ascii=False, indent=1), highlight=False)
        return
    _print_evaluation(report)


def _print_evaluation(report: dict[str, Any]) -> None:
    from rich.table import Table

    seconds = report["seconds_per_image"]
    held = report["held_out"]
    table = Table(
        title=f"AidUI 关闭控件检测 / close detection: {report['images']} screens, "
        f"OCR {'on' if report['ocr'] else 'off'}, {seconds['total']} s/screen "
        f"(templates {seconds['template']}, OCR {seconds['ocr']})"
    )
    for column in ("figure", "tpl/ocr", "TP", "FP", "P", "R", "R icon", "R text"):
        table.add_column(column)

    def add(name: str, thresholds: str, row: dict[str, Any]) -> None:
        kinds = row["recall_by_kind"]
        table.add_row(
            name,
            thresholds,
            str(row["true_positives"]),
            str(row["false_positives"]),
            str(row["precision"]),
            str(row["recall"]),
            str(kinds.get("icon", {}).get("recall")),
            str(kinds.get("text", {}).get("recall")),
        )

    def shown(thresholds: dict[str, float]) -> str:
        return f"{thresholds['template']:.3f}/{thresholds['ocr']:.2f}"

    add(f"held-out, {held['folds']}-fold", "per fold", held["pooled"])
    for row in held["per_fold"]:
        add(f"  fold {row['fold']} ({row['screens']})", shown(row["thresholds"]), row)
    if "held_out_learned_lexicon" in report:
        add("held-out, learned lexicon", "per fold", report["held_out_learned_lexicon"]["pooled"])
    add("all, defaults (optimistic)", shown(report["at_threshold"]["threshold"]), report["at_threshold"])
    table.caption = (
        "held-out: thresholds chosen on the other folds; learned lexicon: GKD literals + training-fold label texts"
    )
    console.print(table)
