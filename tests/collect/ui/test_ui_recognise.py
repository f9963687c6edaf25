from __future__ import annotations

import json
from pathlib import Path

import pytest

from ganzhi.collect.ui.hierarchy import parse_hierarchy
from ganzhi.collect.ui.image import load_rgb
from ganzhi.collect.ui.lexicon import load_lexicon
from ganzhi.collect.ui.linear import LinearModel, load_model
from ganzhi.collect.ui.ocr import TextLine
from ganzhi.collect.ui.ranking import RANK_FEATURES, candidates, has_close, load_ranker, rank
from ganzhi.collect.ui.recognise import (
    FEATURES,
    Observation,
    Recogniser,
    SplashCues,
    load_recogniser,
    text_cues,
)
from ganzhi.collect.ui.screen import pixel_cues
from ganzhi.collect.ui.templates import TemplateMatch
from ganzhi.errors import InputError
from ganzhi.forge.ui.screens import popup_png


def _observation(lines: list[TextLine], icons: list[TemplateMatch], *, popup: bool = True) -> Observation:
    drawn = popup_png(with_popup=popup)
    return Observation(1080, 1920, tuple(lines), tuple(icons), 0.0, pixel_cues(load_rgb(drawn.png)))


def test_pixel_cues_see_the_dimmed_backdrop_and_the_card() -> None:
    drawn = popup_png()
    cues = pixel_cues(load_rgb(drawn.png))
    assert cues.values["dim_backdrop_card"] == 1.0 and cues.values["backdrop_luma"] < 0.4
    assert cues.card is not None and drawn.card is not None
    # the card found lies within 10 % of the screen of the drawn one on every side
    assert all(abs(a - b) <= 0.1 * 1080 for a, b in zip(cues.card, drawn.card, strict=True))
    plain = pixel_cues(load_rgb(popup_png(with_popup=False).png))
    assert plain.values["dim_backdrop_card"] == 0.0 and plain.values["backdrop_luma"] > 0.9
    assert plain.values["card_height"] < 0.1  # a list row, not a card


def test_text_cues_name_ad_marks_skip_countdowns_and_install_buttons() -> None:
    lines = [TextLine((0, 0, 50, 20), "Ad", 0.99), TextLine((0, 0, 50, 20), "跳过 5s", 0.99)]
    lines.append(TextLine((0, 0, 50, 20), "INSTALL", 0.99))
    cues = text_cues(lines, load_lexicon())
    assert cues["ad_mark"] == cues["skip_label"] == cues["countdown_label"] == cues["install_button"] == 1.0
    assert text_cues([TextLine((0, 0, 5, 5), "Settings", 0.9)], load_lexicon())["ad_mark"] == 0.0


def test_linear_model_round_trips_and_refuses_foreign_files(tmp_path: Path) -> None:
    model = LinearModel(("a", "b"), (0.0, 1.0), (1.0, 2.0), (2.0, -1.0), 0.5, 0.4, {"note": "x"})
    again = LinearModel.from_json(json.loads(json.dumps(model.as_json())))
    assert again.probability({"a": 1.0, "b": 3.0}) == pytest.approx(model.probability({"a": 1.0, "b": 3.0}))
    assert model.probability({"a": 3.0}) > model.probability({"a": -3.0})
    assert model.contributions({"a": 1.0, "b": 1.0}) == {"a": 2.0, "b": -0.0}
    with pytest.raises(ValueError, match="features this code does not compute"):
        LinearModel.from_json(model.as_json(), expected=("a",))
    bad = tmp_path / "m.json"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match=r"m\.json: not a logistic model file"):
        load_model(bad)
    with pytest.raises(InputError, match=r"missing\.json"):
        load_model(tmp_path / "missing.json")


