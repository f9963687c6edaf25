"""Repositories on every backend: round trips, idempotent saves, filters, upserts and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.errors import StoreError
from ganzhi.evidence.base import ArtefactRef, Evidence, Subject
from ganzhi.evidence.status import Severity, Status
from ganzhi.findings.models import Issue, IssueState, Result, Transition
from ganzhi.i18n import Text
from ganzhi.store import repositories as repo
from ganzhi.store.db import session_scope

CST = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2025, 3, 1, 9, 30, tzinfo=CST)


def _subject(app: str, version: str = "1.0") -> Subject:
    return Subject(type="app", id=app, version=version, name=f"应用{app}", enterprise="某公司")


def _evidence(app: str, kind: str = "apk_manifest", **data: object) -> Evidence:
    ref = ArtefactRef(
        sha256="ab" * 32, name=f"{app}.apk", media_type="application/vnd.android.package-archive", size=10
    )
    return Evidence(
        kind=kind,
        subject=_subject(app),
        source=f"file:{app}.apk",
        collected_at=T0,
        data={"package": app, "权限": ["CAMERA"], **data},
        artefacts=[ref],
    )


def _result(run_id: str, fingerprint: str, status: Status = Status.FAIL, app: str = "com.a") -> Result:
    return Result(
        run_id=run_id,
        check_id="t11_self_start",
        task="T11",
        requirement_ids=["T11.1"],
        subject=_subject(app),
        status=status,
        severity=Severity.HIGH,
        title=Text(zh="自启动", en="self start"),
        message=Text(zh="应用存在自启动行为"),
        data={"component": fingerprint},
        fingerprint=fingerprint,
        evidence_ids=["e1"],
    )


def _issue(fingerprint: str, state: IssueState = IssueState.OPEN, task: str = "T11", app: str = "com.a") -> Issue:
    return Issue(
        fingerprint=fingerprint,
        check_id="t11_self_start",
        task=task,
        requirement_ids=["T11.1"],
        subject=_subject(app),
        severity=Severity.HIGH,
        state=state,
        title=Text(zh="自启动"),
        message=Text(zh="应用存在自启动行为", en="the app starts itself"),
        opened_at=T0,
        updated_at=T0,
        first_run_id="r1",
        last_run_id="r1",
        deadline=dt.date(2025, 4, 1),
        waiver_expires=None,
    )


def test_evidence_round_trip_is_idempotent_and_filterable(sessions: sessionmaker[Session]) -> None:
    items = [
        _evidence("com.a"),
        _evidence("com.b"),
        _evidence("com.a", kind="privacy_policy", url="https://x"),
    ]
    with session_scope(sessions) as session:
        assert repo.save_evidence(session, [*items, items[0]]) == 3
    with session_scope(sessions) as session:
        assert repo.save_evidence(session, items) == 0
        loaded = repo.load_evidence(session)
    assert sorted(e.id for e in loaded) == sorted(e.id for e in items)
    original = {e.id: e for e in items}
    for item in loaded:
        assert item == original[item.id]
        assert item.collected_at.tzinfo is not None
        assert item.collected_at == T0
    with session_scope(sessions) as session:
        only_a = repo.load_evidence(session, subject_keys=[_subject("com.a").key])
        manifests = repo.load_evidence(session, kinds=["apk_manifest"])
        both = repo.load_evidence(session, kinds=["privacy_policy"], subject_keys=[_subject("com.b").key])
        nothing = repo.load_evidence(session, subject_keys=[])
    assert {e.kind for e in only_a} == {"apk_manifest", "privacy_policy"}
    assert {e.subject.id for e in manifests} == {"com.a", "com.b"}
    assert both == []
    assert nothing == []


def test_load_evidence_with_many_subject_keys(sessions: sessionmaker[Session]) -> None:
    items = [_evidence(f"com.app{i}") for i in range(1200)]
    with session_scope(sessions) as session:
        assert repo.save_evidence(session, items) == 1200
    keys = [e.subject.key for e in items[::2]] + ["app:missing@1.0"]
    with session_scope(sessions) as session:
        loaded = repo.load_evidence(session, subject_keys=keys)
    assert len(loaded) == 600
    assert [e.subject.key for e in loaded] == sorted(e.subject.key for e in loaded)


def test_runs_lifecycle(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        first = repo.create_run(session, run_id="r1", selection={"tasks": ["T11"]}, started_at=T0, note="试运行")
        second = repo.create_run(session, started_at=T0 + dt.timedelta(hours=1))
    assert first.status is repo.RunStatus.RUNNING
    assert second.id.startswith("run-20250301T023000Z-")
    with session_scope(sessions) as session, pytest.raises(StoreError, match="'r1' already exists"):
        repo.create_run(session, run_id="r1")
    with session_scope(sessions) as session:
        done = repo.finish_run(session, "r1", stats={"PASS": 3, "FAIL": 1}, finished_at=T0 + dt.timedelta(minutes=5))
    assert done.status is repo.RunStatus.FINISHED
    assert done.stats == {"PASS": 3, "FAIL": 1}
    with session_scope(sessions) as session:
        runs = repo.list_runs(session)
        assert [r.id for r in repo.list_runs(session, limit=1)] == [second.id]
        assert repo.get_run(session, "nope") is None
        with pytest.raises(StoreError, match="'nope' does not exist"):
            repo.finish_run(session, "nope")
    assert [r.id for r in runs] == [second.id, "r1"]
    assert runs[1].selection == {"tasks": ["T11"]}
    assert runs[1].note == "试运行"
    assert runs[1].finished_at == T0 + dt.timedelta(minutes=5)


def test_results_are_saved_once_per_run_and_fingerprint(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        repo.create_run(session, run_id="r1")
        repo.create_run(session, run_id="r2")
    batch = [_result("r1", "fp-a"), _result("r1", "fp-b", Status.PASS), _result("r2", "fp-a")]
    with session_scope(sessions) as session:
        assert repo.save_results(session, batch) == 3
    with session_scope(sessions) as session:
        assert repo.save_results(session, [*batch, _result("r1", "fp-c")]) == 1
    with session_scope(sessions) as session:
        r1 = repo.results_for_run(session, "r1")
        failures = repo.results_for_run(session, "r1", statuses=[Status.FAIL])
    assert [r.fingerprint for r in r1] == ["fp-a", "fp-b", "fp-c"]
    assert r1[0] == batch[0]
    assert [r.fingerprint for r in failures] == ["fp-a", "fp-c"]


def test_results_need_an_existing_run(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session, pytest.raises(StoreError, match=r"unknown run ids \['ghost'\]"):
        repo.save_results(session, [_result("ghost", "fp")])


def test_issue_upsert_and_filters(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        counts = repo.upsert_issues(
            session,
            [_issue("fp-1"), _issue("fp-2", task="T6", app="com.b"), _issue("fp-3", IssueState.FIXED)],
        )
    assert counts == repo.Upserted(inserted=3, updated=0)
    later = T0 + dt.timedelta(days=2)
    changed = _issue("fp-1", IssueState.RECTIFYING).model_copy(update={"updated_at": later, "last_run_id": "r2"})
    with session_scope(sessions) as session:
        assert repo.upsert_issues(session, [changed, _issue("fp-4")]) == repo.Upserted(inserted=1, updated=1)
    with session_scope(sessions) as session:
        everything = repo.get_issues(session)
        one = repo.get_issues(session, fingerprints=["fp-1"])
        open_t11 = repo.get_issues(session, states=[IssueState.OPEN], task="T11")
        by_subject = repo.get_issues(session, subject_key=_subject("com.b").key)
    assert {i.fingerprint for i in everything} == {"fp-1", "fp-2", "fp-3", "fp-4"}
    assert one == [changed]
    assert one[0].deadline == dt.date(2025, 4, 1)
    assert [i.fingerprint for i in open_t11] == ["fp-4"]
    assert [i.fingerprint for i in by_subject] == ["fp-2"]


def test_transitions_are_an_ordered_audit_trail(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        repo.upsert_issues(session, [_issue("fp-1")])
    trail = [
        Transition(
            fingerprint="fp-1",
            from_state=None,
            to_state=IssueState.OPEN,
            actor="engine",
            at=T0,
            reason="首次发现",
            run_id="r1",
        ),
        Transition(
            fingerprint="fp-1",
            from_state=IssueState.OPEN,
            to_state=IssueState.RECTIFYING,
            actor="张三",
            at=T0 + dt.timedelta(days=1),
            reason="企业已确认整改",
        ),
    ]
    with session_scope(sessions) as session:
        assert repo.add_transitions(session, reversed(trail)) == 2
    with session_scope(sessions) as session:
        assert repo.transitions_for(session, "fp-1") == trail
        assert repo.transitions_for(session, "fp-other") == []
    with session_scope(sessions) as session, pytest.raises(StoreError, match=r"fingerprint \['fp-x'\]"):
        repo.add_transitions(session, [trail[0].model_copy(update={"fingerprint": "fp-x"})])
