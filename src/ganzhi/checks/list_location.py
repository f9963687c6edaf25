"""Where a PI list's entry sits in the app's menus (T6/T7 二级菜单), shared by the two list checks.

Measured on a navigation capture as the number of forward taps from the app's home to the first screen
showing the list's entry (`ui_episode.list_reach`).
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.ui import UiEpisode


def list_location(evidence: EvidenceSet, params: Params, list_kind: str, zh: str) -> list[Outcome]:
    """PASS at or above the menu level limit, FAIL deeper, MANUAL when the walk never showed the entry."""
    limit = int(params.number("max_menu_level"))
    outcomes: list[Outcome] = []
    for episode in evidence.all(UiEpisode):
        for reach in episode.list_reach:
            if reach.list_kind != list_kind:
                continue
            facts: dict[str, object] = {"bundle": episode.bundle, "list_kind": list_kind, "max_level": reach.max_level}
            if not reach.found or reach.entry_level is None:
                outcomes.append(
                    Outcome.manual(
                        f"导航采集（最深第{reach.max_level}级）中未见{zh}入口，需人工确认其位置",
                        f"the navigation capture (down to level {reach.max_level}) never showed the list's entry",
                        **facts,
                    )
                )
                continue
            path = " → ".join(reach.path) or "首页"
            facts.update(entry_level=reach.entry_level, entry_text=reach.entry_text, path=reach.path)
            if reach.entry_level > limit:
                outcomes.append(
                    Outcome.failed(
                        f"{zh}入口位于第{reach.entry_level}级菜单（{path}），超过{limit}级",
                        f"the list's entry is {reach.entry_level} taps from home ({path}), deeper than {limit}",
                        **facts,
                    )
                )
            else:
                outcomes.append(
                    Outcome.passed(
                        f"{zh}入口位于第{reach.entry_level}级菜单（{path}）",
                        f"the list's entry is {reach.entry_level} taps from home ({path})",
                        **facts,
                    )
                )
    if not outcomes:
        return [Outcome.not_applicable("采集中没有从首页起的导航记录", "no navigation capture from the app's home")]
    return outcomes
