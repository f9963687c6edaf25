"""An enterprise's issue list over 100,000 issues: ownership filter in SQL vs the old filter in Python.

Run `python -m benchmarks.web_scope [N] [DATABASE_URL]` (default 100,000 issues in a temporary SQLite
file; a PostgreSQL URL must name an empty database). 1,000 enterprises operate two apps each; issues are
spread evenly over their versioned app keys. Both ways are timed in the same run on the same data and
must return the same issues; writes benchmarks/results/web_scope-<time>.json.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks._result import write_result
from ganzhi.accounts import scope as scoped
from ganzhi.accounts.roles import Role
from ganzhi.accounts.users import Principal
from ganzhi.catalog.schema import EnterpriseType
from ganzhi.evidence.base import Subject
from ganzhi.evidence.status import Severity
from ganzhi.findings.models import Issue, IssueState
from ganzhi.i18n import Text
from ganzhi.store import repositories as repo
from ganzhi.store import supervision_repo
from ganzhi.store.db import make_engine, session_factory, session_scope
from ganzhi.store.migrate import upgrade
from ganzhi.supervision.models import Enterprise, SubjectLink
from ganzhi.supervision.uscc import complete_uscc

ISSUES = 100_000
ENTERPRISES = 1_000
APPS_PER_ENTERPRISE = 2
LIMIT = 500
T0 = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def _enterprise(n: int) -> Enterprise:
    links = [SubjectLink(subject_type="app", subject_id=f"com.e{n}.app{j}") for j in range(APPS_PER_ENTERPRISE)]
    return Enterprise(
        id=f"ent-{n}",
        name=f"企业{n}",
        uscc=complete_uscc(f"91110108{n:08d}"),
        type=EnterpriseType.INTERNET_COMPANY,
        subjects=links,
    )


def _issue(n: int) -> Issue:
    app = n % (ENTERPRISES * APPS_PER_ENTERPRISE)
    owner, j = divmod(app, APPS_PER_ENTERPRISE)
    subject = Subject(type="app", id=f"com.e{owner}.app{j}", version=f"1.{n % 7}", enterprise=f"企业{owner}")
    opened = T0 + dt.timedelta(seconds=n)
    return Issue(
        fingerprint=f"{n:064x}",
        check_id="t11_self_start",
        task="T11",
        requirement_ids=["T11.1"],
        subject=subject,
        severity=Severity.HIGH,
        state=IssueState.OPEN,
        title=Text(zh="自启动"),
        message=Text(zh="应用存在自启动行为"),
        opened_at=opened,
        updated_at=opened,
        first_run_id="r1",
        last_run_id="r1",
    )


def _sql_filter(scope: scoped.Scope) -> list[Issue]:
    return scoped.issues(scope, limit=LIMIT)


def _python_filter(scope: scoped.Scope) -> list[Issue]:
    """The list as it was before: every issue loaded and parsed, ownership checked in Python, then limited."""
    found = repo.get_issues(scope.session)
    return [i for i in found if scope.sees_subject(i.subject)][:LIMIT]


def _timed(fn: Callable[[], object], repeats: int) -> float:
    """Median seconds over `repeats` calls."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _load(url: str, issues: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(session_factory(engine)) as session:
            for n in range(ENTERPRISES):
                supervision_repo.upsert_enterprise(session, _enterprise(n), at=T0)
            for start in range(0, issues, 10_000):
                repo.upsert_issues(session, [_issue(n) for n in range(start, min(start + 10_000, issues))])
    finally:
        engine.dispose()


def main(argv: list[str]) -> None:
    """Load, time both ways for one enterprise, check they agree, write JSON."""
    issues = int(argv[0]) if argv else ISSUES
    with tempfile.TemporaryDirectory() as tmp:
        url = argv[1] if len(argv) > 1 else f"sqlite:///{Path(tmp) / 'ganzhi.db'}"
        started = time.perf_counter()
        _load(url, issues)
        load_s = time.perf_counter() - started
        engine = make_engine(url)
        try:
            with session_scope(session_factory(engine)) as session:
                principal = Principal(role=Role.ENTERPRISE, username="bench", scope_id=f"ent-{ENTERPRISES // 2}")
                scope = scoped.Scope(principal, session)  # ownership indexed once, as within one request
                ownership_s = _timed(lambda: scoped.Scope(principal, session).ownership(), repeats=3)
                by_sql, by_python = _sql_filter(scope), _python_filter(scope)
                sql_s = _timed(lambda: _sql_filter(scope), repeats=5)
                python_s = _timed(lambda: _python_filter(scope), repeats=2)
        finally:
            engine.dispose()
    if not by_sql or by_sql != by_python:
        raise SystemExit("the SQL filter must return the issues the Python filter returns")
    result = {
        "backend": url.split(":", 1)[0],
        "issues": issues,
        "enterprises": ENTERPRISES,
        "visible_issues": len(by_sql),
        "limit": LIMIT,
        "load_seconds": round(load_s, 1),
        "ownership_index_ms": round(ownership_s * 1000, 1),
        "sql_filter_ms": round(sql_s * 1000, 2),
        "python_filter_ms": round(python_s * 1000, 1),
    }
    result["speedup"] = round(result["python_filter_ms"] / result["sql_filter_ms"], 1)
    print(f"enterprise issue list over {issues} issues ({result['backend']}, {len(by_sql)} visible, limit {LIMIT})")
    print(f"  SQL filter   : {result['sql_filter_ms']} ms (median of 5)")
    print(f"  Python filter: {result['python_filter_ms']} ms (median of 2, the old path)")
    print(f"  speed-up     : {result['speedup']}x   (load {result['load_seconds']} s)")
    print(f"  per request, both ways also index ownership first: {result['ownership_index_ms']} ms")
    print(f"wrote {write_result('web_scope', result)}")


if __name__ == "__main__":
    main(sys.argv[1:])
