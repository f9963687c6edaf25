"""Scoped lists filter and limit in SQL, on SQLite and PostgreSQL, and see exactly what `sees_subject` allows.

The reference is the single-object check itself: for every principal, `issues`, `results` and `runs`
must equal the unscoped lists filtered by `Scope.sees_subject` (then limited), including the edge
cases of the ownership rule (versioned keys, '@' inside ids, links winning over the enterprise the
evidence names, names given by id / USCC / name, app-store distribution).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.accounts import scope as scoped
from ganzhi.accounts.roles import Role
from ganzhi.accounts.users import Principal
from ganzhi.catalog.schema import EnterpriseType
from ganzhi.evidence.base import Subject
from ganzhi.findings.models import Issue, IssueState, Result
from ganzhi.store import repositories as repo
from ganzhi.store import supervision_repo
from ganzhi.store.db import session_scope
from ganzhi.supervision.models import Enterprise, SubjectLink, SubjectRole
from supervision.sv_factory import issue, result, uscc

T0 = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
STATES = (IssueState.OPEN, IssueState.RECTIFYING)
USCC_A = uscc(1)


def _enterprise(eid: str, name: str, n: int, *links: SubjectLink, etype: EnterpriseType) -> Enterprise:
    return Enterprise(id=eid, name=name, uscc=uscc(n), type=etype, subjects=list(links))


def _link(key: str, role: SubjectRole = SubjectRole.OPERATES) -> SubjectLink:
    subject_type, subject_id = key.split(":", 1)
    return SubjectLink(subject_type=subject_type, subject_id=subject_id, role=role)


ENTERPRISES = [
    _enterprise(
        "ent-a",
        "甲公司",
        1,
        _link("app:com.a"),
        _link("hotline:100"),
        etype=EnterpriseType.INTERNET_COMPANY,
    ),
    _enterprise("ent-b", "乙公司", 2, _link("app:com.b"), etype=EnterpriseType.INTERNET_COMPANY),
    _enterprise("ent-c", "丙公司", 3, etype=EnterpriseType.INTERNET_COMPANY),
    _enterprise(
        "store-1",
        "应用市场",
        4,
        _link("app:com.a", SubjectRole.DISTRIBUTES),
        _link("app:com.c", SubjectRole.DISTRIBUTES),
        etype=EnterpriseType.APP_STORE,
    ),
]

#: (type, id, version, enterprise named by the evidence): every branch of `Ownership.operator_of`.
SUBJECTS = [
    ("app", "com.a", "1.0", None),  # linked to A, versioned
    ("app", "com.a", None, "乙公司"),  # linked to A: the link wins over the name
    ("app", "com.a@evil", None, None),  # '@' inside the id: unversioned key is app:com.a
    ("app", "com.a.extra", "2.0", None),  # a longer id is another subject
    ("app", "com.b", "3@4", "甲公司"),  # linked to B; '@' in the version
    ("app", "com.c", "1.0", "丙公司"),  # unlinked, named by name → C; distributed by store-1
    ("app", "com.c", None, USCC_A),  # unlinked, named by USCC → A
    ("app", "com.d", "1.0", "ent-a"),  # unlinked, named by id → A
    ("app", "com.d", None, None),  # nobody's
    ("app", "com.d", "9", ""),  # empty name: nobody's
    ("app", "com%", None, "ent-x"),  # unknown enterprise named
    ("hotline", "100", None, None),  # linked to A
]

PRINCIPALS = {
    "regulator": Principal(role=Role.REGULATOR_INSPECTOR, username="r"),
    "ent-a": Principal(role=Role.ENTERPRISE, username="a", scope_id="ent-a"),
    "ent-b": Principal(role=Role.ENTERPRISE, username="b", scope_id="ent-b"),
    "ent-c": Principal(role=Role.ENTERPRISE, username="c", scope_id="ent-c"),
    "ent-missing": Principal(role=Role.ENTERPRISE, username="m", scope_id="ent-missing"),
    "ent-unbound": Principal(role=Role.ENTERPRISE, username="u"),
    "store-1": Principal(role=Role.APP_STORE, username="s", scope_id="store-1"),
    "store-2": Principal(role=Role.APP_STORE, username="t", scope_id="store-2"),
    "public": Principal(role=Role.PUBLIC),
}


def _subject(index: int) -> Subject:
    subject_type, subject_id, version, named = SUBJECTS[index % len(SUBJECTS)]
    return Subject(type=subject_type, id=subject_id, version=version, enterprise=named)


def _issue(fingerprint: str, subject: Subject, opened_at: dt.datetime, state: IssueState = IssueState.OPEN) -> Issue:
    return issue(fingerprint, subject.id, state, subject=subject, opened_at=opened_at, updated_at=opened_at)


def _result(run_id: str, fingerprint: str, subject: Subject) -> Result:
    return result(fingerprint, subject.id, run_id=run_id).model_copy(update={"subject": subject})


def _populate(session: Session) -> None:
    """Issues with tied times and fingerprints whose order differs between collations; one run per subject."""
    for enterprise in ENTERPRISES:
        supervision_repo.upsert_enterprise(session, enterprise, at=T0)
    marks = ["-x", "Z", "_y", "a", "B", "0"]
    issues = [
        _issue(f"{marks[n % len(marks)]}{n:03d}", _subject(n), T0 + dt.timedelta(minutes=n // 4), STATES[n % 2])
        for n in range(3 * len(SUBJECTS))
    ]
    repo.upsert_issues(session, issues)
    for index in range(len(SUBJECTS)):
        run_id = f"run-{index:02d}"
        repo.create_run(session, run_id=run_id, started_at=T0 + dt.timedelta(hours=index % 5))
        repo.save_results(session, [_result(run_id, f"r{index}", _subject(index))])


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine runs inside the block."""
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _engine(sessions: sessionmaker[Session]) -> Engine:
    bind = sessions.kw["bind"]
    assert isinstance(bind, Engine)
    return bind


