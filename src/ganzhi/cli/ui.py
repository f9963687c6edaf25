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
    open_store,
    progress_bar,
    write_text,
)
from ganzhi.collect.ui.paths import AIDUI_ALL, AIDUI_IMAGES, AIDUI_LABELS, AIDUI_RESULT
from ganzhi.errors import GanzhiError

if TYPE_CHECKING:
    from ganzhi.collect.ui.detect import Detector
    from ganzhi.collect.ui.ocr import TextReader
    from ganzhi.evidence.base import Evidence
    from ganzhi.findings.models import Result

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
    from ganzhi.collect.ui.paths import DEFAULT_MARK_DIR, DEFAULT_TEMPLATE_DIR

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
        mark_dir=DEFAULT_MARK_DIR if DEFAULT_MARK_DIR.is_dir() else None,
    )


@app.command("detect-close")
def detect_close_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="截图文件或目录（一个进程内逐张处理）/ screenshots or folders of them (one process)"),
    ] = None,
    image: Annotated[Path | None, typer.Option("--image", help="截图 / one screenshot (PNG/JPEG)")] = None,
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
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """识别弹窗/广告并找出关闭/跳过控件 / recognise pop-ups and ads and find their close and skip controls.

    Exit 2 when some screenshots of a folder could not be read (each is named; the others are reported).
    """
    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="ui detect-close", output=out)
    from ganzhi.collect.ui.hierarchy import HierarchyError, parse_hierarchy, sniff_format

    files = _screens([*(paths or []), *([image] if image is not None else [])])
    if hierarchy is not None and len(files) != 1:
        raise fail("--hierarchy goes with exactly one screenshot")
    detector = _detector(templates, threshold, ocr=ocr, text_threshold=text_threshold)
    tree = None
    if hierarchy is not None:
        try:
            data = hierarchy.read_bytes()
            tree = parse_hierarchy(data, sniff_format(data))
        except HierarchyError as exc:
            raise fail(f"{hierarchy}: {exc}") from None
        except OSError as exc:
            raise fail(f"{hierarchy}: {exc.strerror}") from None
    reports: list[dict[str, Any]] = []
    with progress_bar("识别 / screens", len(files)) as bar:
        for path in files:
            reports.append(_detect_one(detector, path, tree, density))
            bar.advance(bar.task_ids[0])
    unreadable = [r for r in reports if "error" in r]
    if len(files) == 1 and unreadable:
        raise fail(f"{unreadable[0]['image']}: {unreadable[0]['error']}")
    for report in unreadable:
        err_console.print(f"[yellow]skipped[/yellow] {report['image']}: {report['error']}", highlight=False)
    if fmt is OutputFormat.json:
        doc: dict[str, Any] = {"ocr": detector.reader is not None, "screens": reports}
        if len(reports) == 1 and paths is None:  # the one-image form keeps its flat shape
            doc = {"ocr": detector.reader is not None, **reports[0]}
        write_text(out, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    else:
        _print_detections(reports)
    if unreadable:
        raise typer.Exit(code=2)


#: Screenshots taken from one folder at most (bounds a run over an unknown folder).
MAX_SCREENS = 10_000
_SCREEN_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def _screens(paths: list[Path]) -> list[Path]:
    """Files as given, folders expanded to their screenshots (sorted); a missing path or an empty list fails."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in _SCREEN_SUFFIXES and p.is_file())
            if not found:
                raise fail(f"{path}: no screenshots (.png, .jpg, .webp) in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise fail(f"{path}: no such file or folder")
    if not files:
        raise fail("give a screenshot (--image or a path) or a folder of screenshots")
    if len(files) > MAX_SCREENS:
        raise fail(f"{len(files)} screenshots given; at most {MAX_SCREENS} per run")
    return files


def _detect_one(detector: Detector, path: Path, tree: Any, density: int | None) -> dict[str, Any]:
    """Recognition and close candidates of one screenshot; an unreadable one is reported, not fatal."""
    from ganzhi.collect.ui.detect import detect_close
    from ganzhi.collect.ui.image import MAX_IMAGE_BYTES, ImageError, load_rgb

    try:
        if path.stat().st_size > MAX_IMAGE_BYTES:
            return {"image": str(path), "error": f"larger than {MAX_IMAGE_BYTES} bytes"}
        rgb = load_rgb(path.read_bytes())
    except (OSError, ImageError) as exc:
        return {"image": str(path), "error": str(exc)}
    observation = detector.observe(rgb)
    candidates = detect_close(detector, rgb=rgb, hierarchy=tree, observation=observation)
    rows = []
    for c in candidates:
        row = c.as_json()
        if density is not None:
            row["min_side_dp"] = round(min(c.bounds[2] - c.bounds[0], c.bounds[3] - c.bounds[1]) * 160 / density)
        rows.append(row)
    report: dict[str, Any] = {"image": str(path), "candidates": rows, "has_close": bool(rows)}
    if detector.recogniser is not None:
        recognition = detector.recogniser.recognise(observation, detector.lexicon, hierarchy=tree)
        report["recognition"] = {**recognition.as_json(), "reason": recognition.reason("zh")}
    return report


def _print_detections(reports: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title="弹窗识别与关闭控件 / pop-up recognition and close controls")
    for column in ("image", "ad", "p", "close (best)", "score", "source", "label", "min_side_dp"):
        table.add_column(column)
    for report in reports:
        recognition = report.get("recognition") or {}
        best = (report.get("candidates") or [{}])[0]
        table.add_row(
            Path(report["image"]).name,
            "error" if "error" in report else ("yes" if recognition.get("is_ad") else "no"),
            str(recognition.get("probability", "")),
            str(best.get("bounds", report.get("error", "none"))),
            str(best.get("score", "")),
            str(best.get("source", "")),
            str(best.get("label", "")),
            str(best.get("min_side_dp", "")),
        )
    console.print(table)


def _store_run(evidence: list[Any], by_name: dict[str, Path], tasks: tuple[str, ...]) -> None:
    """Inspect the evidence through the ledger and keep the judged pictures (the platform's app page shows them)."""
    from ganzhi.settings import load_settings
    from ganzhi.store.blobs import BlobStore
    from ganzhi.usecases.ui_pictures import inspect_ui

    try:
        inspection, kept = inspect_ui(
            evidence, by_name, open_store(), BlobStore(load_settings().blob_dir), tasks=tasks, note="ui check --store"
        )
    except (GanzhiError, ValueError) as exc:
        raise fail(exc) from None
    for reason in kept.skipped:
        err_console.print(f"[yellow]no picture[/yellow] {reason}", highlight=False)
    err_console.print(
        f"stored run {inspection.run_id}: {len(inspection.results)} results, {len(kept.stored)} judged screenshot(s)",
        highlight=False,
    )


@app.command("check")
def check_command(
    bundles: Annotated[list[Path], typer.Argument(help="采集包目录 / capture bundle folders")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
    evidence_out: Annotated[Path | None, typer.Option(help="证据JSONL / also write the evidence (JSON Lines)")] = None,
    templates: Annotated[Path | None, typer.Option("--templates", help=_TEMPLATES_HELP)] = None,
    ocr: Annotated[OcrMode, typer.Option("--ocr", help=_OCR_HELP)] = OcrMode.auto,
    lang: Annotated[str, typer.Option(help="语言 / language: zh or en")] = "zh",
    store: Annotated[
        bool,
        typer.Option(
            "--store",
            help="存入平台：记录检测批次、更新问题并保存判定截图（应用页面可见） / store the run on the platform: "
            "record it, update tracked issues and keep the judged screenshots shown on the app page",
        ),
    ] = False,
) -> None:
    """分析采集包并运行T4/T3界面检查 / analyze bundles and run the T4/T3 UI checks."""
    from ganzhi.cli._report import RESULT_FORMATS, emit_results
    from ganzhi.collect.ui.analyze import bundle_evidence
    from ganzhi.collect.ui.bundle import load_bundle
    from ganzhi.engine.runner import evaluate

    check_format(fmt, (*RESULT_FORMATS, OutputFormat.html), command="ui check", output=out)
    detector = _detector(templates, ocr=ocr)  # screenshot-only frames: text buttons (跳过) need OCR
    evidence = []
    paths: dict[str, Path] = {}
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
        paths[str(item.data.get("bundle"))] = path
    if evidence_out is not None:
        write_text(evidence_out, "".join(e.model_dump_json() + "\n" for e in evidence))
    if not evidence:
        raise fail("no bundle could be read")
    tasks = ["T3", "T4"]  # ui_episode evidence: the T4 pop-up and T3 purpose checks
    if any(item.data.get("list_reach") for item in evidence):
        tasks += ["T6", "T7"]  # a navigation capture: the lists' menu level
    outcome = evaluate(evidence, tasks=tuple(tasks))
    if store:
        _store_run(evidence, paths, tuple(tasks))
    if fmt is OutputFormat.html:
        write_text(out, html_report(evidence, list(outcome.results), bundles, lang="en" if lang == "en" else "zh"))
        if bad:
            raise typer.Exit(code=2)
        return
    emit_results(
        outcome.results,
        fmt,
        out,
        lang="en" if lang == "en" else "zh",
        meta={"run_id": outcome.run_id, "bundles": len(evidence), "unreadable_bundles": bad},
    )
    if bad:
        raise typer.Exit(code=2)


class Scenario(StrEnum):
    imported = "imported"
    navigation = "navigation"
    cold_start = "cold-start"


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
    scenario: Annotated[
        Scenario,
        typer.Option(
            help="场景：imported；navigation＝从首页起的导航（测清单菜单层级）/ scenario: navigation = a walk from "
            "the app's home (measures the T6/T7 list menu level)"
        ),
    ] = Scenario.imported,
) -> None:
    """把现有抓取导入为采集包 / import dumps, GKD snapshots or screenshots as a bundle."""
    from ganzhi.collect.ui.importers import import_gkd, import_screenshots, import_uiautomator

    try:
        kind = scenario.value
        if source is ImportSource.gkd:
            bundle = import_gkd(files, out, density_dpi=density, scenario=kind)
        else:
            if not package:
                raise fail("--package is required for uiautomator dumps and screenshots")
            importer = import_uiautomator if source is ImportSource.uiautomator else import_screenshots
            bundle = importer(files, out, package=package, density_dpi=density, interval_ms=interval_ms, scenario=kind)
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    err_console.print(f"wrote {out} ({len(bundle.manifest.frames)} frames)")


@app.command("evaluate-aidui")
def evaluate_command(
    labels: Annotated[Path, typer.Option(help="标注文件 / label file")] = AIDUI_LABELS,
    images: Annotated[Path, typer.Option(help="截图目录（AidUI）/ AidUI screenshots")] = AIDUI_IMAGES,
    popups: Annotated[
        Path, typer.Option(help="全部移动端截图（AidUI，识别评估）/ all AidUI mobile screens (recognition)")
    ] = AIDUI_ALL,
    classes: Annotated[Path, typer.Option(help="类别定义（AidUI，COCO）/ AidUI classes (COCO)")] = AIDUI_RESULT,
    recognition: Annotated[
        bool, typer.Option(help="评估弹窗识别与关闭控件排序 / evaluate recognition and the close ranker")
    ] = True,
    seed: Annotated[int, typer.Option(help="分折随机种子 / seed of the grouped folds")] = 17,
    cache: Annotated[
        Path | None, typer.Option(help="观测缓存（JSON，免重复OCR）/ observation cache (JSON, skips OCR on re-runs)")
    ] = None,
    templates: Annotated[Path | None, typer.Option("--templates", help=_TEMPLATES_HELP)] = None,
    threshold: Annotated[float | None, typer.Option(min=0, max=1, help="模板匹配阈值 / NCC threshold")] = None,
    ocr: Annotated[OcrMode, typer.Option("--ocr", help=_OCR_HELP)] = OcrMode.auto,
    text_threshold: Annotated[float | None, typer.Option(min=0, max=1, help="文字按钮阈值 / text threshold")] = None,
    folds: Annotated[int, typer.Option(min=2, help="交叉验证折数 / folds over screens")] = 5,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
) -> None:
    """弹窗识别精确率/召回率、关闭控件top-1/top-3、T4判不合规门槛（按应用分组交叉验证）/ held-out recognition,
    close-control and T4 FAIL-gate figures on AidUI (grouped cross-validation).

    Output (table; `-f json` gives the same as `learned` and the close-detection report):
    (1) recognition precision/recall at the model's decision threshold, close top-1/top-3 and "no close control"
    precision; (2) the T4 FAIL gates, from the same out-of-fold predictions: per probability (0.7, 0.8, 0.9,
    0.95 and the catalog's T4 `screenshot_fail_min_recognition` / `screenshot_fail_min_close_score`) the
    screens reaching the recognition gate and the share that are NAGGING, the NAGGING screens whose best close
    candidate reaches the close gate and the share of right picks, and both gates at the catalog values together;
    (3) close detection at fixed thresholds (templates + OCR lexicon, k-fold by file name).
    Protocol: screens grouped by app, groups shuffled with `--seed` into `--folds` folds; every model, learned
    phrase and threshold is fitted on the training folds only, figures pooled over the held-out folds.
    """
    from ganzhi.training.ui.evaluation import evaluate_aidui, load_labels

    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="ui evaluate-aidui")
    if not images.is_dir():
        raise fail(f"{images}: AidUI screenshots not found (../shared/data/ui/aidui/mobile_nagging_png)")
    if recognition and not popups.is_dir():
        raise fail(
            f"{popups}: AidUI mobile screens not found (../shared/data/ui/aidui/mobile_jpg); or --no-recognition"
        )
    detector = _detector(templates, threshold, ocr=ocr, text_threshold=text_threshold)
    try:
        count = len(load_labels(labels))
        with progress_bar("AidUI", count) as bar:
            report = evaluate_aidui(
                labels, images, detector, folds=folds, on_image=lambda: bar.advance(bar.task_ids[0])
            )
        if recognition:
            from ganzhi.training.ui.recognition_train import run

            total = sum(1 for _ in popups.glob("*.jpg")) + count
            with progress_bar("识别 / recognition", total) as bar:
                learned, _, _ = run(
                    detector,
                    popups_dir=popups,
                    result_json=classes,
                    nagging_dir=images,
                    labels_path=labels,
                    folds=folds,
                    seed=seed,
                    cache=cache,
                    on_image=lambda: bar.advance(bar.task_ids[0]),
                )
            report["learned"] = learned
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    if fmt is OutputFormat.json:
        console.out(json.dumps(report, ensure_ascii=False, indent=1), highlight=False)
        return
    if "learned" in report:
        _print_learned(report["learned"])
    _print_evaluation(report)


def _print_learned(report: dict[str, Any]) -> None:
    from rich.table import Table

    recognition, close = report["recognition"], report["close"]
    table = Table(
        title=f"AidUI 弹窗识别与关闭控件 / recognition and close ranking (OCR {'on' if report['ocr'] else 'off'})"
    )
    for column in ("figure", "value", "counts"):
        table.add_column(column)
    table.add_row(
        "recognition precision",
        str(recognition["precision"]),
        f"TP {recognition['tp']} / FP {recognition['fp']} ({recognition['screens']} screens, "
        f"{recognition['positives']} NAGGING, {recognition['groups']} groups)",
    )
    table.add_row("recognition recall", str(recognition["recall"]), f"FN {recognition['fn']}")
    table.add_row("close top-1", str(close["top1"]), f"{close['with_close']} screens with a close control")
    table.add_row("close top-3", str(close["top3"]), f"candidate recall {close['candidate_recall']}")
    none = close["no_close"]
    table.add_row(
        "'no close control' precision",
        str(none["precision"]),
        f"right {none['right']} / said {none['said']}; {close['without_close']} screens without one",
    )
    table.caption = report["protocol"]
    console.print(table)
    if "fail_gates" in report:
        _print_gates(recognition["gates"], close["gates"], report["fail_gates"])


def _print_gates(recognition: list[dict[str, Any]], close: list[dict[str, Any]], both: dict[str, Any]) -> None:
    """The T4 FAIL gates measured on the out-of-fold predictions, one row per probability value."""
    from rich.table import Table

    from ganzhi.training.ui.recognition_train import CLOSE_GATE, RECOGNITION_GATE

    table = Table(title="T4 判不合规门槛 / FAIL gates (out-of-fold)")
    for column in ("≥ p", "catalog", "screens", "NAGGING", "P", "R", "close n", "right", "top-1 P"):
        table.add_column(column)
    closing = {row["threshold"]: row for row in close}
    marks: dict[float, list[str]] = {}
    marks.setdefault(both[RECOGNITION_GATE], []).append("recognition")
    marks.setdefault(both[CLOSE_GATE], []).append("close")
    for row in recognition:
        other = closing.get(row["threshold"], {})
        table.add_row(
            str(row["threshold"]),
            "+".join(marks.get(row["threshold"], [])),
            str(row["screens"]),
            str(row["nagging"]),
            str(row["precision"]),
            str(row["recall"]),
            str(other.get("screens", "")),
            str(other.get("right", "")),
            str(other.get("precision", "")),
        )
    table.caption = (
        "screens/NAGGING/P/R: screens whose pop-up probability reaches p, how many are NAGGING, precision, share "
        "of all NAGGING; close n/right/top-1 P: labelled NAGGING screens whose best close candidate reaches p, "
        "how many picks are a labelled control, precision. "
        f"Both gates at the catalog values (recognition ≥ {both[RECOGNITION_GATE]}, close ≥ {both[CLOSE_GATE]}): "
        f"{both['nagging_reaching_both']} of {both['labelled_nagging']} labelled NAGGING screens, "
        f"{both['nagging_reaching_both_right_control']} with the right control; "
        f"{both['not_nagging_reaching_both']} of {both['not_nagging_reaching_recognition']} non-NAGGING screens "
        f"past the recognition gate also pass the close gate. {both['source']}"
    )
    console.print(table)


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


def html_report(evidence: list[Evidence], results: list[Result], bundles: list[Path], *, lang: str) -> str:
    """One self-contained HTML page: per ad window, the screenshot with the close control and the verdict drawn
    on it (PNG inline), then every result as a table."""
    import base64
    import html

    from ganzhi.collect.ui.overlay import window_picture
    from ganzhi.evidence.ui import UiEpisode

    def text(result: Result) -> str:
        return (result.message.en if lang == "en" else result.message.zh) or result.message.zh

    folders = {path.name: path for path in bundles}
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>ganzhi ui check</title>",
        "<style>body{font-family:sans-serif;margin:1.5em}img{max-width:360px;border:1px solid #ccc}"
        "td,th{border:1px solid #ddd;padding:4px 6px;font-size:13px}table{border-collapse:collapse}"
        ".FAIL{color:#b91c1c}.WARN{color:#b45309}.PASS{color:#15803d}.MANUAL{color:#1d4ed8}</style></head><body>",
        "<h1>界面检查 / UI check</h1>",
    ]
    for item in evidence:
        episode = UiEpisode.model_validate(item.data)
        folder = folders.get(episode.bundle)
        parts.append(f"<h2>{html.escape(episode.bundle)} — {html.escape(episode.package)}</h2>")
        if not episode.ad_windows:
            notes = episode.unrecognised or ["—"]
            parts.append("<p>未识别到开屏或弹窗广告 / no ad recognised:</p><ul>")
            parts.extend(f"<li>{html.escape(n)}</li>" for n in notes)
            parts.append("</ul>")
        for position, window in enumerate(episode.ad_windows):
            key = f"{window.kind}:{window.activity}"
            mine = [
                r
                for r in results
                if r.data.get("window") == key and r.data.get("bundle") == episode.bundle and r.task == "T4"
            ]
            verdict = [(r.status.value, f"{r.data.get('aspect', r.check_id)}: {text(r)}") for r in mine]
            picture = window_picture(folder, episode, position, verdict) if folder is not None else None
            parts.append(f"<h3>{html.escape(key)} ({window.start_ms}–{window.end_ms} ms)</h3>")
            if window.cues:
                parts.append(f"<p>识别依据 / cues: {html.escape(', '.join(window.cues))}</p>")
            if picture is not None:
                encoded = base64.b64encode(picture).decode("ascii")
                parts.append(f"<img alt='{html.escape(key)}' src='data:image/png;base64,{encoded}'>")
    parts.append("<h2>结果 / results</h2><table><tr><th>check</th><th>status</th><th>message</th><th>data</th></tr>")
    for result in results:
        status = result.status.value
        data = html.escape(json.dumps(result.data, ensure_ascii=False)[:400])
        parts.append(
            f"<tr><td>{html.escape(result.check_id)}</td><td class='{status}'>{status}</td>"
            f"<td>{html.escape(text(result))}</td><td><code>{data}</code></td></tr>"
        )
    parts.append("</table></body></html>\n")
    return "".join(parts)
