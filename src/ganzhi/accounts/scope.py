"""Object-level authorisation in the query layer: every read and write goes through a `Scope`.

The routes never filter by themselves: they call these functions with the request's `Scope`, which
wrap the store's repositories and drop (or refuse) what the principal may not see. Regulators see
everything; an enterprise sees the subjects it operates (by the regulator's subject links or the
enterprise the evidence names) and the campaigns it is assigned to; an app store sees the subjects
it distributes; the public sees nothing here (published snapshots only, see `published`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ganzhi.accounts.roles import Role
from ganzhi.accounts.users import Principal
from ganzhi.evidence.base import Subject
from ganzhi.findings.lifecycle import ACTIVE_STATES, transition
from ganzhi.findings.models import Issue, IssueState, Result, Transition
from ganzhi.store import complaint_repo, issue_query, list_query, practice_repo, publication_repo, supervision_repo
from ganzhi.store import repositories as repo
from ganzhi.store.publication_tables import ComplaintRow, LookbackRow
from ganzhi.supervision.models import Campaign, Enterprise, Interview
from ganzhi.supervision.ownership import Ownership
from ganzhi.supervision.practices import GoodPractice
from ganzhi.supervision.publications import Publication, PublicationStatus
from ganzhi.supervision.standings import round_findings

#: Issue states an enterprise may move its own issues to (it declares rectification; regulators and
#: rechecks decide FIXED / VERIFIED / WAIVED / FALSE_POSITIVE).
ENTERPRISE_TARGETS = frozenset({IssueState.RECTIFYING})


class Forbidden(Exception):
    """The principal may see the object but not change it this way; the message says why."""


@dataclass(slots=True)
class Scope:
    """What one principal may see; ownership is indexed lazily, once per request."""

    principal: Principal
    session: Session
    _ownership: Ownership | None = field(default=None, init=False)
    _visible: repo.SubjectFilter | None = field(default=None, init=False)

    @property
    def role(self) -> Role:
        return self.principal.role

    def ownership(self) -> Ownership:
        if self._ownership is None:
            self._ownership = Ownership.build(supervision_repo.list_enterprises(self.session))
        return self._ownership

    @property
    def national(self) -> bool:
        """A regulator without a province limit: sees everything, filters nothing."""
        return self.principal.is_regulator and not self.principal.provinces

    def province_enterprises(self) -> frozenset[str]:
        """Ids of the enterprises in the provincial regulator's provinces (all of them for a national one)."""
        wanted = set(self.principal.provinces)
        return frozenset(
            e.id for e in supervision_repo.list_enterprises(self.session) if not wanted or e.province in wanted
        )

    def sees_subject(self, subject: Subject) -> bool:
        """True when the principal may see findings about `subject`."""
        if self.national:
            return True
        if self.principal.is_regulator:
            return self.ownership().operator_of(subject) in self.province_enterprises()
        scope_id = self.principal.scope_id
        if self.role is Role.ENTERPRISE:
            return scope_id is not None and self.ownership().operator_of(subject) == scope_id
        if self.role is Role.APP_STORE:
            return scope_id is not None and scope_id in self.ownership().stores_of_key(subject.key)
        return False

    def visible_subjects(self) -> repo.SubjectFilter | None:
        """`sees_subject` as a filter the lists push into SQL: None for national regulators (no filter); built once."""
        if self.national:
            return None
        if self._visible is None:
            scope_id = self.principal.scope_id
            if self.principal.is_regulator:
                self._visible = subjects_of(self.ownership(), self.province_enterprises())
            elif scope_id and self.role is Role.ENTERPRISE:
                owned = self.ownership()
                self._visible = repo.SubjectFilter(owned.keys_operated_by(scope_id), owned.names_of(scope_id))
            elif scope_id and self.role is Role.APP_STORE:
                self._visible = repo.SubjectFilter(self.ownership().keys_distributed_by(scope_id))
            else:
                self._visible = repo.SubjectFilter()
        return self._visible

    def sees_enterprise(self, enterprise_id: str) -> bool:
        if self.national:
            return True
        if self.principal.is_regulator:
            return enterprise_id in self.province_enterprises()
        return self.role is Role.ENTERPRISE and self.principal.scope_id == enterprise_id


def subjects_of(ownership: Ownership, enterprise_ids: Iterable[str]) -> repo.SubjectFilter:
    """The subjects the given enterprises operate, as a SQL filter (keys they link, names evidence gives)."""
    keys: set[str] = set()
    names: set[str] = set()
    for enterprise_id in enterprise_ids:
        keys |= ownership.keys_operated_by(enterprise_id)
        names |= ownership.names_of(enterprise_id)
    return repo.SubjectFilter(frozenset(keys), frozenset(names))


