"""Repositories of the supervision loop: plain functions from models to rows and back.

Like `repositories.py`, every function takes an open `Session` and leaves committing to the caller.
Errors are `StoreError`s that name the record (campaign id, round `campaign:number`, enterprise id or
USCC, run id) and what was expected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ganzhi.catalog.schema import EnterpriseType
from ganzhi.errors import StoreError
from ganzhi.findings.models import IssueState, Result, Transition
from ganzhi.store import repositories as repo
from ganzhi.store.supervision_tables import (
    AssignmentRow,
    CampaignRoundRow,
    CampaignRow,
    EnterpriseRow,
    EnterpriseSubjectRow,
    InterviewCommitmentRow,
    InterviewRow,
    KeyListMemberRow,
    KeyListRow,
    LadderEventRow,
    RoundRunRow,
)
from ganzhi.store.tables import IssueTransitionRow, RunRow
from ganzhi.supervision.ladder import Ladder
from ganzhi.supervision.models import (
    Assignment,
    AssignmentBasis,
    Campaign,
    CampaignRound,
    Commitment,
    Enterprise,
    Interview,
    LadderEvent,
    RoundKind,
    SubjectLink,
    SubjectRole,
)
from ganzhi.supervision.registry_io import KeyList


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- campaigns and rounds ----------------------------------------------------------------------


def save_campaign(session: Session, campaign: Campaign) -> Campaign:
    """Store a new campaign; an existing id is a StoreError."""
    if session.get(CampaignRow, campaign.id) is not None:
        raise StoreError(f"campaign {campaign.id!r} already exists; expected a new campaign id")
    session.add(
        CampaignRow(
            id=campaign.id,
            name=campaign.name,
            starts=campaign.starts,
            ends=campaign.ends,
            tasks=list(campaign.tasks),
            overrides=dict(campaign.overrides),
            key_lists=list(campaign.key_lists),
            description=campaign.description,
            created_at=campaign.created_at,
        )
    )
    session.flush()
    return campaign


def _campaign(row: CampaignRow) -> Campaign:
    return Campaign(
        id=row.id,
        name=row.name,
        starts=row.starts,
        ends=row.ends,
        tasks=list(row.tasks),
        overrides=dict(row.overrides),
        key_lists=list(row.key_lists),
        description=row.description,
        created_at=row.created_at,
    )


def get_campaign(session: Session, campaign_id: str) -> Campaign | None:
    """The campaign with this id, or None."""
    row = session.get(CampaignRow, campaign_id)
    return None if row is None else _campaign(row)


def require_campaign(session: Session, campaign_id: str) -> Campaign:
    """The campaign with this id; StoreError listing the known ids when absent."""
    found = get_campaign(session, campaign_id)
    if found is None:
        known = [c.id for c in list_campaigns(session)]
        raise StoreError(f"no campaign {campaign_id!r}; known campaigns: {known}")
    return found


def list_campaigns(session: Session) -> list[Campaign]:
    """Campaigns, newest window first."""
    rows = session.scalars(select(CampaignRow).order_by(CampaignRow.starts.desc(), CampaignRow.id))
    return [_campaign(row) for row in rows]


def add_round(
    session: Session,
    campaign_id: str,
    *,
    name: str,
    starts: dt.date,
    ends: dt.date | None = None,
    kind: RoundKind = RoundKind.INSPECTION,
) -> CampaignRound:
    """Append the next numbered round to a campaign."""
    require_campaign(session, campaign_id)
    last = session.scalar(select(func.max(CampaignRoundRow.number)).where(CampaignRoundRow.campaign_id == campaign_id))
    new = CampaignRound(campaign_id=campaign_id, number=(last or 0) + 1, name=name, kind=kind, starts=starts, ends=ends)
    session.add(
        CampaignRoundRow(
            campaign_id=campaign_id, number=new.number, name=name, kind=kind.value, starts=starts, ends=ends
        )
    )
    session.flush()
    return new


def _round_row(session: Session, campaign_id: str, number: int) -> CampaignRoundRow:
    row = session.scalar(
        select(CampaignRoundRow).where(CampaignRoundRow.campaign_id == campaign_id, CampaignRoundRow.number == number)
    )
    if row is None:
        numbers = list(
            session.scalars(select(CampaignRoundRow.number).where(CampaignRoundRow.campaign_id == campaign_id))
        )
        raise StoreError(f"no round {campaign_id}:{number}; campaign {campaign_id!r} has rounds {sorted(numbers)}")
    return row


def _round(session: Session, row: CampaignRoundRow) -> CampaignRound:
    runs = session.scalars(
        select(RoundRunRow.run_id).where(RoundRunRow.round_id == row.id).order_by(RoundRunRow.attached_at)
    )
    return CampaignRound(
        campaign_id=row.campaign_id,
        number=row.number,
        name=row.name,
        kind=RoundKind(row.kind),
        starts=row.starts,
        ends=row.ends,
        run_ids=list(runs),
    )


def get_round(session: Session, campaign_id: str, number: int) -> CampaignRound:
    """A round with the ids of its attached runs."""
    return _round(session, _round_row(session, campaign_id, number))


def list_rounds(session: Session, campaign_id: str) -> list[CampaignRound]:
    """A campaign's rounds in number order."""
    rows = session.scalars(
        select(CampaignRoundRow).where(CampaignRoundRow.campaign_id == campaign_id).order_by(CampaignRoundRow.number)
    )
    return [_round(session, row) for row in rows]


