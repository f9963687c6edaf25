"""Run a look-back against the store: select, re-inspect through the engine, judge, verify, record.

The pure parts live in `lookback.py`; this module wires them to the store, to
`engine.inspection.inspect` (which stores the run and moves the issues), to the campaign's rounds (a
look-back round with the run attached) and to the ladder (proposals from the trigger rules that read
reopened issues).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from ganzhi.engine.executors import Executor
from ganzhi.engine.runner import SubjectOutput
from ganzhi.errors import GanzhiError
from ganzhi.evidence.base import Evidence
from ganzhi.store import publication_repo as prepo
from ganzhi.store import repositories as repo
from ganzhi.store import supervision_repo as srepo
from ganzhi.store.db import session_scope
from ganzhi.supervision.ladder import Ladder
from ganzhi.supervision.lookback import (
    LookbackReport,
    LookbackSelection,
    judge,
    latest_per_kind,
    scoped_evidence,
    select_closed,
    verify_confirmed,
)
from ganzhi.supervision.models import RoundKind
from ganzhi.supervision.ownership import Ownership
from ganzhi.supervision.triggers import Proposal, RuleKind, TriggerInput, TriggerRule, propose
from ganzhi.usecases.inspection import Inspection, inspect
from ganzhi.workdays.calendar import default_calendar


class NothingToLookBack(GanzhiError):
    """No closed issue matches the selection, or no evidence reaches them."""


@dataclass(frozen=True, slots=True)
class LookbackOutcome:
    """The report, the engine's inspection and the round the run was attached to (if any)."""

    report: LookbackReport
    inspection: Inspection
    round_key: str | None


def run_lookback(
    sessions: sessionmaker[Session],
    lookback_id: str,
    selection: LookbackSelection,
    *,
    actor: str,
    evidence: Sequence[Evidence] | None = None,
    campaign_id: str | None = None,
    verify_passed: bool = True,
    executor: Executor | None = None,
    on_subject: Callable[[SubjectOutput], None] | None = None,
    now: dt.datetime | None = None,
) -> LookbackOutcome:
    """Re-test the selected closed issues on `evidence` (default: the newest stored evidence of their subjects)."""
    at = now or dt.datetime.now(dt.UTC)
    with session_scope(sessions) as session:
        if campaign_id is not None:
            srepo.require_campaign(session, campaign_id)
        ownership = Ownership.build(srepo.list_enterprises(session))
        selected = select_closed(repo.get_issues(session, states=selection.states), selection, ownership)
        if not selected:
            raise NothingToLookBack(f"no closed (FIXED/VERIFIED) issue matches the selection {selection.model_dump()}")
        if evidence is None:
            stored = repo.load_evidence(session, subject_keys=sorted({i.subject.key for i in selected}))
            items = latest_per_kind(stored)
        else:
            items = scoped_evidence(evidence, selected)
    if not items:
        raise NothingToLookBack(f"no evidence about the {len(selected)} selected issues' subjects")
    inspection = inspect(
        items,
        sessions,
        check_ids=sorted({i.check_id for i in selected}),
        executor=executor,
        note=f"回头看 look-back {lookback_id}",
        on_subject=on_subject,
    )
    with session_scope(sessions) as session:
        after = {i.fingerprint: i for i in repo.get_issues(session, fingerprints=[i.fingerprint for i in selected])}
        lines = judge(selected, inspection.results, ownership, after)
        if verify_passed:
            verified, records = verify_confirmed(lines, after, actor=actor, at=at, run_id=inspection.run_id)
            repo.upsert_issues(session, verified)
            repo.add_transitions(session, records)
        report = LookbackReport.of(lookback_id, inspection.run_id, lines)
        round_key = None
        round_number = None
        if campaign_id is not None:
            added = srepo.add_round(
                session, campaign_id, name=f"回头看 {lookback_id}", starts=at.date(), kind=RoundKind.LOOKBACK
            )
            srepo.attach_run(session, campaign_id, added.number, inspection.run_id, actor=actor, at=at)
            round_key, round_number = added.key, added.number
        prepo.save_lookback(
            session,
            lookback_id,
            run_id=inspection.run_id,
            actor=actor,
            at=at,
            selection=selection.model_dump(mode="json"),
            report=report.to_dict(),
            campaign_id=campaign_id,
            round_number=round_number,
        )
    return LookbackOutcome(report=report, inspection=inspection, round_key=round_key)


def ladder_proposals(
    session: Session, rules: Sequence[TriggerRule], ladder: Ladder, today: dt.date
) -> list[Proposal]:
    """What the `reopened` trigger rules now propose (the look-back's feed into the enforcement ladder)."""
    reopened_rules = [r for r in rules if r.kind is RuleKind.REOPENED]
    if not reopened_rules:
        return []
    days = max(r.number("lookback_days") for r in reopened_rules)
    since = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(), tzinfo=dt.UTC)
    enterprises = srepo.list_enterprises(session)
    ownership = Ownership.build(enterprises)
    data = TriggerInput(
        issues=repo.get_issues(session),
        transitions=srepo.reopenings_since(session, since),
        enterprise_of=lambda i: ownership.operator_of(i.subject),
        today=today,
        calendar=default_calendar(),
    )
    current = srepo.ladder_states(session, ladder, [e.id for e in enterprises])
    return propose(reopened_rules, data, ladder, current)
