"""Train and evaluate the pop-up recogniser and the close-control ranker on AidUI, grouped by app.

Data (read from ../shared/data, never copied): the 323 AidUI mobile screens (`mobile_jpg/`, classes from
`mobile_result.json`; positive = the screen carries a NAGGING region, i.e. a pop-up or interstitial) and the
41 NAGGING PNGs with our close-control labels (`labels/aidui_close_controls.json`).

Protocol: screens are grouped by app — the app name in Rico-style names (`music_11--Edijing-…` → `music_11`),
else a run of consecutive Rico ids (a gap above `ID_GAP` starts a new family) — and the groups are shuffled
with `seed` and dealt into `folds` folds of about equal size. Every figure is pooled over the held-out folds;
the models, the lexicon's learned phrases and the "no close control" threshold see only the training folds.
The recogniser's decision threshold is the best F-beta (THRESHOLD_BETA < 1: precision first) of an inner grouped
cross-validation on the training folds, never tuned on the figures. The shipped artefacts are then trained on
all screens. The T4 FAIL gates (catalog params of `T4.close-control`) are measured on the same out-of-fold
predictions: precision and count of the screens whose probability reaches each gate value.

Run: `python -m ganzhi.training.ui.recognition_train [--write]` (writes `collect/ui/data/popup_model.json`
and `close_ranker.json` with `--write`); `ganzhi ui evaluate-aidui` prints the same figures.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from ganzhi.collect.ui.detect import Detector
from ganzhi.collect.ui.image import ImageError, load_rgb
from ganzhi.collect.ui.lexicon import Lexicon, load_lexicon, load_lexicon_without_seeds, normalise_label
from ganzhi.collect.ui.linear import Classifier, LinearModel, Tree, TreeModel
from ganzhi.collect.ui.ocr import TextLine
from ganzhi.collect.ui.ranking import RANK_FEATURES, RANKER_PATH, Ranked, candidates
from ganzhi.collect.ui.recognise import FEATURES, POPUP_MODEL_PATH, Observation, features, observe
from ganzhi.collect.ui.screen import PixelCues
from ganzhi.collect.ui.templates import TemplateMatch
from ganzhi.errors import InputError

DEFAULT_SEED = 17
DEFAULT_FOLDS = 5
ID_GAP = 30
TOLERANCE = 0.02
POSITIVE = "NAGGING"
MAX_IMAGES = 5_000
_NAMED = re.compile(r"^([a-z]+_\d+)--")
_NUMBER = re.compile(r"^(\d+)")
GKD_ID_CUE = re.compile(r"ad|splash|skip|count|jump|advert|close|popup", re.I)
GKD_ACTIVITY_CUE = re.compile(r"AD|Advert|Splash", re.I)


def groups_of(names: Sequence[str]) -> dict[str, str]:
    """Screen → group: the app of a named screen, else a family of consecutive Rico ids."""
    found: dict[str, str] = {}
    numbered: list[tuple[int, str]] = []
    for name in names:
        stem = Path(name).stem
        named = _NAMED.match(stem)
        number = _NUMBER.match(stem)
        if named:
            found[name] = named.group(1)
        elif number:
            numbered.append((int(number.group(1)), name))
        else:
            found[name] = stem
    numbered.sort()
    family, last = 0, None
    for value, name in numbered:
        if last is not None and value - last > ID_GAP:
            family += 1
        found[name] = f"rico-{family}"
        last = value
    return found


def folds_of(groups: Mapping[str, str], folds: int, seed: int) -> dict[str, int]:
    """Screen → fold: groups shuffled with `seed`, largest first into the currently smallest fold."""
    members: dict[str, list[str]] = {}
    for name, group in groups.items():
        members.setdefault(group, []).append(name)
    order = sorted(members)
    random.Random(seed).shuffle(order)
    order.sort(key=lambda g: -len(members[g]))  # stable: equal sizes keep the seeded order
    sizes = [0] * folds
    assigned: dict[str, int] = {}
    for group in order:
        fold = min(range(folds), key=lambda f: (sizes[f], f))
        sizes[fold] += len(members[group])
        for name in members[group]:
            assigned[name] = fold
    return assigned


# --- observations (cached: OCR dominates the cost) ---------------------------------------------------------

#: A cache written by another version of `observe` (other reading order, fields) is not reused.
CACHE_FORMAT_KEY = "__format__"
CACHE_FORMAT = "observation-2: card-first OCR reading order, detected line count"


def _observation_json(obs: Observation) -> dict[str, Any]:
    return {
        "width": obs.width,
        "height": obs.height,
        "lines": [asdict(line) for line in obs.lines],
        "icons": [asdict(icon) for icon in obs.icons],
        "adchoices": obs.adchoices,
        "pixels": {"values": obs.pixels.values, "card": obs.pixels.card},
        "detected": obs.detected,
    }


def _observation_from(doc: Mapping[str, Any]) -> Observation:
    card = doc["pixels"]["card"]
    return Observation(
        int(doc["width"]),
        int(doc["height"]),
        tuple(TextLine(tuple(line["bounds"]), line["text"], line["confidence"]) for line in doc["lines"]),
        tuple(TemplateMatch(tuple(i["bounds"]), i["score"], i["template"]) for i in doc["icons"]),
        float(doc["adchoices"]),
        PixelCues(dict(doc["pixels"]["values"]), tuple(card) if card else None),
        int(doc["detected"]),
    )


def observe_all(
    folder: Path,
    names: Sequence[str],
    detector: Detector,
    cache: Path | None = None,
    on_image: Callable[[], None] | None = None,
) -> tuple[dict[str, Observation], float]:
    """Observation per screen (read from `cache` when it holds the screen) and CPU seconds per screen observed."""
    stored: dict[str, Any] = {}
    if cache is not None and cache.is_file():
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored.get(CACHE_FORMAT_KEY) != CACHE_FORMAT:
            stored = {}  # observed by another version of `observe`: read afresh
    stored[CACHE_FORMAT_KEY] = CACHE_FORMAT
    found: dict[str, Observation] = {}
    spent, fresh = 0.0, 0
    for name in names[:MAX_IMAGES]:
        key = f"{folder.name}/{name}"
        if key in stored:
            found[name] = _observation_from(stored[key])
        else:
            try:
                rgb = load_rgb((folder / name).read_bytes())
            except (OSError, ImageError) as exc:
                raise InputError(str(folder / name), str(exc)) from None
            start = time.process_time()
            found[name] = observe(rgb, detector.bank, detector.reader, detector.mark_bank)
            spent += time.process_time() - start
            fresh += 1
            stored[key] = _observation_json(found[name])
        if on_image is not None:
            on_image()
    if cache is not None and fresh:
        cache.write_text(json.dumps(stored), encoding="utf-8")
    return found, round(spent / fresh, 3) if fresh else 0.0


# --- models -------------------------------------------------------------------------------------------------


def fit(
    rows: Sequence[Mapping[str, float]], targets: Sequence[int], names: Sequence[str], kind: str = "logistic"
) -> Classifier:
    """Class-balanced logistic regression on standardised features, or small gradient-boosted trees
    (`kind="trees"`: 60 trees of depth 3, rate 0.1, 80 % subsamples, fixed random state); scikit-learn, training
    only, converted to the shipped JSON form."""
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    matrix = np.array([[float(r.get(n, 0.0)) for n in names] for r in rows])
    target = np.array(targets)
    if kind == "trees":
        boosted = GradientBoostingClassifier(
            n_estimators=60, max_depth=3, learning_rate=0.1, subsample=0.8, random_state=0
        ).fit(matrix, target)
        prior = float(target.mean())
        trees = []
        for estimator in boosted.estimators_[:, 0]:
            tree = estimator.tree_
            trees.append(
                Tree(
                    tuple(int(v) for v in tree.feature),
                    tuple(float(v) for v in tree.threshold),
                    tuple(int(v) for v in tree.children_left),
                    tuple(int(v) for v in tree.children_right),
                    tuple(float(v) for v in tree.value[:, 0, 0]),
                )
            )
        return TreeModel(
            tuple(names),
            tuple(trees),
            math.log(prior / (1 - prior)),
            0.1,
            tuple(float(v) for v in matrix.mean(axis=0)),
        )
    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
    model.fit((matrix - mean) / scale, target)
    return LinearModel(
        tuple(names),
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in model.coef_[0]),
        float(model.intercept_[0]),
    )


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


# --- recognition --------------------------------------------------------------------------------------------


def aidui_classes(result_json: Path) -> dict[str, set[str]]:
    """File name → AidUI class names on that screen (NO DP screens carry only 'NO DP')."""
    try:
        doc = json.loads(result_json.read_text(encoding="utf-8"))
        cats = {c["id"]: c["name"] for c in doc["categories"]}
        images = {i["id"]: Path(i["file_name"]).name for i in doc["images"]}
        found: dict[str, set[str]] = {}
        for note in doc["annotations"]:
            found.setdefault(images[note["image_id"]], set()).add(cats[note["category_id"]])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(str(result_json), f"not AidUI's COCO result file: {exc}") from None
    return found


#: Decision thresholds the recogniser may take (chosen by F-beta in an inner grouped cross-validation).
THRESHOLDS = tuple(round(0.2 + 0.05 * step, 2) for step in range(13))
#: The threshold maximises F-beta with this beta: below 1 precision weighs more than recall, because a screen
#: wrongly recognised as an ad is checked as one (T4), and a wrong FAIL is the worst error; configurable.
THRESHOLD_BETA = 0.8
RECOGNISER_KIND = "trees"
RANKER_KIND = "logistic"
#: Probabilities at which the T4 FAIL gates are measured, besides the catalog's own values.
GATE_THRESHOLDS = (0.7, 0.8, 0.9, 0.95)
#: The requirement whose params are the two screenshot-only FAIL gates of the T4 check.
GATE_REQUIREMENT = "T4.close-control"
RECOGNITION_GATE = "screenshot_fail_min_recognition"
CLOSE_GATE = "screenshot_fail_min_close_score"


def catalog_gates() -> dict[str, float]:
    """The two gates as the shipped catalog sets them (configurable defaults), read the way checks read them."""
    from ganzhi.catalog.loader import default_catalog
    from ganzhi.catalog.params import params_for

    params = params_for(default_catalog(), [GATE_REQUIREMENT])
    return {RECOGNITION_GATE: params.number(RECOGNITION_GATE), CLOSE_GATE: params.number(CLOSE_GATE)}


def inner_threshold(
    rows: Mapping[str, Mapping[str, float]],
    truth: Mapping[str, int],
    names: Sequence[str],
    folds: int,
    seed: int,
    beta: float = THRESHOLD_BETA,
) -> float:
    """The decision threshold with the best F-beta on out-of-fold predictions over `names` alone (grouped folds
    inside the training data; ties go to the higher threshold)."""
    inner = folds_of(groups_of(names), folds, seed + 1)
    scores: dict[str, float] = {}
    for fold in range(folds):
        train = [n for n in names if inner[n] != fold]
        test = [n for n in names if inner[n] == fold]
        if not test or len({truth[n] for n in train}) < 2:
            continue
        model = fit([rows[n] for n in train], [truth[n] for n in train], FEATURES, RECOGNISER_KIND)
        scores.update({n: model.probability(rows[n]) for n in test})
    best = (-1.0, 0.5)
    for t in THRESHOLDS:
        tp = sum(1 for n, v in scores.items() if v >= t and truth[n])
        fp = sum(1 for n, v in scores.items() if v >= t and not truth[n])
        fn = sum(1 for n, v in scores.items() if v < t and truth[n])
        weight = beta * beta
        score = (1 + weight) * tp / ((1 + weight) * tp + weight * fn + fp) if tp else 0.0
        if score >= best[0]:
            best = (score, t)
    return best[1]


def recognition_cv(
    observations: Mapping[str, Observation],
    classes: Mapping[str, set[str]],
    folds: int,
    seed: int,
    lexicon: Lexicon,
    *,
    gates: Sequence[float] = GATE_THRESHOLDS,
    out_of_fold: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Held-out precision/recall of 'this screen is a pop-up or interstitial', pooled over grouped folds; the
    model and its threshold come from the training folds only. `gates`: the same out-of-fold probabilities
    cut at these values (the T4 FAIL gate); `out_of_fold` receives each screen's held-out probability."""
    names = sorted(observations)
    rows = {n: features(observations[n], lexicon) for n in names}
    truth = {n: int(POSITIVE in classes.get(n, set())) for n in names}
    fold_of = folds_of(groups_of(names), folds, seed)
    tp = fp = fn = tn = 0
    by_class: dict[str, list[int]] = {}
    per_fold = []
    scores: dict[str, float] = {}
    for fold in range(folds):
        train = [n for n in names if fold_of[n] != fold]
        test = [n for n in names if fold_of[n] == fold]
        threshold = inner_threshold(rows, truth, train, folds, seed)
        model = fit([rows[n] for n in train], [truth[n] for n in train], FEATURES, RECOGNISER_KIND)
        f_tp = f_fp = f_fn = 0
        for name in test:
            scores[name] = model.probability(rows[name])
            said = scores[name] >= threshold
            if said and truth[name]:
                f_tp += 1
            elif said:
                f_fp += 1
            elif truth[name]:
                f_fn += 1
            else:
                tn += 1
            for cls in classes.get(name, {"NO DP"}):
                by_class.setdefault(cls, [0, 0])
                by_class[cls][0] += int(said)
                by_class[cls][1] += 1
        tp, fp, fn = tp + f_tp, fp + f_fp, fn + f_fn
        per_fold.append(
            {"fold": fold, "screens": len(test), "threshold": threshold, "tp": f_tp, "fp": f_fp, "fn": f_fn}
        )
    if out_of_fold is not None:
        out_of_fold.update(scores)
    return {
        "screens": len(names),
        "positives": sum(truth.values()),
        "groups": len(set(groups_of(names).values())),
        "model": RECOGNISER_KIND,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "recognised_share_by_class": {
            k: {"recognised": v[0], "screens": v[1], "share": _ratio(v[0], v[1])} for k, v in sorted(by_class.items())
        },
        "gates": recognition_gates(scores, truth, gates),
        "per_fold": per_fold,
    }


