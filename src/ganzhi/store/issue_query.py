"""One page of issues for the regulator's queue: filtered, searched, sorted, counted and paged in SQL.

The web's issue list and its CSV/XLSX export read through here, so an export holds exactly the rows
the filters select. Who may see what stays the caller's `SubjectFilter` (the scope), and an
enterprise or province filter is one more `SubjectFilter` ANDed to it: both become WHERE clauses,
never a Python pass over loaded rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ganzhi.findings.models import Issue, IssueState
from ganzhi.store.repositories import SubjectFilter, _bytewise, _parse, _visible_clauses
from ganzhi.store.tables import IssueRow

#: Columns the queue may sort by (name → column); anything else is refused by the caller.
SORTS: dict[str, Any] = {
    "opened": IssueRow.opened_at,
    "updated": IssueRow.updated_at,
    "deadline": IssueRow.deadline,
    "task": IssueRow.task,
    "severity": IssueRow.severity,
    "state": IssueRow.state,
}
#: Longest search text (characters); longer input is cut, never sent whole to LIKE.
MAX_SEARCH = 100


@dataclass(frozen=True, slots=True)
class IssueQuery:
    """The queue's filters; None or empty means "any"."""

    tasks: Sequence[str] = ()
    states: Sequence[IssueState] = ()
    severities: Sequence[str] = ()
    due_before: dt.date | None = None
    due_after: dt.date | None = None
    search: str = ""
    #: Subjects of the chosen enterprise(s) or province(s), ANDed with the scope.
    owned: Sequence[SubjectFilter] = field(default_factory=tuple)
    sort: str = "opened"
    descending: bool = False


def _filter_clause(session: Session, visible: SubjectFilter) -> ColumnElement[bool]:
    clauses = _visible_clauses(session, IssueRow.subject_key, IssueRow.payload, visible)
    return or_(*clauses) if len(clauses) > 1 else clauses[0]


def _where(session: Session, query: IssueQuery, visible: SubjectFilter | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.tasks:
        where.append(IssueRow.task.in_(sorted(set(query.tasks))))
    if query.states:
        where.append(IssueRow.state.in_(sorted({IssueState(s).value for s in query.states})))
    if query.severities:
        where.append(IssueRow.severity.in_(sorted(set(query.severities))))
    if query.due_before is not None:
        where.append(IssueRow.deadline < query.due_before)
    if query.due_after is not None:
        where.append(IssueRow.deadline >= query.due_after)
    text = query.search.strip()[:MAX_SEARCH]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            or_(
                IssueRow.subject_key.ilike(pattern, escape="\\"),
                IssueRow.check_id.ilike(pattern, escape="\\"),
                IssueRow.fingerprint.ilike(pattern, escape="\\"),
                IssueRow.payload[("subject", "name")].as_string().ilike(pattern, escape="\\"),
                IssueRow.payload[("title", "zh")].as_string().ilike(pattern, escape="\\"),
            )
        )
    for owned in (visible, *query.owned):
        if owned is not None:
            where.append(_filter_clause(session, owned))
    return where


def _empty(visible: SubjectFilter | None, query: IssueQuery) -> bool:
    return any(f is not None and f.empty for f in (visible, *query.owned))


def count_issues(session: Session, query: IssueQuery, *, visible: SubjectFilter | None = None) -> int:
    """How many issues match (the queue's total, for its pager)."""
    if _empty(visible, query):
        return 0
    statement = select(func.count()).select_from(IssueRow).where(and_(True, *_where(session, query, visible)))
    return int(session.scalar(statement) or 0)


def page_issues(
    session: Session,
    query: IssueQuery,
    *,
    visible: SubjectFilter | None = None,
    offset: int = 0,
    limit: int = 50,
) -> list[Issue]:
    """The issues of one page, in the query's order (ties broken by fingerprint, so pages never overlap)."""
    if _empty(visible, query):
        return []
    column = SORTS[query.sort]
    order = column.desc() if query.descending else column.asc()
    statement: Select[IssueRow] = (
        select(IssueRow)
        .where(and_(True, *_where(session, query, visible)))
        .order_by(order, _bytewise(session, IssueRow.fingerprint))
        .offset(max(0, offset))
        .limit(max(0, limit))
    )
    return [_parse(Issue, row.payload, f"issues row {row.fingerprint}") for row in session.scalars(statement)]


def issue_counts(
    session: Session, query: IssueQuery, *, visible: SubjectFilter | None = None
) -> dict[tuple[str, str], int]:
    """(task, state) → count of the matching issues: the dashboard's roll-ups without loading issues."""
    if _empty(visible, query):
        return {}
    statement = (
        select(IssueRow.task, IssueRow.state, func.count())
        .where(and_(True, *_where(session, query, visible)))
        .group_by(IssueRow.task, IssueRow.state)
    )
    return {(task, state): int(n) for task, state, n in session.execute(statement)}
