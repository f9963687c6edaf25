from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw
from tests.shared_data import shared_path

from ganzhi.collect.ui.detect import DEFAULT_TEMPLATE_THRESHOLD, Detector, detect_close
from ganzhi.collect.ui.hierarchy import parse_uiautomator
from ganzhi.collect.ui.image import gray, load_rgb
from ganzhi.collect.ui.lexicon import load_lexicon
from ganzhi.collect.ui.templates import glyph_templates, load_templates, match_templates, ncc_map
from ganzhi.forge.ui.bundles import Screen, View, uiautomator_xml


def _screen_with_x(x: int, y: int, side: int) -> np.ndarray:
    image = Image.new("RGB", (540, 960), (235, 235, 235))
    draw = ImageDraw.Draw(image)
    m = side // 4
    draw.line((x + m, y + m, x + side - m, y + side - m), fill=(30, 30, 30), width=max(2, side // 9))
    draw.line((x + m, y + side - m, x + side - m, y + m), fill=(30, 30, 30), width=max(2, side // 9))
    return np.asarray(image, dtype=np.uint8)


def test_ncc_is_one_on_the_template_itself() -> None:
    template = glyph_templates()[0].pixels
    image = np.full((80, 80), 255.0)
    image[20:52, 30:62] = template
    scores = ncc_map(image, template)
    assert scores[20, 30] == pytest.approx(1.0, abs=1e-6)
    assert float(scores.max()) == pytest.approx(1.0, abs=1e-6)


def test_drawn_cross_is_found_where_it_is() -> None:
    rgb = _screen_with_x(470, 40, 36)
    matches = match_templates(rgb, glyph_templates(), threshold=0.7)
    assert matches, "the × was not found"
    left, top, right, bottom = matches[0].bounds
    assert left <= 488 <= right and top <= 58 <= bottom


def test_plain_and_noisy_screens_give_nothing() -> None:
    plain = np.full((960, 540, 3), 128, dtype=np.uint8)
    assert match_templates(plain, glyph_templates(), threshold=DEFAULT_TEMPLATE_THRESHOLD) == []
    noise = np.random.default_rng(1).integers(0, 256, size=(960, 540, 3), dtype=np.uint8)
    assert match_templates(noise, glyph_templates(), threshold=DEFAULT_TEMPLATE_THRESHOLD) == []


def test_icon_only_node_is_confirmed_by_template_and_merged() -> None:
    rgb = _screen_with_x(470, 40, 36)
    screen = Screen(
        [
            View(
                bounds=(0, 0, 540, 960),
                children=[
                    View(bounds=(470, 40, 506, 76), cls="android.widget.ImageView", clickable=True),
                    View(bounds=(10, 900, 200, 950), cls="android.widget.TextView", text="跳过", clickable=True),
                ],
            )
        ]
    )
    tree = parse_uiautomator(uiautomator_xml(screen, "com.x"))
    found = detect_close(Detector(load_lexicon(), tuple(glyph_templates()), 0.7), rgb=rgb, hierarchy=tree)
    sources = {c.source for c in found}
    assert any(s.startswith("icon") for s in sources), sources
    assert any(c.source == "text" and c.label == "跳过" for c in found)
    icon = next(c for c in found if c.source.startswith("icon"))
    assert icon.bounds == (470, 40, 506, 76) and "template" in icon.source


@pytest.mark.shared_data
def test_uiguard_template_pasted_into_a_screen_is_found() -> None:
    folder = shared_path("ui", "uiguard", "AdClose")
    templates = load_templates(folder)
    assert any(t.name == "1.pic" for t in templates) and len(templates) < 13, "near-duplicates are dropped"
    icon = Image.open(folder / "1.pic.png").convert("RGB").resize((40, 40))
    canvas = Image.new("RGB", (1080, 1920), (20, 120, 60))
    canvas.paste(icon, (1000, 60))
    rgb = np.asarray(canvas, dtype=np.uint8)
    matches = match_templates(rgb, templates, threshold=DEFAULT_TEMPLATE_THRESHOLD)
    assert matches and matches[0].bounds[0] in range(980, 1021) and matches[0].bounds[1] in range(40, 81)
    assert gray(load_rgb((folder / "1.pic.png").read_bytes())).shape == (34, 35)


def test_batched_search_matches_the_unbatched_reference() -> None:
    from ganzhi.collect.ui.templates import TemplateBank, match_templates_unbatched

    rng = np.random.default_rng(7)
    base = _screen_with_x(470, 40, 36).copy()
    base[600:700, 100:300] = rng.integers(0, 256, size=(100, 200, 3), dtype=np.uint8)
    rgb = np.asarray(Image.fromarray(base).resize((1080, 1920)), dtype=np.uint8)
    bank = TemplateBank(glyph_templates())
    fast = match_templates(rgb, bank, threshold=0.6)
    slow = match_templates_unbatched(rgb, glyph_templates(), threshold=0.6)
    assert fast and slow, "the × was not found"

    def centre(bounds: tuple[int, int, int, int]) -> tuple[float, float]:
        return (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2

    (fx, fy), (sx, sy) = centre(fast[0].bounds), centre(slow[0].bounds)
    assert abs(fx - sx) <= 8 and abs(fy - sy) <= 8 and abs(fx - 976) <= 12 and abs(fy - 116) <= 12
    assert fast[0].score == pytest.approx(slow[0].score, abs=0.08)
    small = np.asarray(Image.fromarray(_screen_with_x(100, 300, 12)).resize((1080, 1920)), dtype=np.uint8)
    fine = [m for m in match_templates(small, bank, threshold=0.6) if m.bounds[2] - m.bounds[0] < 2 * 20]
    reference = match_templates_unbatched(small, glyph_templates(), threshold=0.6)
    assert fine, "the small × is searched at full resolution"
    for match in fine:
        assert any(match.bounds == o.bounds and match.score == pytest.approx(o.score, abs=2e-3) for o in reference)
    assert match_templates(rgb, bank, threshold=0.6) == fast, "cached spectra give the same answer"


def test_one_prepared_screen_serves_several_banks_with_the_same_answers() -> None:
    from ganzhi.collect.ui.templates import ScreenSearch, TemplateBank

    rgb = np.asarray(Image.fromarray(_screen_with_x(470, 40, 36)).resize((1080, 1920)), dtype=np.uint8)
    thin, bold = (TemplateBank([t]) for t in glyph_templates())
    search = ScreenSearch(rgb)
    assert search.match(thin, threshold=0.6) == match_templates(rgb, thin, threshold=0.6)
    assert search.match(bold, threshold=0.6) == match_templates(rgb, bold, threshold=0.6)
    # one size only: every match has that size, and it is among the matches of the full search
    only = search.match(bold, threshold=0.6, shares=(0.065,))
    assert only, "the 36 px × (0.067 of the width) is found at the 0.065 size"
    sides = {m.bounds[2] - m.bounds[0] for m in only}
    assert len(sides) == 1 and abs(sides.pop() - 0.065 * 1080) <= 4
    assert search.match(bold, threshold=0.6, shares=(0.02,)) != only
