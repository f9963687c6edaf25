"""Seconds per screenshot for screenshot-only close-control detection (one core), with the part-1 baseline.

Measured on the AidUI NAGGING screenshots (../shared/data/ui/aidui/mobile_nagging_png), split into the
1080-wide ones (the target: ≤ 1 s each, templates + OCR) and all of them. Rows:
  baseline  part-1 template search (float64, one FFT pair per template and size)
  templates batched float32 search with cached template spectra (TemplateBank)
  ocr       text-line detection + recognition of button-like lines (extra `ocr`; skipped when absent)
  ocr_detect the text-line detection alone (on the copy scaled to DET_WIDTH; recognition = ocr − ocr_detect)
  marks     the AdChoices mark search of `observe` (one size, MARK_SHARES)
  pixels    the pixel cues (backdrop, card, status bar) of `observe`
  detect    the part-2 `detect_close` on the screenshot (templates + OCR + lexicon + merge), the anchor
  recognise_close  what `ui check` now does per screenshot: one observation (close icons, AdChoices marks, OCR
            lines, pixel cues), the pop-up model and the learned close ranker (target ≤ 0.3 s CPU per
            1080×1920 screen); the icon search proposes small icons on a half-size copy and scores them
            exactly around each proposal, OCR detects on a third-size copy and recognises within a budget, the
            lines on the pop-up's card (from the pixel cues) first
Wall time drops when other processes share the cores, so CPU time of this single-threaded process and
the load average are printed too. Models and templates are loaded before timing.
Run: `python -m benchmarks.ui_detect [--runs 1]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any


def _time(work: Callable[[Any], object], images: list[Any], runs: int) -> dict[str, float]:
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        for rgb in images:
            wall, cpu = time.perf_counter(), time.process_time()
            work(rgb)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    return {
        "wall_mean_s": round(statistics.fmean(walls), 3),
        "wall_p90_s": round(sorted(walls)[int(0.9 * (len(walls) - 1))], 3),
        "wall_max_s": round(max(walls), 3),
        "cpu_mean_s": round(statistics.fmean(cpus), 3),
        "cpu_max_s": round(max(cpus), 3),
    }


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from benchmarks._result import write_result
    from ganzhi.collect.ui.detect import Detector, detect_close, ranked_close
    from ganzhi.collect.ui.image import load_rgb
    from ganzhi.collect.ui.ocr import OcrUnavailable, load_reader
    from ganzhi.collect.ui.paths import AIDUI_IMAGES, DEFAULT_MARK_DIR, DEFAULT_TEMPLATE_DIR
    from ganzhi.collect.ui.recognise import MARK_SHARES, OBSERVE_FLOOR
    from ganzhi.collect.ui.screen import pixel_cues
    from ganzhi.collect.ui.templates import match_templates, match_templates_unbatched

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    paths = sorted(AIDUI_IMAGES.glob("*.png"))
    if not paths:
        raise SystemExit(f"AidUI screenshots not found at {AIDUI_IMAGES}")
    screens = [load_rgb(p.read_bytes()) for p in paths]
    groups = {"1080_wide": [s for s in screens if s.shape[1] == 1080], "all": screens}
    try:
        reader = load_reader()
    except OcrUnavailable as exc:
        print(f"note: {exc}; OCR rows skipped")
        reader = None
    anchor = Detector.default(
        DEFAULT_TEMPLATE_DIR if DEFAULT_TEMPLATE_DIR.is_dir() else None, reader=reader, learned=False
    )
    detector = Detector.default(
        DEFAULT_TEMPLATE_DIR if DEFAULT_TEMPLATE_DIR.is_dir() else None,
        reader=reader,
        mark_dir=DEFAULT_MARK_DIR if DEFAULT_MARK_DIR.is_dir() else None,
    )
    templates = list(detector.templates)
    recogniser = detector.recogniser
    assert recogniser is not None

    def recognise_close(rgb: Any) -> object:
        observation = detector.observe(rgb)
        return recogniser.recognise(observation, detector.lexicon), ranked_close(detector, observation)

    rows: dict[str, Callable[[Any], object]] = {
        "baseline": lambda rgb: match_templates_unbatched(rgb, templates, threshold=detector.threshold),
        "templates": lambda rgb: match_templates(rgb, detector.bank, threshold=detector.threshold),
        "marks": lambda rgb: match_templates(rgb, detector.mark_bank, threshold=OBSERVE_FLOOR, shares=MARK_SHARES),
        "pixels": pixel_cues,
        "detect": lambda rgb: detect_close(anchor, rgb=rgb, hierarchy=None),
        "recognise_close": recognise_close,
    }
    if reader is not None:
        rows["ocr"] = reader.read
        rows["ocr_detect"] = reader.detect
    detect_close(anchor, rgb=screens[0], hierarchy=None)  # warm caches and the ONNX sessions
    recognise_close(screens[0])
    figures: dict[str, Any] = {
        "screens": {k: len(v) for k, v in groups.items()},
        "ocr": reader is not None,
        "load_average_at_start": os.getloadavg(),
    }
    for group, images in groups.items():
        figures[group] = {name: _time(work, images, args.runs) for name, work in rows.items()}
    figures["load_average_at_end"] = os.getloadavg()
    figures["target"] = "recognise_close ≤ 0.3 s CPU per 1080×1920 screenshot (one core); anchor: detect"
    wide = figures["1080_wide"]
    figures["speed_up_templates"] = round(wide["baseline"]["cpu_mean_s"] / wide["templates"]["cpu_mean_s"], 2)
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    print(f"{'row (1080 wide)':<18}{'cpu mean s':>12}{'cpu max s':>11}")
    for name in ("detect", "recognise_close", "templates", "marks", "pixels", "ocr", "ocr_detect"):
        if name in wide:
            print(f"{name:<18}{wide[name]['cpu_mean_s']:>12}{wide[name]['cpu_max_s']:>11}")
    print(f"written: {write_result('ui_detect', figures)}")


if __name__ == "__main__":
    main()