def test_shipped_artefacts_fit_the_code_and_are_small() -> None:
    recogniser = load_recogniser()
    ranker = load_ranker()
    assert set(recogniser.model.features) == set(FEATURES) and set(ranker.features) == set(RANK_FEATURES)
    assert recogniser.model.meta["held_out"]["precision"] is not None
    assert "tt_splash_skip_btn" in recogniser.splash.ids and "PortraitADActivity" in recogniser.splash.activities
    for path in (Path(__file__).resolve().parents[3] / "src" / "ganzhi" / "collect" / "ui" / "data").glob("*.json"):
        assert path.stat().st_size < 1_000_000, path


def test_a_tree_with_a_gkd_splash_id_is_recognised_without_the_model() -> None:
    xml = (
        b"<?xml version='1.0' encoding='UTF-8'?><hierarchy rotation='0'>"
        b"<node index='0' text='' resource-id='com.x:id/tt_splash_skip_btn' class='android.widget.TextView' "
        b"package='com.x' content-desc='' clickable='true' enabled='true' bounds='[900,60][1040,120]' /></hierarchy>"
    )
    tree = parse_hierarchy(xml, "uiautomator")
    recogniser = Recogniser(load_recogniser().model, SplashCues(ids=frozenset({"tt_splash_skip_btn"})))
    found = recogniser.recognise(None, load_lexicon(), hierarchy=tree, activity="com.x.MainActivity")
    assert (
        found.is_ad and found.source == "tree" and found.kind == "splash" and "id:tt_splash_skip_btn" in found.present
    )
    plain = recogniser.recognise(None, load_lexicon(), hierarchy=None, activity="com.x.MainActivity")
    assert not plain.is_ad


def test_recognition_says_which_cues_were_missing() -> None:
    recogniser = load_recogniser()
    screen = _observation([], [], popup=False)
    found = recogniser.recognise(screen, load_lexicon())
    assert not found.is_ad
    assert "ad_mark" in found.missing and "dim_backdrop_card" in found.missing
    assert found.reason("zh").startswith("未识别为弹窗/广告，缺少：") and "“广告/Ad/Sponsored”标识" in found.reason(
        "zh"
    )
    assert "an AdChoices mark" in found.reason("en")


def test_a_dimmed_card_with_an_ad_mark_a_close_icon_and_an_install_button_is_recognised() -> None:
    drawn = popup_png()
    assert drawn.close is not None and drawn.accept is not None and drawn.dismiss is not None
    lines = [TextLine(drawn.accept, "INSTALL", 0.98), TextLine((130, 560, 190, 590), "Ad", 0.95)]
    screen = _observation(lines, [TemplateMatch(drawn.close, 0.93, "glyph_x_bold")])
    found = load_recogniser().recognise(screen, load_lexicon())
    assert found.is_ad and found.source == "screenshot"
    assert {"dim_backdrop_card", "ad_mark", "install_button", "close_icon"} <= set(found.present)
    assert found.reason("en").startswith("recognised as a pop-up/ad from: ")


def test_the_ranker_puts_the_dismiss_button_above_the_accept_button_and_the_body_text() -> None:
    drawn = popup_png()
    assert drawn.dismiss is not None and drawn.accept is not None
    lines = [
        TextLine(drawn.accept, "INSTALL", 0.98),
        TextLine(drawn.dismiss, "NO THANKS", 0.97),
        TextLine((200, 1100, 880, 1150), "The best puzzle game of 2017", 0.96),
    ]
    screen = _observation(lines, [])
    ranked = rank(screen, load_lexicon(), load_ranker())
    assert ranked[0].label == "NO THANKS" and has_close(ranked, load_ranker())
    rows = candidates(screen, load_lexicon())
    assert {r.source for r in rows} == {"ocr"} and all(set(r.values) <= set(RANK_FEATURES) for r in rows)


def test_a_screen_with_nothing_to_tap_has_no_close_control() -> None:
    screen = _observation([TextLine((200, 1100, 880, 1150), "Loading your library", 0.96)], [], popup=False)
    ranked = rank(screen, load_lexicon(), load_ranker())
    assert not has_close(ranked, load_ranker())
    assert not has_close([], load_ranker())


