"""Run the T9 checks without the shipped catalog: hand-built params, the runner's per-subject code.

Shared by the T9, verdict, answer and CLI tests (import as `checks.t9.t9_support`).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

import ganzhi.checks.t9 as t9_package
from ganzhi.catalog.params import Params, ParamSetting
from ganzhi.catalog.schema import Basis, Param, ParamValue, Source
from ganzhi.checks.metadata import CheckMetadata
from ganzhi.engine.registry import CheckSpec, default_registry
from ganzhi.engine.runner import RunOutcome, SubjectWork, evaluate_subject
from ganzhi.evidence.base import Evidence
from ganzhi.evidence.portability import PortabilityCase
from ganzhi.i18n import Text

T9_DIR = Path(t9_package.__file__).resolve().parent
DEFAULT_MIN_DAYS = 120
DEFAULT_PREFIXES = [
    "1349", "174", "170", "171", "162", "165", "167", "146", "148", "149",
    "140", "141", "142", "143", "144", "1064",
]  # fmt: skip
_SOURCE = Source(document="《携号转网服务管理规定》", label="V")
#: The params each T9 requirement declares in the catalog.
_REQUIREMENT_PARAMS = {
    "T9.eligibility.min-interval": ["min_days"],
    "T9.eligibility.portable-range": ["non_portable_prefixes"],
    "T9.operator-decision": ["min_days", "non_portable_prefixes"],
}
BASE_CASE: dict[str, Any] = {
    "id": "c1",
    "number": "13800138000",
    "real_name_registered": True,
    "status": "normal",
    "unpaid_billed_fees": 0,
    "contract_lock_until": None,
    "joined_on": "2023-01-01",
    "last_ported_on": None,
    "as_of": "2024-06-01",
}

#: Every check that judges a portability case, as the registry selects them (no hand-kept list).
PORTABILITY_CHECKS: tuple[str, ...] = tuple(
    spec.id for spec in default_registry().select(evidence_kinds=["portability_case"])
)


@lru_cache(maxsize=1)
def t9_specs() -> dict[str, CheckSpec]:
    """Every check folder under checks/t9, loaded like the registry does."""
    specs: dict[str, CheckSpec] = {}
    for meta_path in sorted(T9_DIR.glob("t9_port_*/metadata.yaml")):
        folder = meta_path.parent
        meta = CheckMetadata.model_validate(yaml.safe_load(meta_path.read_text(encoding="utf-8")))
        module = importlib.import_module(f"ganzhi.checks.t9.{folder.name}.check")
        specs[meta.id] = CheckSpec(metadata=meta, folder=folder, evaluate=module.evaluate)
    return specs


def _param(param_id: str) -> Param:
    if param_id == "min_days":
        return Param(id=param_id, value=DEFAULT_MIN_DAYS, unit="natural_day", basis=Basis.OFFICIAL,
                     text=Text(zh="入网满120日"), minimum=0, source=_SOURCE)  # fmt: skip
    return Param(id=param_id, value=DEFAULT_PREFIXES, unit="text", basis=Basis.OFFICIAL,
                 text=Text(zh="不可携转号段"), source=_SOURCE)  # fmt: skip


def params_for_check(
    check_id: str, *, min_days: int = DEFAULT_MIN_DAYS, prefixes: Sequence[str] = tuple(DEFAULT_PREFIXES)
) -> Params:
    """The params the catalog gives `check_id`, with `min_days` / `prefixes` as effective values."""
    values: dict[str, ParamValue] = {"min_days": min_days, "non_portable_prefixes": list(prefixes)}
    settings: dict[str, ParamSetting] = {}
    for req_id in t9_specs()[check_id].metadata.requirements:
        for param_id in _REQUIREMENT_PARAMS.get(req_id, []):
            param, value = _param(param_id), values[param_id]
            settings[param_id] = ParamSetting(param, value, overridden=value != param.value)
    return Params(settings=settings)


def run_checks(
    evidence: Iterable[Evidence],
    *,
    check_ids: Sequence[str] = PORTABILITY_CHECKS,
    min_days: int = DEFAULT_MIN_DAYS,
    prefixes: Sequence[str] = tuple(DEFAULT_PREFIXES),
) -> RunOutcome:
    """Evaluate `check_ids` on every subject with the runner's own per-subject code."""
    specs = t9_specs()
    checks = tuple((specs[cid], params_for_check(cid, min_days=min_days, prefixes=prefixes)) for cid in check_ids)
    groups: dict[str, list[Evidence]] = {}
    for item in evidence:
        groups.setdefault(item.subject.key, []).append(item)
    started = dt.datetime.now(dt.UTC)
    outcome = RunOutcome(run_id="test", started_at=started, finished_at=started, results=[], errors=[], subjects=0)
    for items in groups.values():
        work = SubjectWork(run_id="test", subject=items[0].subject, evidence=tuple(items), checks=checks)
        output = evaluate_subject(work)
        outcome.results.extend(output.results)
        outcome.errors.extend(output.errors)
        outcome.subjects += 1
    return outcome


def case_evidence(**changes: Any) -> Evidence:
    """Evidence for `BASE_CASE` with `changes` applied."""
    case = PortabilityCase.model_validate({**BASE_CASE, **changes})
    return Evidence.of(case, case.subject, source="test", collected_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC))