def attach_run(
    session: Session, campaign_id: str, number: int, run_id: str, *, actor: str, at: dt.datetime | None = None
) -> CampaignRound:
    """Attach a stored run to a round; a run already in another round is a StoreError."""
    round_row = _round_row(session, campaign_id, number)
    if session.get(RunRow, run_id) is None:
        raise StoreError(f"round {campaign_id}:{number}: no run {run_id!r}; expected the id of a stored run")
    existing = session.get(RoundRunRow, run_id)
    if existing is not None:
        if existing.round_id == round_row.id:
            return _round(session, round_row)
        other = session.get(CampaignRoundRow, existing.round_id)
        where = f"{other.campaign_id}:{other.number}" if other else str(existing.round_id)
        raise StoreError(f"run {run_id!r} is already attached to round {where}; a run belongs to one round")
    session.add(RoundRunRow(run_id=run_id, round_id=round_row.id, attached_at=at or _utcnow(), attached_by=actor))
    session.flush()
    return _round(session, round_row)


def round_results(session: Session, campaign_id: str, number: int) -> list[Result]:
    """Every result of every run attached to the round."""
    found = get_round(session, campaign_id, number)
    return [result for run_id in found.run_ids for result in repo.results_for_run(session, run_id)]


# --- enterprises and key lists -----------------------------------------------------------------


def upsert_enterprise(session: Session, enterprise: Enterprise, *, at: dt.datetime | None = None) -> bool:
    """Insert or replace an enterprise and its subject links; True when it was new.

    A USCC already held by another enterprise id is a StoreError naming both.
    """
    now = at or _utcnow()
    holder = session.scalar(select(EnterpriseRow.id).where(EnterpriseRow.uscc == enterprise.uscc))
    if holder is not None and holder != enterprise.id:
        raise StoreError(f"enterprise {enterprise.id!r}: USCC {enterprise.uscc} already belongs to {holder!r}")
    row = session.get(EnterpriseRow, enterprise.id)
    created = row is None
    if row is None:
        row = EnterpriseRow(id=enterprise.id, created_at=now)
        session.add(row)
    row.name, row.uscc, row.type = enterprise.name, enterprise.uscc, enterprise.type.value
    row.province, row.updated_at = enterprise.province, now
    session.flush()
    session.execute(delete(EnterpriseSubjectRow).where(EnterpriseSubjectRow.enterprise_id == enterprise.id))
    session.add_all(
        EnterpriseSubjectRow(
            enterprise_id=enterprise.id,
            subject_type=link.subject_type,
            subject_id=link.subject_id,
            subject_key=link.key,
            role=link.role.value,
            name=link.name,
        )
        for link in enterprise.subjects
    )
    session.flush()
    return created


def _to_enterprise(row: EnterpriseRow, links: Iterable[EnterpriseSubjectRow]) -> Enterprise:
    return Enterprise(
        id=row.id,
        name=row.name,
        uscc=row.uscc,
        type=EnterpriseType(row.type),
        province=row.province,
        subjects=[
            SubjectLink(subject_type=s.subject_type, subject_id=s.subject_id, role=SubjectRole(s.role), name=s.name)
            for s in links
        ],
    )


def _enterprise(session: Session, row: EnterpriseRow) -> Enterprise:
    links = session.scalars(
        select(EnterpriseSubjectRow)
        .where(EnterpriseSubjectRow.enterprise_id == row.id)
        .order_by(EnterpriseSubjectRow.id)
    )
    return _to_enterprise(row, links)


def get_enterprise(session: Session, key: str) -> Enterprise | None:
    """The enterprise with this id or USCC, or None."""
    row = session.get(EnterpriseRow, key) or session.scalar(
        select(EnterpriseRow).where(EnterpriseRow.uscc == key.strip().upper())
    )
    return None if row is None else _enterprise(session, row)


