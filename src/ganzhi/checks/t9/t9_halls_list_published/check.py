"""将可办理携出服务营业厅情况及时向社会公示: each operator with port-out halls publishes a non-empty list."""

from __future__ import annotations

from collections import Counter

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.halls_common import operator_label
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.halls import UNKNOWN_OPERATOR, HallPublicList, HallRegistry


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """PASS per operator whose published list has port-out entries; FAIL when an operator with halls has none."""
    published = evidence.one(HallPublicList)
    registry = evidence.maybe(HallRegistry)
    listed = Counter(entry.operator for entry in published.entries if entry.port_out)
    operators = (
        sorted({h.operator for h in registry.halls if h.port_out})
        if registry
        else sorted(code for code in listed if code != UNKNOWN_OPERATOR)
    )
    if not operators:
        return [
            Outcome.failed(
                "公示名单中没有可办理携出的营业厅",
                "the published list names no port-out hall",
                operator="all",
                entries=0,
            )
        ]
    outcomes = []
    for code in operators:
        label = operator_label(code)
        facts = {
            "operator": code,
            "entries": listed[code],
            "url": published.url,
            "published_on": str(published.published_on) if published.published_on else None,
        }
        if not listed[code] and listed[UNKNOWN_OPERATOR]:
            outcomes.append(
                Outcome.manual(
                    f"公示名单中没有写明属于{label}的营业厅，但有{listed[UNKNOWN_OPERATOR]}条未写明运营商的营业厅，"
                    f"无法判断{label}是否已公示；需要带运营商的公示名单",
                    f"no entry is {code}'s, but {listed[UNKNOWN_OPERATOR]} entries name no operator; cannot tell; "
                    "needs a list naming each hall's operator",
                    needs="a published list naming each hall's operator",
                    unknown_operator_entries=listed[UNKNOWN_OPERATOR],
                    **facts,
                )
            )
        elif not listed[code] and published.rejected_rows:
            outcomes.append(
                Outcome.manual(
                    f"公示名单中没有{label}的营业厅，但名单有{published.rejected_rows}行无法读取，无法判断是否已公示；"
                    "需要修正这些行或人工核对名单",
                    f"no entry is {code}'s, but {published.rejected_rows} rows of the list could not be read; "
                    "cannot tell; needs those rows fixed or a manual check",
                    needs="the unreadable rows of the published list",
                    **facts,
                )
            )
        elif listed[code]:
            outcomes.append(
                Outcome.passed(
                    f"{label}已公示{listed[code]}家可办理携出的营业厅",
                    f"{code} publishes {listed[code]} port-out halls",
                    **facts,
                )
            )
        else:
            outcomes.append(
                Outcome.failed(
                    f"{label}有可办理携出的营业厅，但公示名单中没有",
                    f"{code} has port-out halls but publishes none",
                    **facts,
                )
            )
    return outcomes
