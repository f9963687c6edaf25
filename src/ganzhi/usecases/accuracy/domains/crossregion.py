"""Loader of the `crossregion` corpus: a T8 capability matrix and test records (`ganzhi crossregion check`).

The same importer as the command: `import_matrix(MATRIX, TESTS)`; the first input is the matrix, option
`tests` names the test-record file (an input of the case).
"""

from __future__ import annotations

from pathlib import Path

from ganzhi.collect.crossregion.matrix import import_matrix
from ganzhi.evidence.base import Evidence
from ganzhi.usecases.accuracy.corpus import Case

DOMAIN = "crossregion"


def load(folder: Path, case: Case) -> list[Evidence]:
    """One `cross_region_matrix` evidence per operator found in the files."""
    tests = case.options.get("tests")
    matrix = folder / case.inputs[0]
    imported = import_matrix(matrix, folder / str(tests) if tests else None)
    return imported.evidence(str(matrix))
