"""Loader of the `tariff` corpus: a 资费公示 catalogue and its channel listings (`ganzhi tariff check`).

The same importer as `ganzhi tariff check CATALOGUE --channels …`: `import_catalogue` over every input file
(the first is the catalogue, the others channel listings), as one `tariff_catalogue` evidence item.
Options: `operator`, `region` and `as_of` (YYYY-MM-DD), as the command's options of the same name.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ganzhi.collect.tariff.importer import import_catalogue
from ganzhi.errors import InputError
from ganzhi.evidence.base import Evidence
from ganzhi.usecases.accuracy.corpus import Case

DOMAIN = "tariff"


def _option(case: Case, key: str) -> str | None:
    value = case.options.get(key)
    return str(value) if isinstance(value, str) and value else None


def load(folder: Path, case: Case) -> list[Evidence]:
    """The imported catalogue as evidence; InputError when no plan could be read (the command exits 1 then)."""
    as_of_text = _option(case, "as_of")
    try:
        as_of = dt.date.fromisoformat(as_of_text) if as_of_text else None
    except ValueError:
        raise InputError(str(folder / "case.yaml"), f"options.as_of: expected YYYY-MM-DD, got {as_of_text!r}") from None
    imported = import_catalogue([folder / name for name in case.inputs], operator=_option(case, "operator"),
                                region=_option(case, "region"), as_of=as_of)  # fmt: skip
    if not imported.catalogue.plans:
        problems = "; ".join(str(p) for p in imported.problems[:5])
        raise InputError(str(folder / case.inputs[0]), f"no tariff plan could be imported: {problems}")
    return [imported.evidence()]
