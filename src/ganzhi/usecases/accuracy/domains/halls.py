"""Loader of the `halls` corpus: hall registry, published list, services and mystery shops (`ganzhi halls check`).

The same collector as the command: `collect_halls(default_divisions(), REGISTRY, published=…, services=…,
mystery=…)`. The first input is the registry; options `published`, `services` and `mystery` name inputs
(several services or mystery files separated by commas).
"""

from __future__ import annotations

from pathlib import Path

from ganzhi.collect.halls.evidence import collect_halls
from ganzhi.evidence.base import Evidence
from ganzhi.rules.regions.divisions import default_divisions
from ganzhi.usecases.accuracy.corpus import Case

DOMAIN = "halls"


def _files(folder: Path, case: Case, key: str) -> list[Path]:
    value = case.options.get(key)
    return [folder / part.strip() for part in str(value).split(",") if part.strip()] if value else []


def load(folder: Path, case: Case) -> list[Evidence]:
    """Registry, layout, list and operator evidence as the command builds them."""
    published = _files(folder, case, "published")
    collected = collect_halls(
        default_divisions(),
        folder / case.inputs[0],
        published=published[0] if published else None,
        services=_files(folder, case, "services"),
        mystery=_files(folder, case, "mystery"),
    )
    return collected.evidence
