"""T7.list.second-level-menu: 与第三方共享个人信息清单的入口位于APP二级菜单以内 (see `checks.list_location`)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.list_location import list_location
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """The shared list's menu level on the captured navigation."""
    return list_location(evidence, params, "shared", "与第三方共享个人信息清单")
