"""摇一摇触发阈值: a recorded motion below any of the official thresholds (T/TAF 078.7—2022: 15 m/s²,
35°, 3 s) that was followed by a jump means the trigger is over-sensitive.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.ui import ShakeFacts, UiEpisode


def _below(shake: ShakeFacts, params: Params) -> list[str]:
    found = []
    if shake.acceleration < params.number("min_acceleration"):
        found.append(f"acceleration {shake.acceleration:g} m/s²")
    if shake.rotation_deg < params.number("min_rotation"):
        found.append(f"rotation {shake.rotation_deg:g}°")
    if shake.duration_s < params.number("min_duration"):
        found.append(f"duration {shake.duration_s:g} s")
    return found


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One verdict over every recorded shake of the subject."""
    shakes = [(e.bundle, s) for e in evidence.all(UiEpisode) for s in e.shakes]
    if not shakes:
        return [Outcome.not_applicable("采集中没有摇动记录", "no shake recorded", scope="shake")]
    bad = [(bundle, s, _below(s, params)) for bundle, s in shakes if s.jumped and _below(s, params)]
    if bad:
        detail = [{"bundle": b, "t_ms": s.t_ms, "below": below, "jump_target": s.jump_target} for b, s, below in bad]
        return [
            Outcome.failed(
                f"{len(bad)}次低于阈值的摇动触发了跳转",
                f"{len(bad)} sub-threshold shakes triggered a jump",
                scope="shake",
                shakes=detail,
            )
        ]
    jumped = sum(1 for _, s in shakes if s.jumped)
    return [
        Outcome.passed(
            f"{len(shakes)}次摇动中无低于阈值的跳转（{jumped}次达到阈值后跳转）",
            f"no sub-threshold shake jumped ({jumped} of {len(shakes)} jumped at or above the thresholds)",
            scope="shake",
            shakes_recorded=len(shakes),
        )
    ]
