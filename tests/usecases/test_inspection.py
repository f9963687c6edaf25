from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

# fake_world is the engine tests' helper; imported by basename like they do, so its evidence kind registers once
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))

from fake_world import Widget, write_catalog, write_check

from ganzhi.catalog.loader import load_catalog
from ganzhi.engine.registry import Registry, discover
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.findings.models import IssueState
from ganzhi.store import repositories as repo
from ganzhi.store.db import session_scope
from ganzhi.usecases.inspection import inspect, job_key_for

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    catalog = load_catalog(write_catalog(tmp_path, automated_checks=["t1_widget_size"]))
    package = write_check(tmp_path / "pkgs")
    return Registry(catalog, discover(tmp_path / "pkgs" / package, package))


def _widget(name: str, size: float) -> Evidence:
    return Evidence.of(Widget(size=size), Subject(type="widget", id=name), "test", WHEN)


def test_issues_open_then_fix_with_an_audit_trail(sessions: sessionmaker[Session], registry: Registry) -> None:
    first = inspect([_widget("a", 1), _widget("b", 50)], sessions, registry=registry)
    assert [r.subject.id for r in first.diff.new] == ["a"]
    second = inspect([_widget("a", 30), _widget("b", 50)], sessions, registry=registry)
    assert [i.subject.id for i in second.diff.fixed] == ["a"]
    with session_scope(sessions) as session:
        (issue,) = repo.get_issues(session)
        assert issue.state is IssueState.FIXED
        assert issue.deadline is not None and issue.deadline > WHEN.date()
        history = repo.transitions_for(session, issue.fingerprint)
        assert [t.to_state for t in history] == [IssueState.OPEN, IssueState.FIXED]
        assert all(t.actor and t.reason for t in history)
        runs = repo.list_runs(session)
        assert {r.id for r in runs} == {first.run_id, second.run_id}
        assert all(r.stats["subjects"] == 2 for r in runs)


def test_a_crashed_resumable_run_resumes_without_duplicates(
    sessions: sessionmaker[Session], registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ganzhi.usecases.inspection.FLUSH_EVERY", 10)
    evidence = [_widget(f"w{i:03d}", i % 20) for i in range(95)]
    key = job_key_for(evidence, {}, None)
    seen = 0

    def crash_after_40(_output: object) -> None:
        nonlocal seen
        seen += 1
        if seen == 40:
            raise KeyboardInterrupt("simulated crash")

    with pytest.raises(KeyboardInterrupt):
        inspect(evidence, sessions, registry=registry, job_key=key, on_subject=crash_after_40)
    resumed = inspect(evidence, sessions, registry=registry, job_key=key)
    assert resumed.resumed_skipped >= 30  # flushed batches before the crash are not evaluated again
    assert resumed.subjects == 95
    again = inspect(evidence, sessions, registry=registry, job_key=key)
    assert again.resumed_skipped == 95
    assert again.run_id == resumed.run_id
    with session_scope(sessions) as session:
        stored = repo.results_for_run(session, resumed.run_id)
        assert len(stored) == 95
        assert len({r.fingerprint for r in stored}) == 95
        failing = {r.subject.id for r in stored if r.status.value == "FAIL"}
        assert len(repo.get_issues(session)) == len(failing)
