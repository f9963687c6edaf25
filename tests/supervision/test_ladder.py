from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ganzhi.catalog.loader import default_catalog
from ganzhi.supervision.ladder import Ladder, LadderError, states

LADDER = Ladder.from_catalog(default_catalog())
AT = dt.datetime(2022, 5, 1, tzinfo=dt.UTC)
STEPS: list[str | None] = [None, *LADDER.ids]


def test_rungs_come_from_the_catalog_in_order() -> None:
    assert LADDER.ids == ["interview", "public_criticism", "administrative_penalty", "bad_list"]
    assert LADDER.title("interview") == "约谈提醒"
    assert LADDER.next_step(None) == "interview"
    assert LADDER.next_step("bad_list") is None


def test_skipping_needs_a_recorded_reason() -> None:
    with pytest.raises(LadderError, match=r"skips \['interview', 'public_criticism'\]"):
        LADDER.move("e", None, "administrative_penalty", actor="a", reason="r", at=AT)
    event = LADDER.move("e", None, "administrative_penalty", actor="a", reason="r", at=AT, skip_reason="严重违法")
    assert event.skip_reason == "严重违法"
    with pytest.raises(LadderError, match="skip_reason is only for moves that skip"):
        LADDER.move("e", None, "interview", actor="a", reason="r", at=AT, skip_reason="x")


def test_moves_need_actor_reason_and_a_change() -> None:
    with pytest.raises(LadderError, match="reason must be non-empty"):
        LADDER.move("e", None, "interview", actor="a", reason=" ", at=AT)
    with pytest.raises(LadderError, match="actor must be non-empty"):
        LADDER.move("e", None, "interview", actor="", reason="r", at=AT)
    with pytest.raises(LadderError, match="already at interview"):
        LADDER.move("e", "interview", "interview", actor="a", reason="r", at=AT)
    with pytest.raises(LadderError, match="unknown ladder step 'jail'"):
        LADDER.move("e", None, "jail", actor="a", reason="r", at=AT)


def test_replay_refuses_a_broken_chain() -> None:
    first = LADDER.move("e", None, "interview", actor="a", reason="r", at=AT)
    stray = LADDER.move("e", "public_criticism", "administrative_penalty", actor="a", reason="r", at=AT)
    with pytest.raises(LadderError, match="event 2 starts at public_criticism but the state was interview"):
        LADDER.replay([first, stray])


@given(st.lists(st.tuples(st.sampled_from(STEPS), st.booleans()), max_size=25))
def test_random_moves_keep_an_auditable_trail(moves: list[tuple[str | None, bool]]) -> None:
    state: str | None = None
    trail = []
    for target, give_skip in moves:
        skips = LADDER.index(target) > LADDER.index(state) + 1
        try:
            event = LADDER.move(
                "e", state, target, actor="官员", reason="原因", at=AT, skip_reason="说明" if give_skip else None
            )
        except LadderError:
            assert target == state or skips != give_skip
            continue
        assert target != state
        assert skips == give_skip  # a skip happens exactly when a reason was recorded for it
        trail.append(event)
        state = target
    assert LADDER.replay(trail) == state
    assert states(LADDER, trail) == ({"e": state} if trail else {})