def list_enterprises(session: Session, *, type: EnterpriseType | None = None) -> list[Enterprise]:
    """Enterprises (optionally of one type), by id."""
    query = select(EnterpriseRow).order_by(EnterpriseRow.id)
    if type is not None:
        query = query.where(EnterpriseRow.type == type.value)
    rows = list(session.scalars(query))
    # one query for every enterprise's links, not one per enterprise (the web scope indexes them per request)
    links_query = select(EnterpriseSubjectRow).order_by(EnterpriseSubjectRow.enterprise_id, EnterpriseSubjectRow.id)
    if type is not None:
        links_query = links_query.join(EnterpriseRow, EnterpriseRow.id == EnterpriseSubjectRow.enterprise_id).where(
            EnterpriseRow.type == type.value
        )
    links: dict[str, list[EnterpriseSubjectRow]] = {}
    for link in session.scalars(links_query):
        links.setdefault(link.enterprise_id, []).append(link)
    return [_to_enterprise(row, links.get(row.id, [])) for row in rows]


def save_key_list(session: Session, key_list: KeyList, *, at: dt.datetime | None = None) -> None:
    """Insert or replace a key list and its members."""
    row = session.get(KeyListRow, key_list.id)
    if row is None:
        row = KeyListRow(id=key_list.id)
        session.add(row)
    row.name, row.basis, row.tasks, row.imported_at = (
        key_list.name,
        key_list.basis,
        list(key_list.tasks),
        at or _utcnow(),
    )
    session.flush()
    session.execute(delete(KeyListMemberRow).where(KeyListMemberRow.list_id == key_list.id))
    session.add_all(KeyListMemberRow(list_id=key_list.id, uscc=code) for code in sorted(set(key_list.members)))
    session.flush()


def list_key_lists(session: Session) -> list[KeyList]:
    """Stored key lists, by id."""
    lists = []
    for row in session.scalars(select(KeyListRow).order_by(KeyListRow.id)):
        members = session.scalars(
            select(KeyListMemberRow.uscc).where(KeyListMemberRow.list_id == row.id).order_by(KeyListMemberRow.uscc)
        )
        lists.append(KeyList(id=row.id, name=row.name, basis=row.basis, tasks=list(row.tasks), members=list(members)))
    return lists


# --- assignments -------------------------------------------------------------------------------


def replace_assignments(session: Session, campaign_id: str, items: Iterable[Assignment]) -> int:
    """Replace a campaign's assignments with `items`; returns how many were stored."""
    require_campaign(session, campaign_id)
    rows = list(items)
    stray = sorted({a.campaign_id for a in rows} - {campaign_id})
    if stray:
        raise StoreError(f"replace_assignments for {campaign_id!r} got assignments of campaigns {stray}")
    session.execute(delete(AssignmentRow).where(AssignmentRow.campaign_id == campaign_id))
    session.add_all(
        AssignmentRow(
            campaign_id=a.campaign_id,
            enterprise_id=a.enterprise_id,
            task=a.task,
            basis=a.basis.value,
            list_id=a.list_id,
        )
        for a in rows
    )
    session.flush()
    return len(rows)


def get_assignments(session: Session, campaign_id: str, *, enterprise_id: str | None = None) -> list[Assignment]:
    """A campaign's assignments, by enterprise then task."""
    query = select(AssignmentRow).where(AssignmentRow.campaign_id == campaign_id)
    if enterprise_id is not None:
        query = query.where(AssignmentRow.enterprise_id == enterprise_id)
    rows = session.scalars(query.order_by(AssignmentRow.enterprise_id, AssignmentRow.task))
    return [
        Assignment(
            campaign_id=r.campaign_id,
            enterprise_id=r.enterprise_id,
            task=r.task,
            basis=AssignmentBasis(r.basis),
            list_id=r.list_id,
        )
        for r in rows
    ]


# --- interviews --------------------------------------------------------------------------------


def save_interview(session: Session, interview: Interview) -> Interview:
    """Store a new interview with its commitments; an existing id or unknown enterprise is a StoreError."""
    if session.get(InterviewRow, interview.id) is not None:
        raise StoreError(f"interview {interview.id!r} already exists; expected a new interview id")
    if session.get(EnterpriseRow, interview.enterprise_id) is None:
        raise StoreError(f"interview {interview.id!r}: no enterprise {interview.enterprise_id!r}")
    if interview.campaign_id is not None:
        require_campaign(session, interview.campaign_id)
    session.add(
        InterviewRow(
            id=interview.id,
            enterprise_id=interview.enterprise_id,
            campaign_id=interview.campaign_id,
            held_on=interview.held_on,
            attendees=list(interview.attendees),
            minutes=interview.minutes,
            fingerprints=list(interview.fingerprints),
            rule_ids=list(interview.rule_ids),
            recorded_by=interview.recorded_by,
            recorded_at=interview.recorded_at,
        )
    )
    session.flush()
    session.add_all(
        InterviewCommitmentRow(
            interview_id=interview.id, position=k, text=c.text, due=c.due, fingerprints=list(c.fingerprints)
        )
        for k, c in enumerate(interview.commitments)
    )
    session.flush()
    return interview