def recognition_gates(
    scores: Mapping[str, float], truth: Mapping[str, int], thresholds: Sequence[float]
) -> list[dict[str, Any]]:
    """Per gate value: how many screens reach it, how many of those are NAGGING (precision) and what share of
    all NAGGING screens reach it (recall); a screen reaching the gate may FAIL in T4."""
    positives = sum(truth[n] for n in scores)
    rows = []
    for threshold in sorted(set(thresholds)):
        reached = [n for n, value in scores.items() if value >= threshold]
        right = sum(truth[n] for n in reached)
        rows.append(
            {
                "threshold": threshold,
                "screens": len(reached),
                "nagging": right,
                "precision": _ratio(right, len(reached)),
                "recall": _ratio(right, positives),
            }
        )
    return rows


# --- close ranking ------------------------------------------------------------------------------------------


def _hits(row: Ranked, entry: Mapping[str, Any]) -> bool:
    slack = TOLERANCE * float(entry.get("width", 0))
    cx, cy = (row.bounds[0] + row.bounds[2]) / 2, (row.bounds[1] + row.bounds[3]) / 2
    return any(
        c["bounds"][0] - slack <= cx <= c["bounds"][2] + slack
        and c["bounds"][1] - slack <= cy <= c["bounds"][3] + slack
        for c in entry.get("controls", [])
    )


