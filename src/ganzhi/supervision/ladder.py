"""The enforcement ladder (约谈提醒 → 通报批评 → 行政处罚 → 列入不良名单) as an audited state machine.

The rungs come from the catalog (`supervision.yaml: enforcement_ladder`). An enterprise starts off
the ladder (state None). Moving up one rung needs a reason; jumping over rungs additionally needs a
recorded `skip_reason` (e.g. a serious violation that goes straight to a penalty). Moving down (the
enterprise rectified, or a decision is revoked) needs a reason. Every move is a `LadderEvent`; the
state is whatever replaying the events gives, and replay refuses a broken chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ganzhi.catalog.schema import Catalog, LadderStep
from ganzhi.errors import TransitionError
from ganzhi.i18n import Lang
from ganzhi.supervision.models import LadderEvent


class LadderError(TransitionError):
    """A ladder move is not allowed; the message names the enterprise, the rungs and the rule."""


@dataclass(frozen=True, slots=True)
class Ladder:
    """The rungs in order, lowest first."""

    steps: tuple[LadderStep, ...]

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Ladder:
        """The ladder configured in the catalog."""
        return cls(steps=tuple(catalog.supervision.enforcement_ladder))

    @property
    def ids(self) -> list[str]:
        """Rung ids, lowest first."""
        return [step.id for step in self.steps]

    def index(self, step: str | None) -> int:
        """Position of a rung (0 = lowest), -1 for off the ladder; ValueError names the known rungs."""
        if step is None:
            return -1
        try:
            return self.ids.index(step)
        except ValueError:
            raise LadderError(f"unknown ladder step {step!r}; expected one of {self.ids}") from None

    def title(self, step: str | None, lang: Lang = "zh") -> str:
        """The rung's title in `lang` ('—' off the ladder)."""
        if step is None:
            return "—"
        return self.steps[self.index(step)].title.get(lang)

    def next_step(self, current: str | None) -> str | None:
        """The rung above `current`, or None at the top."""
        position = self.index(current) + 1
        return self.ids[position] if position < len(self.steps) else None

    def move(
        self,
        enterprise_id: str,
        current: str | None,
        to: str | None,
        *,
        actor: str,
        reason: str,
        at: dt.datetime,
        skip_reason: str | None = None,
        interview_id: str | None = None,
        campaign_id: str | None = None,
    ) -> LadderEvent:
        """The audited event moving `enterprise_id` from `current` to `to`, if the rules allow it."""
        here, there = self.index(current), self.index(to)
        who = f"enterprise {enterprise_id!r}"
        if here == there:
            raise LadderError(f"{who}: already at {current or 'no step'}; a move must change the step")
        if not actor.strip():
            raise LadderError(f"{who}: actor must be non-empty (got {actor!r})")
        if not reason.strip():
            raise LadderError(f"{who}: reason must be non-empty (got {reason!r})")
        skip = (skip_reason or "").strip() or None
        if there > here + 1 and skip is None:
            skipped = self.ids[here + 1 : there]
            raise LadderError(
                f"{who}: moving from {current or 'no step'} to {to} skips {skipped}; record a skip_reason to do so"
            )
        if there <= here + 1 and skip is not None:
            raise LadderError(f"{who}: skip_reason is only for moves that skip rungs ({current} → {to} skips none)")
        return LadderEvent(
            enterprise_id=enterprise_id,
            from_step=current,
            to_step=to,
            actor=actor.strip(),
            at=at,
            reason=reason.strip(),
            skip_reason=skip,
            interview_id=interview_id,
            campaign_id=campaign_id,
        )

    def replay(self, events: Iterable[LadderEvent]) -> str | None:
        """The state after `events` (in order); refuses a chain whose `from_step` does not follow on."""
        state: str | None = None
        for number, event in enumerate(events, start=1):
            if event.from_step != state:
                raise LadderError(
                    f"enterprise {event.enterprise_id!r}: ladder event {number} starts at {event.from_step} "
                    f"but the state was {state}"
                )
            self.move(
                event.enterprise_id,
                event.from_step,
                event.to_step,
                actor=event.actor,
                reason=event.reason,
                at=event.at,
                skip_reason=event.skip_reason,
            )
            state = event.to_step
        return state


def states(ladder: Ladder, events: Sequence[LadderEvent]) -> dict[str, str | None]:
    """Current rung per enterprise from a mixed event list (kept in order per enterprise)."""
    per: dict[str, list[LadderEvent]] = {}
    for event in events:
        per.setdefault(event.enterprise_id, []).append(event)
    return {enterprise: ladder.replay(items) for enterprise, items in sorted(per.items())}
