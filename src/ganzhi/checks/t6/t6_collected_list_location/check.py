"""T6.list.second-level-menu: 已收集个人信息清单的入口位于APP二级菜单以内 (see `checks.list_location`)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.list_location import list_location
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """The collected list's menu level on the captured navigation."""
    return list_location(evidence, params, "collected", "已收集个人信息清单")
