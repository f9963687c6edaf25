from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.shared_data import shared_path

from ganzhi.collect.ui.image import load_rgb
from ganzhi.collect.ui.lexicon import load_lexicon_without_seeds, normalise_label
from ganzhi.collect.ui.ocr import TextLine
from ganzhi.collect.ui.recognise import Observation
from ganzhi.collect.ui.screen import pixel_cues
from ganzhi.collect.ui.templates import TemplateMatch
from ganzhi.errors import InputError
from ganzhi.forge.ui.screens import popup_png
from ganzhi.training.ui.recognition_train import (
    CLOSE_GATE,
    GATE_REQUIREMENT,
    RECOGNITION_GATE,
    BestPick,
    catalog_gates,
    close_gates,
    fail_gates,
    folds_of,
    gkd_splash,
    groups_of,
    learned_lexicon,
    ranking_cv,
    recognition_cv,
    recognition_gates,
)

NAMES = [
    "1368.jpg",
    "1370.jpg",
    "1395.jpg",
    "1500.jpg",
    "10277_92JZ8UO.jpg",
    "music_11--Edijing-mix-1-35_ed63.jpg",
    "music_11--Edijing-mix-4-59_6039.jpg",
    "music_2--Youtube-Music-0-8_89fe.jpg",
]


def test_groups_are_apps_or_runs_of_rico_ids() -> None:
    groups = groups_of(NAMES)
    assert groups["music_11--Edijing-mix-1-35_ed63.jpg"] == groups["music_11--Edijing-mix-4-59_6039.jpg"] == "music_11"
    assert groups["1368.jpg"] == groups["1370.jpg"] == groups["1395.jpg"]  # gaps of 2 and 25
    assert groups["1500.jpg"] != groups["1395.jpg"]  # a gap of 105 starts a new family
    assert groups["10277_92JZ8UO.jpg"] not in {groups["1500.jpg"], groups["music_2--Youtube-Music-0-8_89fe.jpg"]}


def test_folds_keep_groups_together_and_depend_only_on_the_seed() -> None:
    groups = groups_of(NAMES)
    folds = folds_of(groups, 3, seed=17)
    assert folds == folds_of(groups, 3, seed=17)
    for name, group in groups.items():
        assert all(folds[other] == folds[name] for other, g in groups.items() if g == group)
    assert set(folds.values()) == {0, 1, 2}


def test_learned_lexicon_takes_only_the_given_labels() -> None:
    base = load_lexicon_without_seeds()
    labels = {"a.png": {"controls": [{"kind": "text", "label": "Maybe Later"}, {"kind": "icon", "label": "×"}]}}
    learned = learned_lexicon(base, labels)
    assert normalise_label("Maybe Later") in learned.texts and normalise_label("Maybe Later") not in base.texts


def test_gkd_splash_keeps_ad_ids_and_ad_activities_only(tmp_path: Path) -> None:
    path = tmp_path / "splash.json"
    stats = {
        "top_id_suffixes": [["tt_splash_skip_btn", 17], ["content", 5], ["ivClose", 1]],
        "top_activity_simple_names": [["MainActivity", 8], ["PortraitADActivity", 4]],
    }
    path.write_text(json.dumps({"splash_stats": stats}), encoding="utf-8")
    assert gkd_splash(path) == {"ids": ["ivClose", "tt_splash_skip_btn"], "activities": ["PortraitADActivity"]}
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(InputError, match="not the GKD splash table"):
        gkd_splash(path)


def _screens() -> tuple[dict[str, Observation], dict[str, dict[str, object]]]:
    """Twelve drawn screens in six apps: pop-ups with a NO THANKS button, and app screens with none."""
    observations: dict[str, Observation] = {}
    labels: dict[str, dict[str, object]] = {}
    for index in range(12):
        popup = index % 2 == 0
        drawn = popup_png(with_popup=popup, seed=index)
        name = f"app_{index // 2}--Screen-{index}.png"
        lines = [TextLine((200, 1000, 880, 1040), "Top stories today", 0.95)]
        controls: list[dict[str, object]] = []
        if popup and drawn.dismiss is not None and drawn.accept is not None:
            lines += [TextLine(drawn.dismiss, "NO THANKS", 0.97), TextLine(drawn.accept, "INSTALL", 0.98)]
            controls.append({"bounds": list(drawn.dismiss), "kind": "text", "label": "NO THANKS"})
        icons = (TemplateMatch((40, 40, 90, 90), 0.75, "glyph_x_thin"),)
        observations[name] = Observation(1080, 1920, tuple(lines), icons, 0.0, pixel_cues(load_rgb(drawn.png)))
        labels[name] = {"width": 1080, "height": 1920, "controls": controls}
    return observations, labels