def _sees_nothing(visible: repo.SubjectFilter | None) -> bool:
    return visible is not None and visible.empty


# --- issues and their transitions ----------------------------------------------------------------


def issues(
    scope: Scope, *, states: Iterable[IssueState] | None = None, task: str | None = None, limit: int = 500
) -> list[Issue]:
    """Visible issues, oldest first, at most `limit` (filtered and limited in SQL, not after loading all)."""
    visible = scope.visible_subjects()
    if _sees_nothing(visible):
        return []
    return repo.get_issues(scope.session, states=states, task=task, visible=visible, limit=limit)


def issue(scope: Scope, fingerprint: str) -> Issue | None:
    """The issue if it exists and is visible (an invisible issue reads as absent)."""
    if scope.role is Role.PUBLIC:
        return None
    found = repo.get_issues(scope.session, fingerprints=[fingerprint])
    return found[0] if found and scope.sees_subject(found[0].subject) else None


def transitions(scope: Scope, fingerprint: str) -> list[Transition] | None:
    """The audit trail of a visible issue, None when the issue is not visible."""
    if issue(scope, fingerprint) is None:
        return None
    return repo.transitions_for(scope.session, fingerprint)


def move_issue(
    scope: Scope,
    fingerprint: str,
    to: IssueState,
    *,
    reason: str,
    waiver_expires: dt.datetime | None = None,
) -> tuple[Issue, Transition] | None:
    """Apply a lifecycle transition to a visible issue and store it; None when the issue is not visible.

    Raises:
        Forbidden: the role may not make this transition.
        TransitionError: the lifecycle does not allow it (message names the states).
    """
    current = issue(scope, fingerprint)
    if current is None:
        return None
    if scope.role is Role.APP_STORE or (scope.role is Role.ENTERPRISE and to not in ENTERPRISE_TARGETS):
        allowed = sorted(s.value for s in ENTERPRISE_TARGETS) if scope.role is Role.ENTERPRISE else []
        raise Forbidden(f"role {scope.role.value} may not move issues to {to.value}; allowed targets: {allowed}")
    now = dt.datetime.now(dt.UTC)
    updated, record = transition(
        current, to, actor=scope.principal.actor, reason=reason, at=now, waiver_expires=waiver_expires
    )
    repo.upsert_issues(scope.session, [updated])
    repo.add_transitions(scope.session, [record])
    return updated, record


# --- runs and results ------------------------------------------------------------------------------


def runs(scope: Scope, *, limit: int = 50) -> list[repo.RunRecord]:
    """The newest `limit` runs; scoped principals see only runs with a result about one of their subjects."""
    visible = scope.visible_subjects()
    if _sees_nothing(visible):
        return []
    return repo.list_runs(scope.session, limit=limit, visible=visible)


def run_page(
    scope: Scope, query: list_query.RunQuery, order: list_query.Order, *, offset: int, limit: int
) -> tuple[int, list[repo.RunRecord]]:
    """(total, one page) of the runs the principal sees, filtered, sorted and paged in SQL."""
    if scope.role is Role.PUBLIC:
        return 0, []
    return list_query.page_runs(
        scope.session, query, order, visible=scope.visible_subjects(), offset=offset, limit=limit
    )


def run(scope: Scope, run_id: str) -> repo.RunRecord | None:
    """A visible run, or None."""
    if scope.role is Role.PUBLIC:
        return None
    found = repo.get_run(scope.session, run_id)
    if found is None or (not scope.national and not results(scope, run_id, limit=1)):
        return None
    return found


def results(scope: Scope, run_id: str, *, limit: int | None = None) -> list[Result]:
    """The visible results of one run, in the order they were saved, at most `limit`."""
    visible = scope.visible_subjects()
    if _sees_nothing(visible):
        return []
    return repo.results_for_run(scope.session, run_id, visible=visible, limit=limit)


# --- enterprises and campaigns -------------------------------------------------------------------


def enterprises(scope: Scope) -> list[Enterprise]:
    """National regulators: every enterprise; provincial ones: their provinces'; an enterprise: itself."""
    if scope.principal.is_regulator:
        found = supervision_repo.list_enterprises(scope.session)
        return found if scope.national else [e for e in found if e.province in scope.principal.provinces]
    own = enterprise(scope, scope.principal.scope_id or "")
    return [own] if own is not None else []


def enterprise_page(
    scope: Scope, query: list_query.EnterpriseQuery, order: list_query.Order, *, offset: int, limit: int
) -> tuple[int, list[Enterprise]]:
    """(total, one page) of `enterprises(scope)`: the same scope as WHERE clauses (provinces, or the own id)."""
    if scope.principal.is_regulator:
        allowed = None if scope.national else list(scope.principal.provinces)
        query = dataclasses.replace(query, allowed_provinces=allowed, allowed_ids=None)
    else:
        own = enterprise(scope, scope.principal.scope_id or "")
        query = dataclasses.replace(query, allowed_provinces=None, allowed_ids=[own.id] if own is not None else [])
    return list_query.page_enterprises(scope.session, query, order, offset=offset, limit=limit)