def learned_lexicon(base: Lexicon, labels: Mapping[str, Any]) -> Lexicon:
    """`base` plus the label texts of the given (training) screens."""
    phrases = {
        normalise_label(str(c.get("label", "")))
        for entry in labels.values()
        for c in entry.get("controls", [])
        if c.get("kind") == "text"
    }
    return replace(base, texts=base.texts | frozenset(p for p in phrases if p))


def _training_rows(
    observations: Mapping[str, Observation], labels: Mapping[str, Any], names: Sequence[str], lexicon: Lexicon
) -> tuple[list[dict[str, float]], list[int]]:
    rows, targets = [], []
    for name in names:
        for row in candidates(observations[name], lexicon):
            rows.append(row.values)
            targets.append(int(_hits(row, labels[name])))
    return rows, targets


def _ranked(observation: Observation, lexicon: Lexicon, model: Classifier) -> list[Ranked]:
    from ganzhi.collect.ui.ranking import rank

    return rank(observation, lexicon, model)


def no_close_threshold(
    observations: Mapping[str, Observation],
    labels: Mapping[str, Any],
    names: Sequence[str],
    lexicon: Lexicon,
    model: Classifier,
) -> float:
    """The best-candidate score below which a screen is called 'no close control': best balanced accuracy on
    the given (training) screens; ties go to the lower threshold (saying "no close" only when sure)."""
    best: tuple[float, float] = (-1.0, 0.0)
    tops = []
    for name in names:
        ranked = _ranked(observations[name], lexicon, model)
        tops.append((ranked[0].score if ranked else 0.0, bool(labels[name].get("controls"))))
    for step in range(1, 100):
        t = step / 100
        with_close = [s >= t for s, has in tops if has]
        without = [s < t for s, has in tops if not has]
        parts = [sum(x) / len(x) for x in (with_close, without) if x]
        accuracy = sum(parts) / len(parts) if parts else 0.0
        if accuracy > best[0] + 1e-9:
            best = (accuracy, t)
    return best[1]


