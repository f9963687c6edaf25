"""T6/T7 list checks when a list is missing: was it looked for?

A missing list is a finding only when the lists were collected: with no PI list in the evidence at all (an
app audit run without `--lists`, an inspection that did not crawl them) the app may well publish both, so
the check cannot tell and says MANUAL. With the other list present, the missing one is reported as absent.
"""

from __future__ import annotations

from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.pi_lists import ListKind, PiList

_NAMES = {
    "collected": ("已收集个人信息清单", "collected-PI list"),
    "shared": ("与第三方共享个人信息清单", "third-party sharing list"),
}


def missing_list(evidence: EvidenceSet, kind: ListKind, **data: object) -> Outcome | None:
    """None when a list of `kind` was collected; else FAIL (the other list was collected) or MANUAL (none was)."""
    collected = evidence.all(PiList)
    if any(x.kind == kind for x in collected):
        return None
    zh, en = _NAMES[kind]
    if collected:
        return Outcome.failed(
            f"已采集到APP的个人信息清单，但其中没有{zh}，无法核对",
            f"the app's PI lists were collected but no {en} is among them",
            reason="NO_LIST",
            **data,
        )
    return Outcome.manual(
        f"未提供{zh}（本次未采集双清单），无法核对；请提供清单后复核",
        f"no {en} was supplied (the lists were not collected this time): supply them to check",
        reason="LISTS_NOT_SUPPLIED",
        **data,
    )
