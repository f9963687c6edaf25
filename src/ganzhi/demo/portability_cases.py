"""Fictional 携号转网 eligibility queries with a realistic mix of conditions and operator answers.

Every number is drawn from ordinary mobile ranges unless a case is meant to hit a non-portable range,
and every operator answer is either correct or wrong in one of the ways MIIT's inspections found
(refusing an eligible user, hiding reasons, inventing one), so the demo exercises every check.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

ORDINARY_PREFIXES = ("138", "139", "150", "186", "133", "189", "199", "177", "158", "131")
NON_PORTABLE_PREFIXES = ("1349", "174", "170", "171", "165", "146", "148", "1064")


def _number(rng: random.Random, non_portable: bool) -> str:
    prefix = rng.choice(NON_PORTABLE_PREFIXES if non_portable else ORDINARY_PREFIXES)
    length = 13 if prefix == "1064" else 11
    return prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))


def _operator_answer(rng: random.Random, reasons: list[str]) -> dict[str, Any] | None:
    """What the operator replied; about one in five answers is wrong."""
    roll = rng.random()
    if roll < 0.3:
        return None
    if roll < 0.84 or (roll < 0.9 and not reasons):
        return {"eligible": not reasons, "reasons": list(reasons)}
    if not reasons:
        return {"eligible": False, "reasons": ["CONTRACT_LOCK"]}
    if len(reasons) > 1:
        return {"eligible": False, "reasons": reasons[:1]}
    return {"eligible": True, "reasons": []}


def generate(count: int, seed: int = 524, as_of: dt.date = dt.date(2022, 3, 1)) -> list[dict[str, Any]]:
    """`count` input lines of `ganzhi portability check` (with `operator_decision` on most of them)."""
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        joined = as_of - dt.timedelta(days=rng.choice([30, 90, 119, 120, 121, 400, 1500, 4000]))
        ported = None
        if rng.random() < 0.15:
            ported = as_of - dt.timedelta(days=rng.choice([10, 100, 200]))
            ported = max(ported, joined)
        lock = None
        if rng.random() < 0.2:
            lock = as_of + dt.timedelta(days=rng.choice([-30, 0, 180]))
        case: dict[str, Any] = {
            "id": f"demo-{index:05d}",
            "number": _number(rng, rng.random() < 0.08),
            "real_name_registered": rng.random() > 0.05,
            "status": rng.choices(["normal", "lost", "suspended"], weights=[90, 4, 6])[0],
            "unpaid_billed_fees": rng.choice([0, 0, 0, 0, 0, 12.5, 88]),
            "contract_lock_until": lock.isoformat() if lock else None,
            "joined_on": joined.isoformat(),
            "last_ported_on": ported.isoformat() if ported else None,
            "as_of": as_of.isoformat(),
        }
        cases.append(case)
    return cases


def with_operator_answers(cases: list[dict[str, Any]], reasons_by_id: dict[str, list[str]], seed: int = 524) -> None:
    """Attach an operator answer to each case, given the true reasons (from a first, answer-free run)."""
    rng = random.Random(seed + 1)
    for case in cases:
        answer = _operator_answer(rng, reasons_by_id.get(case["id"], []))
        if answer is not None:
            case["operator_decision"] = answer