def ranking_cv(
    observations: Mapping[str, Observation],
    labels: Mapping[str, Any],
    folds: int,
    seed: int,
    base: Lexicon,
    *,
    gates: Sequence[float] = GATE_THRESHOLDS,
    out_of_fold: dict[str, BestPick] | None = None,
) -> dict[str, Any]:
    """Held-out top-1/top-3 on screens with a close control and precision of 'no close control', grouped folds.
    `gates`: top-1 precision among the screens whose best candidate's held-out score reaches each value (the T4
    FAIL gate); `out_of_fold` receives each screen's best pick."""
    names = sorted(n for n in labels if n in observations)
    fold_of = folds_of(groups_of(names), folds, seed)
    top1 = top3 = with_close = reachable = 0
    said_none = said_none_right = without = 0
    per_fold = []
    missed = []
    picks: dict[str, BestPick] = {}
    for fold in range(folds):
        train = [n for n in names if fold_of[n] != fold]
        test = [n for n in names if fold_of[n] == fold]
        if not test:
            continue
        lexicon = learned_lexicon(base, {n: labels[n] for n in train})
        rows, targets = _training_rows(observations, labels, train, lexicon)
        model = fit(rows, targets, RANK_FEATURES, RANKER_KIND)
        model = replace(model, threshold=no_close_threshold(observations, labels, train, lexicon, model))
        f1 = f3 = fw = 0
        for name in test:
            ranked = _ranked(observations[name], lexicon, model)
            has = bool(labels[name].get("controls"))
            hits = [_hits(r, labels[name]) for r in ranked]
            none = not ranked or ranked[0].score < model.threshold
            picks[name] = BestPick(ranked[0].score if ranked else 0.0, bool(hits[:1] and hits[0]), has)
            if has:
                fw += 1
                reachable += any(hits)
                f1 += bool(hits[:1] and hits[0])
                f3 += any(hits[:3])
                if not (hits[:1] and hits[0]):
                    missed.append(name)
            else:
                without += 1
            if none:
                said_none += 1
                said_none_right += not has
        top1, top3, with_close = top1 + f1, top3 + f3, with_close + fw
        per_fold.append(
            {
                "fold": fold,
                "screens": len(test),
                "with_close": fw,
                "top1": f1,
                "top3": f3,
                "no_close_threshold": model.threshold,
            }
        )
    if out_of_fold is not None:
        out_of_fold.update(picks)
    return {
        "screens": len(names),
        "with_close": with_close,
        "without_close": without,
        "groups": len(set(groups_of(names).values())),
        "top1": _ratio(top1, with_close),
        "top3": _ratio(top3, with_close),
        "candidate_recall": _ratio(reachable, with_close),
        "no_close": {
            "said": said_none,
            "right": said_none_right,
            "precision": _ratio(said_none_right, said_none),
            "recall": _ratio(said_none_right, without),
        },
        "top1_missed": missed,
        "gates": close_gates(picks, gates),
        "per_fold": per_fold,
    }


