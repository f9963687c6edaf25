"""公示名单与实际一致: the published list agrees with the registry (missing, extra and stale entries).

Entries match by hall id when the list gives one, else by operator and normalised name. Per operator:
- missing: a registry hall that handles port-out but is not on the list;
- extra: a list entry with no registry hall;
- stale: a list entry whose registry hall no longer handles port-out.
A list entry that names no hall by id or exact name may still match one hall whose name it ends (the list
left out the operator or city: 新街口营业厅 / 中国移动南京新街口营业厅). Entries whose operator is unknown
(no operator column, none in the name, no registry hall of that name) give a MANUAL outcome.
The share of mismatches over the operator's port-out halls may not exceed `max_mismatch_share`.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.halls_common import entry_key, hall_keys, operator_label, sample
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.halls import UNKNOWN_OPERATOR, Hall, HallPublicList, HallRegistry, PublishedHall, same_hall_name


def _compare(halls: list[Hall], entries: list[PublishedHall]) -> dict[str, list[str]]:
    by_id = {h.id: h for h in halls}
    by_name = {hall_keys(h)[1]: h for h in halls}
    matched: set[str] = set()
    extra: list[str] = []
    stale: list[str] = []
    for entry in entries:
        entry_id, key = entry_key(entry)
        hall = by_id.get(entry_id) if entry_id is not None else None
        if hall is None:
            hall = by_name.get(key)
        if hall is None:
            # a city or district prefix left out of one of the names: accept one unambiguous match
            close = [h for h in halls if h.id not in matched and same_hall_name(h.name, entry.name)]
            hall = close[0] if len(close) == 1 else None
        if hall is None:
            extra.append(entry.id or entry.name)
            continue
        matched.add(hall.id)
        if entry.port_out and not hall.port_out:
            stale.append(hall.id)
    missing = [h.id for h in halls if h.port_out and h.id not in matched]
    return {"missing": missing, "extra": extra, "stale": stale}


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per operator in the registry or the list."""
    registry = evidence.one(HallRegistry)
    published = evidence.one(HallPublicList)
    limit = params.number("max_mismatch_share")
    operators = sorted({h.operator for h in registry.halls} | {e.operator for e in published.entries})
    outcomes = []
    unknown = sum(1 for e in published.entries if e.operator == UNKNOWN_OPERATOR)
    for code in operators:
        entries = [e for e in published.entries if e.operator == code]
        if code == UNKNOWN_OPERATOR:
            outcomes.append(
                Outcome.manual(
                    f"公示名单中有{len(entries)}条营业厅未写明运营商，且名称与登记的营业厅对不上，无法判断属于哪家运营商；"
                    "需要带运营商的公示名单或人工核对",
                    f"{len(entries)} list entries name no operator and match no registry hall; cannot tell whose "
                    "they are; needs a list with the operator or a manual check",
                    operator=code,
                    listed=len(entries),
                    examples=sample([e.name for e in entries]),
                    needs="a published list naming each hall's operator",
                )
            )
            continue
        halls = [h for h in registry.halls if h.operator == code]
        found = _compare(halls, entries)
        mismatches = sum(len(v) for v in found.values())
        base = max(1, sum(1 for h in halls if h.port_out))
        share = mismatches / base
        facts = {
            "operator": code,
            "port_out_halls": sum(1 for h in halls if h.port_out),
            "listed": len(entries),
            "missing": len(found["missing"]),
            "extra": len(found["extra"]),
            "stale": len(found["stale"]),
            "mismatch_share": round(share, 4),
            "examples": {k: sample(v) for k, v in found.items() if v},
        }
        label = operator_label(code)
        counts = f"漏列{facts['missing']}家、多列{facts['extra']}家、过期{facts['stale']}家"
        counts_en = f"{facts['missing']} missing, {facts['extra']} extra, {facts['stale']} stale"
        if share > limit and found["missing"] and unknown:
            outcomes.append(
                Outcome.manual(
                    f"{label}有{facts['missing']}家营业厅不在公示名单中，但名单另有{unknown}条未写明运营商的营业厅，"
                    "可能以其他名称列出，无法判断是否漏列；需要带运营商的公示名单或人工核对",
                    f"{code}: {facts['missing']} halls not found, but {unknown} entries name no operator; cannot "
                    "tell; needs a list naming each hall's operator",
                    needs="a published list naming each hall's operator",
                    **facts,
                )
            )
        elif share <= limit:
            outcomes.append(
                Outcome.passed(
                    f"{label}公示名单与登记一致（{counts}）",
                    f"{code}: list agrees with the registry ({counts_en})",
                    **facts,
                )
            )
        else:
            outcomes.append(
                Outcome.failed(
                    f"{label}公示名单与登记不一致：{counts}，占比{share:.1%}超过{limit:.1%}",
                    f"{code}: list disagrees with the registry: {counts_en}, {share:.1%} over {limit:.1%}",
                    **facts,
                )
            )
    return outcomes