def test_a_status_bar_icon_ranks_below_the_same_x_on_the_card() -> None:
    drawn = popup_png()
    assert drawn.card is not None
    in_bar = TemplateMatch((1000, 10, 1050, 58), 0.97, "glyph_x_thin")
    on_card = TemplateMatch((drawn.card[2] - 70, drawn.card[1] + 10, drawn.card[2] - 20, drawn.card[1] + 60), 0.97, "x")
    screen = _observation([], [in_bar, on_card])
    rows = {r.bounds: r.values for r in candidates(screen, load_lexicon())}
    assert rows[in_bar.bounds]["status_band"] == 1.0 and rows[on_card.bounds]["status_band"] == 0.0
    # just below the 24 dp bar (a close × at the top of a full-screen ad) is not a status icon
    below = TemplateMatch((1000, 40, 1060, 100), 0.97, "x")
    assert candidates(_observation([], [below]), load_lexicon())[0].values["status_band"] == 0.0
    ranked = rank(screen, load_lexicon(), load_ranker())
    assert ranked[0].bounds == on_card.bounds


def test_a_dialog_button_row_marks_the_dismissive_half_and_its_affirmative_partner() -> None:
    lines = [
        TextLine((120, 1160, 260, 1220), "LATER", 0.99),
        TextLine((860, 1160, 930, 1220), "OK", 0.99),
        TextLine((200, 900, 880, 960), "Do you like this app?", 0.99),
        TextLine((860, 1500, 930, 1560), "OK", 0.99),  # another row: no partner
    ]
    rows = {(r.label, r.bounds[1]): r.values for r in candidates(_observation(lines, []), load_lexicon())}
    assert rows[("LATER", 1160)]["pair_dismiss"] == 1.0 and rows[("LATER", 1160)]["pair_accept"] == 0.0
    assert rows[("OK", 1160)]["pair_accept"] == 1.0 and rows[("OK", 1160)]["pair_dismiss"] == 0.0
    assert rows[("OK", 1500)]["pair_accept"] == 0.0
    assert rows[("Do you like this app?", 900)]["pair_dismiss"] == 0.0


class _FocusedFake:
    """Records the focus it was given; says it detected more lines than it read."""

    def __init__(self) -> None:
        self.focus: tuple[int, int, int, int] | None = None

    def read_focused(self, rgb: object, focus: tuple[int, int, int, int] | None) -> tuple[list[TextLine], int]:
        self.focus = focus
        return [TextLine((300, 1200, 500, 1260), "NO THANKS", 0.98)], 20

    def read(self, rgb: object) -> list[TextLine]:
        raise AssertionError("observe asks a focused reader for read_focused")


def test_observe_reads_the_card_first_and_keeps_the_detected_count() -> None:
    from ganzhi.collect.ui.recognise import FOCUS_GROW, MAX_DETECTED, features, focus_of, observe
    from ganzhi.collect.ui.templates import TemplateBank

    rgb = load_rgb(popup_png().png)
    reader = _FocusedFake()
    seen = observe(rgb, TemplateBank(()), reader, None)
    card = seen.pixels.card
    focus = reader.focus
    assert card is not None and focus is not None and focus == focus_of(card, 1080, 1920)
    assert focus[0] == max(0, card[0] - round(FOCUS_GROW * 1080)) and focus[1] == card[1] - round(FOCUS_GROW * 1920)
    assert seen.detected == 20 and len(seen.lines) == 1
    assert features(seen, load_lexicon())["detected_lines"] == 20 / MAX_DETECTED
    # an observation that does not know the count (a plain reader, an old cache) counts the lines it has
    plain = _observation([TextLine((0, 0, 9, 9), "OK", 0.9)] * 3, [])
    assert plain.detected == 0 and features(plain, load_lexicon())["detected_lines"] == 3 / MAX_DETECTED
    assert focus_of(None, 1080, 1920) is None
    assert focus_of((10, 10, 1075, 1910), 1080, 1920) == (0, 0, 1080, 1920)  # clipped to the screen