@dataclass(frozen=True, slots=True)
class BestPick:
    """A screen's best close candidate out of fold: its ranker score, whether it is a labelled control, and
    whether the screen has one at all."""

    score: float
    right: bool
    has_close: bool


def close_gates(picks: Mapping[str, BestPick], thresholds: Sequence[float]) -> list[dict[str, Any]]:
    """Per gate value: screens whose best candidate reaches it, how many of those picks are a labelled close
    control (precision: a wrong pick would back a FAIL on the wrong box), and the share of screens with a close
    control that reach it with the right pick."""
    with_close = sum(p.has_close for p in picks.values())
    rows = []
    for threshold in sorted(set(thresholds)):
        reached = [p for p in picks.values() if p.score >= threshold]
        right = sum(p.right for p in reached)
        rows.append(
            {
                "threshold": threshold,
                "screens": len(reached),
                "right": right,
                "precision": _ratio(right, len(reached)),
                "share_of_with_close": _ratio(right, with_close),
            }
        )
    return rows


# --- the whole run ------------------------------------------------------------------------------------------


def gkd_splash(path: Path) -> dict[str, list[str]]:
    """Splash-ad ids and activity names of GKD's splash groups that name an ad (not `content`, `MainActivity`)."""
    try:
        stats = json.loads(path.read_text(encoding="utf-8"))["splash_stats"]
        ids = [str(row[0]) for row in stats["top_id_suffixes"]]
        activities = [str(row[0]) for row in stats["top_activity_simple_names"]]
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise InputError(str(path), f"not the GKD splash table: {exc}") from None
    return {
        "ids": sorted(i for i in ids if GKD_ID_CUE.search(i)),
        "activities": sorted(a for a in activities if GKD_ACTIVITY_CUE.search(a)),
    }


