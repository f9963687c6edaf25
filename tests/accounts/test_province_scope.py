"""Provincial regulators: a regulator limited to provinces sees exactly the subjects of those provinces'
enterprises, filtered in SQL (SQLite and PostgreSQL), and the queue's enterprise/province filters are
ANDed with that scope, never widening it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.accounts import scope as scoped
from ganzhi.accounts import users as accounts
from ganzhi.accounts.roles import Role
from ganzhi.accounts.users import Principal
from ganzhi.catalog.schema import EnterpriseType
from ganzhi.errors import StoreError
from ganzhi.evidence.base import Subject
from ganzhi.findings.models import IssueState
from ganzhi.store import repositories as repo
from ganzhi.store import supervision_repo
from ganzhi.store.db import session_scope
from ganzhi.store.issue_query import IssueQuery
from ganzhi.supervision.models import Enterprise, SubjectLink
from supervision.sv_factory import issue, uscc

T0 = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)

ENTERPRISES = [
    Enterprise(
        id="gd-1",
        name="广东甲",
        uscc=uscc(1),
        type=EnterpriseType.INTERNET_COMPANY,
        province="广东",
        subjects=[SubjectLink(subject_type="app", subject_id="com.gd1")],
    ),
    Enterprise(
        id="gd-2",
        name="广东乙",
        uscc=uscc(2),
        type=EnterpriseType.INTERNET_COMPANY,
        province="广东",
        subjects=[SubjectLink(subject_type="app", subject_id="com.gd2")],
    ),
    Enterprise(
        id="bj-1",
        name="北京甲",
        uscc=uscc(3),
        type=EnterpriseType.INTERNET_COMPANY,
        province="北京",
        subjects=[SubjectLink(subject_type="app", subject_id="com.bj1")],
    ),
    Enterprise(
        id="xx-1",
        name="无省份",
        uscc=uscc(4),
        type=EnterpriseType.INTERNET_COMPANY,
        subjects=[SubjectLink(subject_type="app", subject_id="com.xx1")],
    ),
]
#: (subject, enterprise named by the evidence): linked subjects, one named by an unlinked app, one nobody's.
SUBJECTS = [
    (Subject(type="app", id="com.gd1", version="1.0"), None),
    (Subject(type="app", id="com.gd2"), None),
    (Subject(type="app", id="com.bj1", version="2"), None),
    (Subject(type="app", id="com.xx1"), None),
    (Subject(type="app", id="com.unlinked", enterprise="广东乙"), "gd-2"),
    (Subject(type="app", id="com.nobody"), None),
]
GD = Principal(role=Role.REGULATOR_INSPECTOR, username="gd", provinces=("广东",))
GD_BJ = Principal(role=Role.REGULATOR_INSPECTOR, username="gdbj", provinces=("北京", "广东"))
NATIONAL = Principal(role=Role.REGULATOR_ADMIN, username="n")


def _populate(session: Session) -> None:
    for enterprise in ENTERPRISES:
        supervision_repo.upsert_enterprise(session, enterprise, at=T0)
    found = []
    for n in range(4 * len(SUBJECTS)):
        subject, _ = SUBJECTS[n % len(SUBJECTS)]
        state = IssueState.OPEN if n % 3 else IssueState.FIXED
        opened = T0 + dt.timedelta(minutes=n)
        found.append(issue(f"f{n:03d}", subject.id, state, subject=subject, opened_at=opened, updated_at=opened))
    repo.upsert_issues(session, found)


@pytest.mark.parametrize("principal", [GD, GD_BJ, NATIONAL], ids=["guangdong", "two-provinces", "national"])
def test_province_scope_equals_the_python_rule(sessions: sessionmaker[Session], principal: Principal) -> None:
    with session_scope(sessions) as session:
        _populate(session)
    with session_scope(sessions) as session:
        scope = scoped.Scope(principal, session)
        every = repo.get_issues(session)
        wanted = set(principal.provinces)
        owners = {e.id for e in ENTERPRISES if not wanted or e.province in wanted}
        expected = [i for i in every if not wanted or scope.ownership().operator_of(i.subject) in owners]
        assert [i.fingerprint for i in expected] == [i.fingerprint for i in every if scope.sees_subject(i.subject)]
        for limit in (1, 5, 1000):
            assert scoped.issues(scope, limit=limit) == expected[:limit]
        total, page = scoped.issue_page(scope, IssueQuery(), limit=1000)
        assert total == len(expected) and {i.fingerprint for i in page} == {i.fingerprint for i in expected}
        if wanted:
            assert {e.id for e in scoped.enterprises(scope)} == owners
            assert not scope.sees_enterprise("xx-1")


def test_queue_filters_narrow_but_never_widen_the_province_scope(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        _populate(session)
    with session_scope(sessions) as session:
        gd = scoped.Scope(GD, session)
        national = scoped.Scope(NATIONAL, session)
        assert scoped.issue_page(gd, IssueQuery(), enterprise_ids=["bj-1"]) == (0, [])
        assert scoped.issue_page(gd, IssueQuery(), provinces=["北京"]) == (0, [])
        total_bj, bj = scoped.issue_page(national, IssueQuery(), provinces=["北京"])
        assert total_bj == 4 and {i.subject.id for i in bj} == {"com.bj1"}
        total, found = scoped.issue_page(gd, IssueQuery(states=(IssueState.OPEN,)), enterprise_ids=["gd-2"])
        assert {i.subject.id for i in found} == {"com.gd2", "com.unlinked"}
        assert all(i.state is IssueState.OPEN for i in found) and total == len(found)
        first_total, first = scoped.issue_page(gd, IssueQuery(sort="opened"), offset=0, limit=3)
        _, second = scoped.issue_page(gd, IssueQuery(sort="opened"), offset=3, limit=3)
        assert not {i.fingerprint for i in first} & {i.fingerprint for i in second} and first_total > 3


def test_search_is_literal_and_bounded(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        _populate(session)
    with session_scope(sessions) as session:
        national = scoped.Scope(NATIONAL, session)
        assert scoped.issue_page(national, IssueQuery(search="com.gd1"))[0] == 4
        assert scoped.issue_page(national, IssueQuery(search="%"))[0] == 0  # LIKE wildcards are escaped
        assert scoped.issue_page(national, IssueQuery(search="com.gd_"))[0] == 0  # "_" is not "any character"


def test_provinces_belong_to_regulator_accounts_only(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        _populate(session)
        made = accounts.create_user(
            session, "gdreg", "long-enough-pw", Role.REGULATOR_INSPECTOR, provinces=["广东", "广东 "]
        )
        assert made.provinces == ("广东",)
        with pytest.raises(StoreError, match="only regulator accounts"):
            accounts.create_user(session, "ent", "long-enough-pw", Role.ENTERPRISE, scope_id="gd-1", provinces=["广东"])
        assert accounts.set_provinces(session, "gdreg", []).provinces == ()
