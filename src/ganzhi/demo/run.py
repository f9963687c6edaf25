"""The `make run` demo: two inspection rounds of a fictional 携号转网 campaign on the configured store.

Round 1 inspects operators' eligibility answers and opens issues for wrong ones; between rounds the
fictional operators correct half of their wrong answers; round 2 (a look-back) fixes those issues and keeps
the rest. Everything runs through the same collectors, engine, store and recheck a real campaign uses.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ganzhi.collect.portability.cases import CaseLine, PortabilityCollector
from ganzhi.demo.portability_cases import generate, with_operator_answers
from ganzhi.engine.executors import Executor
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.base import Evidence
from ganzhi.usecases.inspection import Inspection, inspect
from ganzhi.usecases.portability.verdict import ELIGIBILITY_CHECKS, verdict_for


@dataclass(slots=True)
class DemoRounds:
    """Both inspection rounds of the demo."""

    first: Inspection
    second: Inspection


def _evidence(cases: list[dict[str, Any]]) -> list[Evidence]:
    stream = io.BytesIO("\n".join(json.dumps(c, ensure_ascii=False) for c in cases).encode("utf-8"))
    items = list(PortabilityCollector(source="demo:portability").read(stream))
    bad = [item for item in items if not isinstance(item, CaseLine)]
    if bad:
        raise ValueError(f"the demo generator produced invalid cases: {bad[:3]}")
    return [item.evidence for item in items if isinstance(item, CaseLine)]


def _true_reasons(cases: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Eligibility per case as the T9 rules decide it (the engine is the oracle, not a second copy of the rules)."""
    outcome = evaluate(_evidence(cases), check_ids=sorted(set(ELIGIBILITY_CHECKS.values())))
    return {c["id"]: [r.value for r in verdict_for(c["id"], outcome.results).reasons] for c in cases}


def _correct_half(cases: list[dict[str, Any]], truth: dict[str, list[str]]) -> int:
    """Operators fix every second wrong answer; returns how many were fixed."""
    wrong = [
        c
        for c in cases
        if "operator_decision" in c
        and (
            c["operator_decision"]["eligible"] != (not truth[c["id"]])
            or c["operator_decision"]["reasons"] != truth[c["id"]]
        )
    ]
    for case in wrong[::2]:
        case["operator_decision"] = {"eligible": not truth[case["id"]], "reasons": truth[case["id"]]}
    return len(wrong[::2])


def run_demo(
    sessions: sessionmaker[Session],
    *,
    cases: int = 400,
    seed: int = 524,
    executor: Executor | None = None,
    on_subject: Callable[[object], None] | None = None,
) -> DemoRounds:
    """Generate the campaign, inspect it twice, and return both rounds."""
    data = generate(cases, seed=seed)
    truth = _true_reasons(data)
    with_operator_answers(data, truth, seed=seed)
    first = inspect(
        _evidence(data), sessions, tasks=["T9"], executor=executor, note="demo round 1", on_subject=on_subject
    )
    _correct_half(data, truth)
    second = inspect(
        _evidence(data), sessions, tasks=["T9"], executor=executor, note="demo round 2 (回头看)", on_subject=on_subject
    )
    return DemoRounds(first=first, second=second)