def run(
    detector: Detector,
    *,
    popups_dir: Path,
    result_json: Path,
    nagging_dir: Path,
    labels_path: Path,
    folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    cache: Path | None = None,
    on_image: Callable[[], None] | None = None,
) -> tuple[dict[str, Any], dict[str, Observation], dict[str, Observation]]:
    """Both held-out reports, plus the observations (to train the shipped models on)."""
    from ganzhi.training.ui.evaluation import load_labels

    labels = load_labels(labels_path)
    classes = aidui_classes(result_json)
    popup_names = sorted(p.name for p in popups_dir.glob("*.jpg"))
    popups, seconds_a = observe_all(popups_dir, popup_names, detector, cache, on_image)
    nagging, seconds_b = observe_all(
        nagging_dir, sorted(n for n in labels if (nagging_dir / n).is_file()), detector, cache, on_image
    )
    base = load_lexicon_without_seeds()
    gate_values = catalog_gates()
    grid = (*GATE_THRESHOLDS, *gate_values.values())
    probabilities: dict[str, float] = {}
    picks: dict[str, BestPick] = {}
    recognition = recognition_cv(popups, classes, folds, seed, base, gates=grid, out_of_fold=probabilities)
    close = ranking_cv(nagging, labels, folds, seed, base, gates=grid, out_of_fold=picks)
    report = {
        "protocol": (
            f"grouped {folds}-fold cross-validation, groups = app (Rico-style name) or a run of Rico ids "
            f"(gap > {ID_GAP} starts a new family), groups shuffled with seed {seed}; figures pooled over held-out "
            "folds; models, learned phrases and the no-close threshold fitted on the training folds only"
        ),
        "seed": seed,
        "folds": folds,
        "ocr": detector.reader is not None,
        "cpu_seconds_per_new_screen": max(seconds_a, seconds_b),
        "recognition": recognition,
        "close": close,
        "fail_gates": fail_gates(gate_values, probabilities, picks, popups, nagging, labels, classes, base),
    }
    return report, popups, nagging


def fail_gates(
    gates: Mapping[str, float],
    probabilities: Mapping[str, float],
    picks: Mapping[str, BestPick],
    popups: Mapping[str, Observation],
    nagging: Mapping[str, Observation],
    labels: Mapping[str, Any],
    classes: Mapping[str, set[str]],
    base: Lexicon,
) -> dict[str, Any]:
    """Both T4 gates at the catalog's values together, from the same held-out predictions: the labelled NAGGING
    screens that would reach FAIL (and with the right close control), and the screens without NAGGING that reach
    both gates (a FAIL there is wrong whatever the control). Those never carry a close label, so their close
    score comes from a ranker fitted on every labelled screen: they are outside its training data."""
    min_recognition, min_close = gates[RECOGNITION_GATE], gates[CLOSE_GATE]
    by_stem = {Path(name).stem: name for name in probabilities}
    reached = right = 0
    for name, pick in picks.items():
        popup = by_stem.get(Path(name).stem)
        if popup is not None and probabilities[popup] >= min_recognition and pick.score >= min_close:
            reached += 1
            right += pick.right
    others = [n for n, v in probabilities.items() if v >= min_recognition and POSITIVE not in classes.get(n, set())]
    wrong = 0
    if others and labels:
        lexicon = learned_lexicon(base, labels)
        rows, targets = _training_rows(nagging, labels, sorted(n for n in labels if n in nagging), lexicon)
        if len(set(targets)) == 2:
            ranker = fit(rows, targets, RANK_FEATURES, RANKER_KIND)
            for name in others:
                ranked = _ranked(popups[name], lexicon, ranker)
                wrong += bool(ranked) and ranked[0].score >= min_close
    return {
        "source": f"catalog {GATE_REQUIREMENT}: {RECOGNITION_GATE}, {CLOSE_GATE} (configurable defaults)",
        RECOGNITION_GATE: min_recognition,
        CLOSE_GATE: min_close,
        "labelled_nagging": len(picks),
        "nagging_reaching_both": reached,
        "nagging_reaching_both_right_control": right,
        "not_nagging_reaching_recognition": len(others),
        "not_nagging_reaching_both": wrong,
    }


