"""Loader of the `broadband` corpus: contracts CSV and speed-test CSV (`ganzhi broadband check`).

The same collectors as the command: `load_contracts` for the contracts (option `contracts`, default the first
input) and `load_speedtests` for the speed tests (option `speedtests`); speed tests of lines with no contract
are dropped, as the command drops them.
"""

from __future__ import annotations

from pathlib import Path

from ganzhi.collect.broadband.contracts import load_contracts, load_speedtests
from ganzhi.errors import InputError
from ganzhi.evidence.base import Evidence
from ganzhi.usecases.accuracy.corpus import Case

DOMAIN = "broadband"


def _option(case: Case, key: str) -> str | None:
    value = case.options.get(key)
    return str(value) if isinstance(value, str) and value else None


def load(folder: Path, case: Case) -> list[Evidence]:
    """Contract evidence per line, with the speed tests of those lines."""
    contracts = _option(case, "contracts") or case.inputs[0]
    speedtests = _option(case, "speedtests")
    loaded = load_contracts(folder / contracts)
    if not loaded.evidence:
        problems = "; ".join(str(p) for p in loaded.problems[:5])
        raise InputError(str(folder / contracts), f"no usable contract row: {problems}")
    lines = {e.subject.id for e in loaded.evidence}
    tests = load_speedtests(folder / speedtests).evidence if speedtests else []
    return [*loaded.evidence, *(e for e in tests if e.subject.id in lines)]