@pytest.mark.parametrize("chunk", [1, repo.VISIBLE_CHUNK])
def test_scoped_lists_equal_the_python_filter_for_every_principal(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(repo, "VISIBLE_CHUNK", chunk)  # 1: every key its own statement, merged
    with session_scope(sessions) as session:
        _populate(session)
    with session_scope(sessions) as session:
        every_issue = repo.get_issues(session)
        every_run = repo.list_runs(session)
        for name, principal in PRINCIPALS.items():
            scope = scoped.Scope(principal, session)
            seen = [i for i in every_issue if scope.sees_subject(i.subject)]
            for limit in (1, 3, 1000):
                assert scoped.issues(scope, limit=limit) == seen[:limit], (name, limit)
            rectifying = [i for i in seen if i.state is IssueState.RECTIFYING]
            assert scoped.issues(scope, states=[IssueState.RECTIFYING]) == rectifying, name
            runs_seen = [
                r for r in every_run if any(scope.sees_subject(x.subject) for x in repo.results_for_run(session, r.id))
            ]
            for limit in (1, 4, 1000):
                assert scoped.runs(scope, limit=limit) == runs_seen[:limit], (name, limit)
            for record in every_run:
                expected = [x for x in repo.results_for_run(session, record.id) if scope.sees_subject(x.subject)]
                assert scoped.results(scope, record.id) == expected, (name, record.id)
                assert (scoped.run(scope, record.id) is not None) == bool(expected), (name, record.id)


def test_enterprise_limit_applies_after_ownership_in_sql(sessions: sessionmaker[Session]) -> None:
    """30 foreign issues first, then 5 own: limit 3 gives the 3 oldest own ones, from one limited SELECT."""
    own, foreign = Subject(type="app", id="com.a", version="1.0"), Subject(type="app", id="com.b", version="1.0")
    with session_scope(sessions) as session:
        for enterprise in ENTERPRISES:
            supervision_repo.upsert_enterprise(session, enterprise, at=T0)
        older = [_issue(f"b{n:02d}", foreign, T0 + dt.timedelta(minutes=n)) for n in range(30)]
        newer = [_issue(f"a{n:02d}", own, T0 + dt.timedelta(hours=1, minutes=n)) for n in range(5)]
        repo.upsert_issues(session, older + newer)
    with session_scope(sessions) as session, _statements(_engine(sessions)) as statements:
        found = scoped.issues(scoped.Scope(PRINCIPALS["ent-a"], session), limit=3)
    assert [i.fingerprint for i in found] == ["a00", "a01", "a02"]
    issue_selects = [s for s in statements if "FROM issues" in s]
    assert len(issue_selects) == 1 and "LIMIT" in issue_selects[0], issue_selects


@pytest.mark.parametrize("name", ["store-2", "ent-missing", "ent-unbound", "public"])
def test_principal_with_nothing_to_see_gets_no_query_over_issues_results_or_runs(
    sessions: sessionmaker[Session], name: str
) -> None:
    with session_scope(sessions) as session:
        _populate(session)
    with session_scope(sessions) as session, _statements(_engine(sessions)) as statements:
        scope = scoped.Scope(PRINCIPALS[name], session)
        assert scoped.issues(scope) == []
        assert scoped.runs(scope) == []
        assert scoped.results(scope, "run-00") == []
    touched = [s for s in statements if any(f"FROM {table}" in s for table in ("issues", "results", "runs"))]
    assert touched == []