def list_interviews(session: Session, *, enterprise_id: str | None = None) -> list[Interview]:
    """Interviews, most recent first."""
    query = select(InterviewRow).order_by(InterviewRow.held_on.desc(), InterviewRow.id)
    if enterprise_id is not None:
        query = query.where(InterviewRow.enterprise_id == enterprise_id)
    found = []
    for row in session.scalars(query):
        commitments = session.scalars(
            select(InterviewCommitmentRow)
            .where(InterviewCommitmentRow.interview_id == row.id)
            .order_by(InterviewCommitmentRow.position)
        )
        found.append(
            Interview(
                id=row.id,
                enterprise_id=row.enterprise_id,
                campaign_id=row.campaign_id,
                held_on=row.held_on,
                attendees=list(row.attendees),
                minutes=row.minutes,
                commitments=[
                    Commitment(text=c.text, due=c.due, fingerprints=list(c.fingerprints)) for c in commitments
                ],
                fingerprints=list(row.fingerprints),
                rule_ids=list(row.rule_ids),
                recorded_by=row.recorded_by,
                recorded_at=row.recorded_at,
            )
        )
    return found


# --- enforcement ladder ------------------------------------------------------------------------


def ladder_events(session: Session, enterprise_id: str | None = None) -> list[LadderEvent]:
    """The audit trail (of one enterprise, or all), in the order the moves were recorded."""
    query = select(LadderEventRow).order_by(LadderEventRow.id)
    if enterprise_id is not None:
        query = query.where(LadderEventRow.enterprise_id == enterprise_id)
    return [
        LadderEvent(
            enterprise_id=r.enterprise_id,
            from_step=r.from_step,
            to_step=r.to_step,
            actor=r.actor,
            at=r.at,
            reason=r.reason,
            skip_reason=r.skip_reason,
            interview_id=r.interview_id,
            campaign_id=r.campaign_id,
        )
        for r in session.scalars(query)
    ]


def ladder_state(session: Session, ladder: Ladder, enterprise_id: str) -> str | None:
    """The enterprise's current rung, replayed from its stored trail."""
    return ladder.replay(ladder_events(session, enterprise_id))


def record_ladder_event(session: Session, ladder: Ladder, event: LadderEvent) -> LadderEvent:
    """Append a move after checking it starts from the stored state and obeys the ladder's rules."""
    if session.get(EnterpriseRow, event.enterprise_id) is None:
        raise StoreError(f"ladder move: no enterprise {event.enterprise_id!r}")
    current = ladder_state(session, ladder, event.enterprise_id)
    if event.from_step != current:
        raise StoreError(
            f"ladder move for {event.enterprise_id!r} starts at {event.from_step} but the stored state is {current}"
        )
    checked = ladder.move(
        event.enterprise_id,
        current,
        event.to_step,
        actor=event.actor,
        reason=event.reason,
        at=event.at,
        skip_reason=event.skip_reason,
        interview_id=event.interview_id,
        campaign_id=event.campaign_id,
    )
    session.add(
        LadderEventRow(
            enterprise_id=checked.enterprise_id,
            from_step=checked.from_step,
            to_step=checked.to_step,
            actor=checked.actor,
            at=checked.at,
            reason=checked.reason,
            skip_reason=checked.skip_reason,
            interview_id=checked.interview_id,
            campaign_id=checked.campaign_id,
        )
    )
    session.flush()
    return checked


def ladder_states(session: Session, ladder: Ladder, enterprise_ids: Sequence[str]) -> dict[str, str | None]:
    """Current rung of each given enterprise (None = not on the ladder)."""
    return {eid: ladder_state(session, ladder, eid) for eid in enterprise_ids}


def reopenings_since(session: Session, since: dt.datetime) -> list[Transition]:
    """Every move of an issue to REOPENED at or after `since` (for the reopened trigger rule)."""
    query = (
        select(IssueTransitionRow)
        .where(IssueTransitionRow.to_state == IssueState.REOPENED.value, IssueTransitionRow.at >= since)
        .order_by(IssueTransitionRow.at, IssueTransitionRow.id)
    )
    return [repo.transition_from_row(row) for row in session.scalars(query)]
