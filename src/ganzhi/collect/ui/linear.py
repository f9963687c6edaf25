"""Small shipped classifiers read from JSON artefacts: logistic regression and boosted decision stumps/trees.

The artefacts (`data/popup_model.json`, `data/close_ranker.json`) are written by our own training script
(`python -m ganzhi.training.ui.recognition_train`) from scikit-learn's LogisticRegression or
GradientBoostingClassifier; at run time only the standard library is needed. A model names its features, so
a file that does not fit the code is refused, not misread.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganzhi.errors import InputError

#: A shipped model stays tiny; anything larger is not one of ours.
MAX_MODEL_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Logistic regression over named features, with the decision threshold chosen in training."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float = 0.5
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        sizes = {len(self.features), len(self.mean), len(self.scale), len(self.coef)}
        if len(sizes) != 1:
            raise ValueError(f"model vectors differ in length: {sorted(sizes)}")

    def probability(self, values: Mapping[str, float]) -> float:
        """P(positive) of one feature mapping; a missing feature counts as its training mean."""
        z = self.intercept
        for name, mean, scale, weight in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            value = float(values.get(name, mean))
            z += weight * (value - mean) / (scale or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def contributions(self, values: Mapping[str, float]) -> dict[str, float]:
        """Each feature's share of the logit (positive pushes towards the positive class); explains a decision."""
        return {
            name: round(weight * (float(values.get(name, mean)) - mean) / (scale or 1.0), 3)
            for name, mean, scale, weight in zip(self.features, self.mean, self.scale, self.coef, strict=True)
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": "logistic",
            "features": list(self.features),
            "mean": [round(v, 6) for v in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "coef": [round(v, 6) for v in self.coef],
            "intercept": round(self.intercept, 6),
            "threshold": round(self.threshold, 4),
            "meta": dict(self.meta),
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], expected: Sequence[str] | None = None) -> LinearModel:
        try:
            model = cls(
                features=tuple(str(f) for f in doc["features"]),
                mean=tuple(float(v) for v in doc["mean"]),
                scale=tuple(float(v) for v in doc["scale"]),
                coef=tuple(float(v) for v in doc["coef"]),
                intercept=float(doc["intercept"]),
                threshold=float(doc.get("threshold", 0.5)),
                meta=dict(doc.get("meta", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a logistic model file: {exc}") from None
        unknown = set(model.features) - set(expected) if expected is not None else set()
        if unknown:
            raise ValueError(f"model uses features this code does not compute: {sorted(unknown)}")
        return model


#: Bounds on a tree ensemble read from a file.
MAX_TREES = 1_000
MAX_NODES = 255


@dataclass(frozen=True, slots=True)
class Tree:
    """One regression tree in array form (scikit-learn's `tree_`): leaves have feature -1."""

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def leaf(self, row: Sequence[float]) -> float:
        node = 0
        for _ in range(MAX_NODES):
            feature = self.feature[node]
            if feature < 0:
                return self.value[node]
            node = self.left[node] if row[feature] <= self.threshold[node] else self.right[node]
        raise ValueError("tree deeper than its node count")


@dataclass(frozen=True, slots=True)
class TreeModel:
    """Gradient-boosted trees for a binary target: logit = init + rate × Σ leaf values."""

    features: tuple[str, ...]
    trees: tuple[Tree, ...]
    init: float
    rate: float
    defaults: tuple[float, ...]
    threshold: float = 0.5
    meta: Mapping[str, Any] = field(default_factory=dict)

    def _row(self, values: Mapping[str, float]) -> list[float]:
        return [float(values.get(n, d)) for n, d in zip(self.features, self.defaults, strict=True)]

    def probability(self, values: Mapping[str, float]) -> float:
        row = self._row(values)
        z = self.init + self.rate * sum(tree.leaf(row) for tree in self.trees)
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def contributions(self, values: Mapping[str, float]) -> dict[str, float]:
        """Per feature, the logit change when it alone is set to its training mean (a local explanation)."""
        base = self.probability(values)
        found = {}
        for name, default in zip(self.features, self.defaults, strict=True):
            other = self.probability({**values, name: default})
            found[name] = round(_logit(base) - _logit(other), 3)
        return found

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": "trees",
            "features": list(self.features),
            "init": round(self.init, 6),
            "rate": self.rate,
            "defaults": [round(v, 6) for v in self.defaults],
            "threshold": round(self.threshold, 4),
            "trees": [
                {
                    "feature": list(t.feature),
                    "threshold": [round(v, 6) for v in t.threshold],
                    "left": list(t.left),
                    "right": list(t.right),
                    "value": [round(v, 6) for v in t.value],
                }
                for t in self.trees
            ],
            "meta": dict(self.meta),
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], expected: Sequence[str] | None = None) -> TreeModel:
        try:
            features = tuple(str(f) for f in doc["features"])
            trees = []
            for raw in doc["trees"][:MAX_TREES]:
                tree = Tree(
                    tuple(int(v) for v in raw["feature"][:MAX_NODES]),
                    tuple(float(v) for v in raw["threshold"][:MAX_NODES]),
                    tuple(int(v) for v in raw["left"][:MAX_NODES]),
                    tuple(int(v) for v in raw["right"][:MAX_NODES]),
                    tuple(float(v) for v in raw["value"][:MAX_NODES]),
                )
                size = len(tree.feature)
                if {len(tree.threshold), len(tree.left), len(tree.right), len(tree.value)} != {size}:
                    raise ValueError("tree arrays differ in length")
                if any(f >= len(features) for f in tree.feature) or any(
                    not -1 <= c < size for c in (*tree.left, *tree.right)
                ):
                    raise ValueError("tree refers to a feature or node that does not exist")
                trees.append(tree)
            model = cls(
                features,
                tuple(trees),
                float(doc["init"]),
                float(doc["rate"]),
                tuple(float(v) for v in doc["defaults"]),
                float(doc.get("threshold", 0.5)),
                dict(doc.get("meta", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a tree model file: {exc}") from None
        if len(model.defaults) != len(model.features):
            raise ValueError("not a tree model file: one default per feature needed")
        unknown = set(model.features) - set(expected) if expected is not None else set()
        if unknown:
            raise ValueError(f"model uses features this code does not compute: {sorted(unknown)}")
        return model


def _logit(p: float) -> float:
    p = min(1 - 1e-9, max(1e-9, p))
    return math.log(p / (1 - p))


Classifier = LinearModel | TreeModel


def model_from_json(doc: Mapping[str, Any], expected: Sequence[str] | None = None) -> Classifier:
    """A logistic or tree model, by the file's `kind`."""
    if isinstance(doc, Mapping) and doc.get("kind") == "trees":
        return TreeModel.from_json(doc, expected)
    return LinearModel.from_json(doc, expected)


def load_model(path: Path, expected: Sequence[str] | None = None) -> Classifier:
    """Read a model artefact; InputError names the file and the problem."""
    try:
        if path.stat().st_size > MAX_MODEL_BYTES:
            raise InputError(str(path), f"larger than {MAX_MODEL_BYTES} bytes")
        return model_from_json(json.loads(path.read_text(encoding="utf-8")), expected)
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None
    except ValueError as exc:
        raise InputError(str(path), str(exc)) from None
