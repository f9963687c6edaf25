"""新开放可办理携出服务营业厅10000家: count new port-out halls per operator against the commitment split."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.halls_common import operator_label
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.halls import OPERATOR_NAMES, HallRegistry


def _since(params: Params) -> dt.date:
    raw = params.get("new_since")
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(f"param 'new_since': expected YYYY-MM-DD (got {raw!r})") from None


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per operator (its share of the commitment) and one for the national total."""
    registry = evidence.one(HallRegistry)
    since = _since(params)
    new: Counter[str] = Counter()
    undated: Counter[str] = Counter()
    for hall in registry.halls:
        if not hall.port_out:
            continue
        if hall.opened_on is None:
            undated[hall.operator] += 1
        elif hall.opened_on >= since:
            new[hall.operator] += 1
    outcomes: list[Outcome] = []
    present = sorted({h.operator for h in registry.halls} & set(OPERATOR_NAMES))
    for code in present:
        target = int(params.number(f"new_halls_{code}"))
        label = operator_label(code)
        facts = {
            "operator": code,
            "new_halls": new[code],
            "target": target,
            "undated": undated[code],
            "since": str(since),
        }
        if new[code] >= target:
            outcomes.append(
                Outcome.passed(
                    f"{label}自{since}起新开放携出营业厅{new[code]}家，达到分解目标{target}家",
                    f"{code}: {new[code]} new port-out halls since {since}, target {target}",
                    **facts,
                )
            )
        else:
            note = f"（另有{undated[code]}家未填开通日期，未计入）" if undated[code] else ""
            outcomes.append(
                Outcome.failed(
                    f"{label}自{since}起新开放携出营业厅{new[code]}家，低于分解目标{target}家{note}",
                    f"{code}: {new[code]} new port-out halls since {since}, below the target {target} "
                    f"({undated[code]} undated not counted)",
                    **facts,
                )
            )
    total_target = int(params.number("new_halls"))
    total = sum(new.values())
    facts_all = {
        "operator": "all",
        "new_halls": total,
        "target": total_target,
        "undated": sum(undated.values()),
        "since": str(since),
    }
    facts_all["operators_missing"] = [
        code for code in OPERATOR_NAMES if code not in present and params.number(f"new_halls_{code}") > 0
    ]
    if total >= total_target:
        outcomes.append(
            Outcome.passed(
                f"全国新开放携出营业厅合计{total}家，达到{total_target}家",
                f"{total} new port-out halls nationwide, commitment {total_target}",
                **facts_all,
            )
        )
    else:
        outcomes.append(
            Outcome.failed(
                f"全国新开放携出营业厅合计{total}家，低于{total_target}家",
                f"{total} new port-out halls nationwide, below the commitment {total_target}",
                **facts_all,
            )
        )
    return outcomes