def test_cross_validated_ranking_and_recognition_on_drawn_screens() -> None:
    observations, labels = _screens()
    base = load_lexicon_without_seeds()
    close = ranking_cv(observations, labels, folds=3, seed=1, base=base)
    assert close["with_close"] == 6 and close["without_close"] == 6 and close["groups"] == 6
    assert close["top1"] == 1.0 and close["top3"] == 1.0
    assert close["no_close"]["precision"] == 1.0 and close["no_close"]["said"] == 6
    classes = {n: ({"NAGGING"} if labels[n]["controls"] else {"NO DP"}) for n in observations}
    recognition = recognition_cv(observations, classes, folds=3, seed=1, lexicon=base)
    assert (recognition["tp"], recognition["fp"], recognition["fn"]) == (6, 0, 0)
    assert recognition["recognised_share_by_class"]["NO DP"]["recognised"] == 0


@pytest.mark.shared_data
def test_the_real_gkd_table_gives_splash_ids() -> None:
    found = gkd_splash(shared_path("ui", "gkd", "gkdkit_splash_rules.json"))
    assert "tt_splash_skip_btn" in found["ids"] and "content" not in found["ids"]


def test_recognition_gates_count_the_screens_reaching_each_probability() -> None:
    scores = {"a": 0.95, "b": 0.85, "c": 0.75, "d": 0.1}
    truth = {"a": 1, "b": 0, "c": 1, "d": 1}
    rows = recognition_gates(scores, truth, (0.9, 0.7, 0.8, 0.9))
    assert [r["threshold"] for r in rows] == [0.7, 0.8, 0.9]  # sorted, each value once
    assert [(r["screens"], r["nagging"]) for r in rows] == [(3, 2), (2, 1), (1, 1)]
    assert rows[1]["precision"] == 0.5 and rows[1]["recall"] == 0.333
    assert recognition_gates({}, {}, (0.9,))[0]["precision"] is None


def test_close_gates_count_right_picks_among_confident_ones() -> None:
    picks = {
        "a": BestPick(0.97, right=True, has_close=True),
        "b": BestPick(0.85, right=False, has_close=True),
        "c": BestPick(0.82, right=False, has_close=False),  # a confident pick on a screen without a control
        "d": BestPick(0.3, right=False, has_close=True),
    }
    rows = {r["threshold"]: r for r in close_gates(picks, (0.8, 0.95))}
    assert (rows[0.8]["screens"], rows[0.8]["right"], rows[0.8]["precision"]) == (3, 1, 0.333)
    assert (rows[0.95]["screens"], rows[0.95]["precision"], rows[0.95]["share_of_with_close"]) == (1, 1.0, 0.333)


def test_the_gates_are_read_from_the_catalog() -> None:
    from ganzhi.catalog.loader import default_catalog

    params = {p.id: p.value for p in default_catalog().requirement(GATE_REQUIREMENT).params}
    gates = catalog_gates()
    assert gates == {RECOGNITION_GATE: params[RECOGNITION_GATE], CLOSE_GATE: params[CLOSE_GATE]}
    assert all(0 < v <= 1 for v in gates.values())


def test_gates_come_from_the_same_out_of_fold_predictions() -> None:
    observations, labels = _screens()
    base = load_lexicon_without_seeds()
    classes = {n: ({"NAGGING"} if labels[n]["controls"] else {"NO DP"}) for n in observations}
    probabilities: dict[str, float] = {}
    recognition = recognition_cv(observations, classes, 3, 1, base, gates=(0.5, 0.9), out_of_fold=probabilities)
    assert set(probabilities) == set(observations) and all(0 <= v <= 1 for v in probabilities.values())
    at = {r["threshold"]: r for r in recognition["gates"]}
    assert at[0.5]["screens"] == sum(v >= 0.5 for v in probabilities.values())
    assert at[0.9]["screens"] <= at[0.5]["screens"]
    picks: dict[str, BestPick] = {}
    close = ranking_cv(observations, labels, 3, 1, base, gates=(0.0,), out_of_fold=picks)
    assert close["gates"][0]["screens"] == len(picks) == 12
    assert close["gates"][0]["right"] == round(close["top1"] * close["with_close"])
    # every screen called certain: the six pop-ups reach both gates, the six app screens are the wrong FAILs
    both = fail_gates(
        {RECOGNITION_GATE: 0.5, CLOSE_GATE: 0.0},
        dict.fromkeys(observations, 1.0),
        picks,
        observations,
        observations,
        labels,
        {n: ({"NAGGING"} if labels[n]["controls"] else {"NO DP"}) for n in observations},
        base,
    )
    assert both["labelled_nagging"] == 12 and both["nagging_reaching_both"] == 12
    assert both["nagging_reaching_both_right_control"] == close["gates"][0]["right"]
    assert both["not_nagging_reaching_recognition"] == 6 and both["not_nagging_reaching_both"] == 6
