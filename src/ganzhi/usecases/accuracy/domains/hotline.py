"""Loader of the `hotline` corpus: a hotline registry and dial tests (`ganzhi hotline check`).

The same importers as the command: `import_registry(REGISTRY)` then `add_dial_tests(DIAL_TESTS, …)`; the
first input is the registry, option `dial_tests` names the dial-test file (an input of the case).
"""

from __future__ import annotations

from pathlib import Path

from ganzhi.collect.hotline.importers import add_dial_tests, import_registry
from ganzhi.evidence.base import Evidence
from ganzhi.usecases.accuracy.corpus import Case

DOMAIN = "hotline"


def load(folder: Path, case: Case) -> list[Evidence]:
    """Listing, IVR analysis and dial tests per hotline."""
    imported = import_registry(folder / case.inputs[0])
    dial = case.options.get("dial_tests")
    if dial:
        add_dial_tests(folder / str(dial), imported)
    return [item for items in imported.evidence.values() for item in items]