def enterprise(scope: Scope, key: str) -> Enterprise | None:
    found = supervision_repo.get_enterprise(scope.session, key) if key else None
    return found if found is not None and scope.sees_enterprise(found.id) else None


def campaigns(scope: Scope) -> list[Campaign]:
    """Regulators: every campaign; an enterprise: the campaigns it has assignments in."""
    if scope.principal.is_regulator:
        return supervision_repo.list_campaigns(scope.session)
    if scope.role is not Role.ENTERPRISE or not scope.principal.scope_id:
        return []
    return [
        c
        for c in supervision_repo.list_campaigns(scope.session)
        if supervision_repo.get_assignments(scope.session, c.id, enterprise_id=scope.principal.scope_id)
    ]


def campaign_page(
    scope: Scope, query: list_query.CampaignQuery, order: list_query.Order, *, offset: int, limit: int
) -> tuple[int, list[Campaign]]:
    """(total, one page) of `campaigns(scope)`: an enterprise's assignments as a WHERE clause."""
    if scope.principal.is_regulator:
        query = dataclasses.replace(query, assigned_to=None)
    elif scope.role is Role.ENTERPRISE and scope.principal.scope_id:
        query = dataclasses.replace(query, assigned_to=scope.principal.scope_id)
    else:
        return 0, []
    return list_query.page_campaigns(scope.session, query, order, offset=offset, limit=limit)


def campaign(scope: Scope, campaign_id: str) -> Campaign | None:
    return next((c for c in campaigns(scope) if c.id == campaign_id), None)


@dataclass(frozen=True, slots=True)
class RoundCount:
    """One round of a campaign as the scope sees it: findings its attached runs found, and how many are still open."""

    number: int
    name: str
    found: int
    open: int


def round_counts(scope: Scope, campaign_id: str) -> list[RoundCount]:
    """Per round (in number order): visible findings of its attached runs, and of those the ones still active.

    A finding whose issue is waived or a false positive does not count (as in the round standings).
    """
    if campaign(scope, campaign_id) is None:
        return []
    counted: list[RoundCount] = []
    for found_round in supervision_repo.list_rounds(scope.session, campaign_id):
        results = [
            r
            for r in supervision_repo.round_results(scope.session, campaign_id, found_round.number)
            if scope.sees_subject(r.subject)
        ]
        issues = {
            i.fingerprint: i for i in repo.get_issues(scope.session, fingerprints={r.fingerprint for r in results})
        }
        findings = round_findings(results, issues)
        still_open = sum(1 for f in findings if (i := issues.get(f.fingerprint)) and i.state in ACTIVE_STATES)
        counted.append(RoundCount(found_round.number, found_round.name, len(findings), still_open))
    return counted


# --- publications --------------------------------------------------------------------------------


def publications(scope: Scope) -> list[Publication]:
    """Regulators see drafts too; everyone else only approved (published) snapshots."""
    found = publication_repo.list_publications(scope.session)
    if scope.principal.is_regulator:
        return found
    return [p for p in found if p.status is PublicationStatus.APPROVED]


def publication_page(
    scope: Scope, query: list_query.PublicationQuery, order: list_query.Order, *, offset: int, limit: int
) -> tuple[int, list[Publication]]:
    """(total, one page) of `publications(scope)`: non-regulators get approved snapshots only, in SQL."""
    query = dataclasses.replace(query, approved_only=not scope.principal.is_regulator)
    return list_query.page_publications(scope.session, query, order, offset=offset, limit=limit)


def publication(scope: Scope, publication_id: str) -> Publication | None:
    return next((p for p in publications(scope) if p.id == publication_id), None)


# --- interviews and look-backs -------------------------------------------------------------------


def interviews(scope: Scope, *, enterprise_id: str | None = None) -> list[Interview]:
    """Regulators: every 约谈 record (or one enterprise's; provincial: their provinces'); an enterprise: its own."""
    if scope.principal.is_regulator:
        found = supervision_repo.list_interviews(scope.session, enterprise_id=enterprise_id or None)
        return found if scope.national else [i for i in found if scope.sees_enterprise(i.enterprise_id)]
    own = scope.principal.scope_id
    if scope.role is not Role.ENTERPRISE or not own or (enterprise_id and enterprise_id != own):
        return []
    return supervision_repo.list_interviews(scope.session, enterprise_id=own)


