"""Supervision repositories on SQLite and (when reachable) PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.catalog.loader import default_catalog
from ganzhi.catalog.schema import EnterpriseType
from ganzhi.errors import StoreError
from ganzhi.evidence.status import Severity
from ganzhi.findings.models import IssueState, Transition
from ganzhi.store import repositories as repo
from ganzhi.store import supervision_repo as srepo
from ganzhi.store.db import session_scope
from ganzhi.supervision.campaigns import assignments, new_campaign
from ganzhi.supervision.ladder import Ladder, LadderError
from ganzhi.supervision.models import Commitment, Interview, LadderEvent, RoundKind
from ganzhi.supervision.registry_io import KeyList
from supervision.sv_factory import enterprise, issue, result, uscc

CATALOG = default_catalog()
LADDER = Ladder.from_catalog(CATALOG)
AT = dt.datetime(2022, 3, 1, 8, 0, tzinfo=dt.UTC)
IC = EnterpriseType.INTERNET_COMPANY


def _seed(session: Session) -> None:
    srepo.upsert_enterprise(session, enterprise("ent-a", 1, IC, "com.a"))
    srepo.upsert_enterprise(session, enterprise("ent-b", 2, IC, "com.b"))
    srepo.save_key_list(session, KeyList(id="first", name="首批", basis="测试", tasks=["T3"], members=[uscc(1)]))
    campaign = new_campaign(
        CATALOG,
        campaign_id="c1",
        name="测试",
        starts=dt.date(2022, 1, 1),
        ends=dt.date(2022, 3, 31),
        tasks=["T3", "T4"],
        key_lists=["first"],
        created_at=AT,
    )
    srepo.save_campaign(session, campaign)
    made = assignments(CATALOG, campaign, srepo.list_enterprises(session), srepo.list_key_lists(session))
    srepo.replace_assignments(session, "c1", made)


def test_campaigns_rounds_and_runs(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        _seed(session)
        assert srepo.require_campaign(session, "c1").key_lists == ["first"]
        assert [(a.enterprise_id, a.task) for a in srepo.get_assignments(session, "c1")] == [
            ("ent-a", "T3"),
            ("ent-a", "T4"),
            ("ent-b", "T4"),
        ]
        first = srepo.add_round(session, "c1", name="第一轮", starts=dt.date(2022, 1, 10))
        second = srepo.add_round(session, "c1", name="回头看", starts=dt.date(2022, 3, 1), kind=RoundKind.LOOKBACK)
        assert (first.number, second.number, second.kind) == (1, 2, RoundKind.LOOKBACK)
        repo.create_run(session, run_id="run-1", started_at=AT)
        repo.save_results(session, [result("fp1", "com.a"), result("fp2", "com.b", severity=Severity.LOW)])
        attached = srepo.attach_run(session, "c1", 1, "run-1", actor="tester", at=AT)
        assert attached.run_ids == ["run-1"]
        assert srepo.attach_run(session, "c1", 1, "run-1", actor="tester").run_ids == ["run-1"]  # idempotent
        with pytest.raises(StoreError, match="already attached to round c1:1"):
            srepo.attach_run(session, "c1", 2, "run-1", actor="tester")
        with pytest.raises(StoreError, match="no run 'run-x'"):
            srepo.attach_run(session, "c1", 1, "run-x", actor="tester")
        with pytest.raises(StoreError, match=r"no round c1:9; campaign 'c1' has rounds \[1, 2\]"):
            srepo.get_round(session, "c1", 9)
        assert {r.fingerprint for r in srepo.round_results(session, "c1", 1)} == {"fp1", "fp2"}
        with pytest.raises(StoreError, match="already exists"):
            srepo.save_campaign(session, srepo.require_campaign(session, "c1"))


def test_enterprises_subjects_and_uscc_uniqueness(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        _seed(session)
        found = srepo.get_enterprise(session, uscc(1))
        assert found is not None and found.id == "ent-a"
        assert [s.key for s in found.subjects] == ["app:com.a"]
        changed = enterprise("ent-a", 1, IC, "com.a", "com.a2")
        assert srepo.upsert_enterprise(session, changed) is False
        assert len(srepo.get_enterprise(session, "ent-a").subjects) == 2  # type: ignore[union-attr]
        with pytest.raises(StoreError, match="already belongs to 'ent-a'"):
            srepo.upsert_enterprise(session, enterprise("ent-z", 1))
        assert srepo.list_key_lists(session)[0].members == [uscc(1)]


def test_interviews_with_commitments(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        _seed(session)
        interview = Interview(
            id="iv-1",
            enterprise_id="ent-a",
            campaign_id="c1",
            held_on=dt.date(2022, 3, 2),
            attendees=["局领导", "企业法务"],
            minutes="约谈纪要",
            recorded_by="官员",
            recorded_at=AT,
            commitments=[Commitment(text="5个工作日内整改", due=dt.date(2022, 3, 9), fingerprints=["fp1"])],
            fingerprints=["fp1"],
            rule_ids=["overdue_severe"],
        )
        srepo.save_interview(session, interview)
        assert srepo.list_interviews(session, enterprise_id="ent-a") == [interview]
        with pytest.raises(StoreError, match="already exists"):
            srepo.save_interview(session, interview)
        with pytest.raises(StoreError, match="no enterprise 'ghost'"):
            srepo.save_interview(session, interview.model_copy(update={"id": "iv-2", "enterprise_id": "ghost"}))


def test_ladder_trail_is_checked_against_the_stored_state(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        _seed(session)
        up = LadderEvent(enterprise_id="ent-a", from_step=None, to_step="interview", actor="官员", at=AT, reason="逾期")
        srepo.record_ladder_event(session, LADDER, up)
        with pytest.raises(StoreError, match="starts at None but the stored state is interview"):
            srepo.record_ladder_event(session, LADDER, up)
        jump = LadderEvent(
            enterprise_id="ent-a", from_step="interview", to_step="bad_list", actor="官员", at=AT, reason="拒不整改"
        )
        with pytest.raises(LadderError, match="skips"):
            srepo.record_ladder_event(session, LADDER, jump)
        srepo.record_ladder_event(session, LADDER, jump.model_copy(update={"skip_reason": "情节严重"}))
        assert srepo.ladder_states(session, LADDER, ["ent-a", "ent-b"]) == {"ent-a": "bad_list", "ent-b": None}
        assert [e.to_step for e in srepo.ladder_events(session, "ent-a")] == ["interview", "bad_list"]


def test_reopenings_since(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        repo.upsert_issues(session, [issue("fp1", "com.a", IssueState.REOPENED)])
        moves = [
            Transition(
                fingerprint="fp1",
                from_state=IssueState.FIXED,
                to_state=IssueState.REOPENED,
                actor="s",
                at=AT - dt.timedelta(days=d),
                reason="recheck failed",
            )
            for d in (1, 200)
        ]
        repo.add_transitions(session, moves)
        found = srepo.reopenings_since(session, AT - dt.timedelta(days=90))
        assert [t.at for t in found] == [AT - dt.timedelta(days=1)]