def train_shipped(
    popups: Mapping[str, Observation],
    nagging: Mapping[str, Observation],
    labels: Mapping[str, Any],
    classes: Mapping[str, set[str]],
    gkd: Mapping[str, list[str]],
    report: Mapping[str, Any],
) -> tuple[Classifier, Classifier]:
    """The artefacts: both models fitted on every screen, with the held-out figures in their `meta`."""
    base = load_lexicon_without_seeds()
    names = sorted(popups)
    rows_by_name = {n: features(popups[n], base) for n in names}
    truth = {n: int(POSITIVE in classes.get(n, set())) for n in names}
    popup = fit([rows_by_name[n] for n in names], [truth[n] for n in names], FEATURES, RECOGNISER_KIND)
    popup = replace(
        popup,
        threshold=inner_threshold(rows_by_name, truth, names, int(report["folds"]), int(report["seed"])),
        meta={
            "trained_on": f"AidUI mobile, {len(names)} screens, positive = {POSITIVE}",
            "held_out": {k: report["recognition"][k] for k in ("precision", "recall", "tp", "fp", "fn")},
            "protocol": report["protocol"],
            "gkd_splash": dict(gkd),
            "lexicon": "GKD literals without hand-written seeds",
        },
    )
    shipped = load_lexicon()
    rank_names = sorted(n for n in labels if n in nagging)
    rows, targets = _training_rows(nagging, labels, rank_names, shipped)
    ranker = fit(rows, targets, RANK_FEATURES, RANKER_KIND)
    ranker = replace(
        ranker,
        threshold=no_close_threshold(nagging, labels, rank_names, shipped, ranker),
        meta={
            "trained_on": f"AidUI NAGGING, {len(rank_names)} screens, {sum(targets)} positive candidates",
            "held_out": {k: report["close"][k] for k in ("top1", "top3", "no_close")},
            "protocol": report["protocol"],
            "lexicon": "shipped close lexicon",
        },
    )
    return popup, ranker


def main(argv: Sequence[str] | None = None) -> None:
    from ganzhi.collect.ui.detect import Detector
    from ganzhi.collect.ui.ocr import load_reader
    from ganzhi.collect.ui.paths import (
        AIDUI_ALL,
        AIDUI_IMAGES,
        AIDUI_LABELS,
        AIDUI_RESULT,
        DEFAULT_MARK_DIR,
        DEFAULT_TEMPLATE_DIR,
        GKD_SPLASH,
    )

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--folds", type=int, default=DEFAULT_FOLDS)
    parser.add_argument("--cache", type=Path, default=None, help="observation cache (JSON) to re-run without OCR")
    parser.add_argument("--write", action="store_true", help="write the shipped artefacts")
    args = parser.parse_args(argv)
    detector = Detector.default(DEFAULT_TEMPLATE_DIR, reader=load_reader(), mark_dir=DEFAULT_MARK_DIR, learned=False)
    report, popups, nagging = run(
        detector,
        popups_dir=AIDUI_ALL,
        result_json=AIDUI_RESULT,
        nagging_dir=AIDUI_IMAGES,
        labels_path=AIDUI_LABELS,
        folds=args.folds,
        seed=args.seed,
        cache=args.cache,
    )
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.write:
        from ganzhi.training.ui.evaluation import load_labels

        popup, ranker = train_shipped(
            popups, nagging, load_labels(AIDUI_LABELS), aidui_classes(AIDUI_RESULT), gkd_splash(GKD_SPLASH), report
        )
        POPUP_MODEL_PATH.write_text(json.dumps(popup.as_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        RANKER_PATH.write_text(json.dumps(ranker.as_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"written: {POPUP_MODEL_PATH}, {RANKER_PATH}")


if __name__ == "__main__":
    main()