def record_interview(scope: Scope, interview: Interview) -> Interview:
    """Store a 约谈 record (regulators only); the store refuses an existing id or an unknown enterprise."""
    if not scope.principal.is_regulator:
        raise Forbidden(f"role {scope.role.value} cannot record interviews (regulators only)")
    if not scope.sees_enterprise(interview.enterprise_id):
        raise Forbidden(f"enterprise {interview.enterprise_id!r} is outside this account's provinces")
    return supervision_repo.save_interview(scope.session, interview)


def lookbacks(scope: Scope) -> list[dict[str, Any]]:
    """Regulators: every stored 回头看, newest first (id, time, actor, campaign, counts); others: none."""
    if not scope.principal.is_regulator:
        return []
    rows = scope.session.scalars(select(LookbackRow).order_by(LookbackRow.created_at.desc(), LookbackRow.id))
    return [
        {
            "id": row.id,
            "run_id": row.run_id,
            "campaign_id": row.campaign_id,
            "actor": row.actor,
            "created_at": row.created_at,
            "counts": dict(row.report.get("counts", {})),
        }
        for row in rows
    ]


def lookback(scope: Scope, lookback_id: str) -> dict[str, Any] | None:
    """One look-back with its report (regulators only)."""
    if not scope.principal.is_regulator or scope.session.get(LookbackRow, lookback_id) is None:
        return None
    return publication_repo.get_lookback(scope.session, lookback_id)


# --- the issue queue -----------------------------------------------------------------------------


def issue_page(
    scope: Scope,
    query: issue_query.IssueQuery,
    *,
    enterprise_ids: Iterable[str] = (),
    provinces: Iterable[str] = (),
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[Issue]]:
    """(total, one page) of the visible issues matching `query`, optionally of some enterprises or provinces.

    The enterprise and province filters become subject filters ANDed with the scope in SQL, so a
    provincial regulator asking for another province gets nothing, not that province's rows.
    """
    if scope.role is Role.PUBLIC:
        return 0, []
    owned: list[repo.SubjectFilter] = list(query.owned)
    wanted = set(enterprise_ids)
    wanted_provinces = set(provinces)
    if wanted or wanted_provinces:
        chosen = {
            e.id
            for e in supervision_repo.list_enterprises(scope.session)
            if (not wanted or e.id in wanted) and (not wanted_provinces or e.province in wanted_provinces)
        }
        owned.append(subjects_of(scope.ownership(), chosen))
    query = dataclasses.replace(query, owned=tuple(owned))
    visible = scope.visible_subjects()
    total = issue_query.count_issues(scope.session, query, visible=visible)
    return total, issue_query.page_issues(scope.session, query, visible=visible, offset=offset, limit=limit)


# --- complaints and 典型案例 ----------------------------------------------------------------------


def complaint_counts(scope: Scope) -> dict[tuple[str, str], int]:
    """(province, task) → complaints: national regulators all, provincial ones their provinces', others none."""
    if not scope.principal.is_regulator:
        return {}
    return complaint_repo.province_task_counts(scope.session, provinces=scope.principal.provinces)


def recent_complaints(scope: Scope, *, task: str | None = None, limit: int = 100) -> list[ComplaintRow]:
    """The newest complaints the regulator may see (its provinces' for a provincial one)."""
    if not scope.principal.is_regulator:
        return []
    return complaint_repo.recent_complaints(scope.session, provinces=scope.principal.provinces, task=task, limit=limit)


def practices(scope: Scope) -> list[GoodPractice]:
    """典型案例: regulators see drafts too (a provincial one its provinces'); everyone else approved ones only."""
    if not scope.principal.is_regulator:
        return practice_repo.list_practices(scope.session, approved_only=True)
    ids = None if scope.national else sorted(scope.province_enterprises())
    return practice_repo.list_practices(scope.session, enterprise_ids=ids)


def record_practice(scope: Scope, record: GoodPractice) -> GoodPractice:
    """Store a draft 典型案例 (regulators, for an enterprise they oversee)."""
    if not scope.principal.is_regulator:
        raise Forbidden(f"role {scope.role.value} cannot record 典型案例 (regulators only)")
    if not scope.sees_enterprise(record.enterprise_id):
        raise Forbidden(f"enterprise {record.enterprise_id!r} is outside this account's provinces")
    return practice_repo.save_practice(scope.session, record)


def approve_practice(scope: Scope, practice_id: str) -> GoodPractice:
    """Approve a draft 典型案例 (a regulator other than its drafter)."""
    if not scope.principal.is_regulator:
        raise Forbidden(f"role {scope.role.value} cannot approve 典型案例 (regulators only)")
    visible = {p.id for p in practices(scope)}
    if practice_id not in visible:
        raise Forbidden(f"no 典型案例 {practice_id!r} visible to this account")
    return practice_repo.approve_practice(scope.session, practice_id, scope.principal.username, dt.datetime.now(dt.UTC))
