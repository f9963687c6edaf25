"""转人工菜单层级: the shortest key path to a human has at most `max_menu_depth` presses; cycles and
dead ends in the tree are WARNs."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.hotline import IvrAnalysis


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """The depth verdict, then a WARN for cycles and one for dead ends."""
    ivr = evidence.one(IvrAnalysis)
    limit = params.number("max_menu_depth")
    outcomes: list[Outcome] = []
    if not ivr.human_reachable or ivr.min_depth is None:
        outcomes.append(
            Outcome.failed(
                "语音菜单中无法到达人工客服",
                "no path through the IVR reaches a human",
                aspect="depth",
                human_reachable=False,
            )
        )
    elif ivr.min_depth > limit:
        outcomes.append(
            Outcome.failed(
                f"转人工至少需按键{ivr.min_depth}层（{'>'.join(ivr.path)}），超过{limit:g}层",
                f"reaching a human needs {ivr.min_depth} menu levels, over {limit:g}",
                aspect="depth",
                min_depth=ivr.min_depth,
                path=ivr.path,
            )
        )
    else:
        outcomes.append(
            Outcome.passed(
                f"转人工需按键{ivr.min_depth}层（{'>'.join(ivr.path) or '无需按键'}）",
                f"{ivr.min_depth} menu levels to a human",
                aspect="depth",
                min_depth=ivr.min_depth,
                path=ivr.path,
            )
        )
    if ivr.cycles:
        outcomes.append(
            Outcome.warned(
                f"语音菜单存在{len(ivr.cycles)}处循环",
                f"the IVR has {len(ivr.cycles)} cycles",
                aspect="cycles",
                cycles=ivr.cycles[:10],
            )
        )
    if ivr.dead_ends:
        outcomes.append(
            Outcome.warned(
                f"语音菜单存在死路节点：{', '.join(ivr.dead_ends[:10])}",
                "the IVR has dead ends",
                aspect="dead_ends",
                dead_ends=ivr.dead_ends[:50],
            )
        )
    return outcomes
