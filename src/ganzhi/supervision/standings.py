"""A campaign's standings: which findings count, whose they are, the scores, ranks and trends.

Pure functions over records the store hands in. A round counts the failing results of the runs
attached to it (minus issues a person waived or judged false positives); "now" counts the issues
that are still active. Findings are given to the enterprise operating their subject.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ganzhi.catalog.schema import Catalog, EnterpriseType
from ganzhi.findings.lifecycle import ACTIVE_STATES, SUPPRESSED_STATES
from ganzhi.findings.models import Issue, Result
from ganzhi.supervision.campaigns import assignments, tasks_of
from ganzhi.supervision.models import Campaign, Enterprise
from ganzhi.supervision.ownership import Ownership
from ganzhi.supervision.ranking import RankEntry, StoreRankEntry, TrendPoint, rank_app_stores, rank_by_type, trends
from ganzhi.supervision.registry_io import KeyList
from ganzhi.supervision.scoring import EnterpriseScore, Finding, Weights, score_enterprise


def round_findings(results: Iterable[Result], issues: Mapping[str, Issue]) -> list[Finding]:
    """Failing, issue-creating results of a round, minus those whose issue is waived or a false positive."""
    found: dict[str, Finding] = {}
    for result in results:
        if not result.is_finding:
            continue
        issue = issues.get(result.fingerprint)
        if issue is not None and issue.state in SUPPRESSED_STATES:
            continue
        found.setdefault(result.fingerprint, Finding.of_result(result))
    return list(found.values())


def current_findings(issues: Iterable[Issue]) -> list[Finding]:
    """Issues the enterprises still have to act on."""
    return [Finding.of_issue(issue) for issue in issues if issue.state in ACTIVE_STATES]


@dataclass(frozen=True, slots=True)
class Standings:
    """Scores of every assigned enterprise, rankings per type, and the app-store ranking."""

    scores: dict[str, EnterpriseScore]
    rankings: dict[EnterpriseType, list[RankEntry]]
    stores: list[StoreRankEntry]
    unowned: list[Finding]


def standings(
    catalog: Catalog,
    campaign: Campaign,
    enterprises: Sequence[Enterprise],
    key_lists: Iterable[KeyList],
    findings: Iterable[Finding],
) -> Standings:
    """Score the campaign's assigned enterprises on its tasks; findings no enterprise owns are listed apart."""
    ownership = Ownership.build(enterprises)
    by_id = {e.id: e for e in enterprises}
    assigned = tasks_of(assignments(catalog, campaign, enterprises, key_lists))
    per_enterprise: dict[str, list[Finding]] = {}
    unowned: list[Finding] = []
    items = list(findings)
    for finding in items:
        owner = ownership.operator_of_key(finding.subject_key, finding.named_enterprise)
        if owner is None:
            unowned.append(finding)
        else:
            per_enterprise.setdefault(owner, []).append(finding)
    weights = Weights.from_catalog(catalog)
    scores = {
        eid: score_enterprise(weights, eid, tasks, per_enterprise.get(eid, []))
        for eid, tasks in sorted(assigned.items())
    }
    in_campaign = {f.subject_key for f in items if f.task in campaign.tasks}
    return Standings(
        scores=scores,
        rankings=rank_by_type(scores.values(), by_id),
        stores=rank_app_stores(by_id, ownership, in_campaign),
        unowned=unowned,
    )


def round_trends(per_round: Sequence[tuple[str, Standings]]) -> dict[str, list[TrendPoint]]:
    """Each enterprise's score across the given rounds (in round order)."""
    return trends([(key, {eid: s.score for eid, s in st.scores.items()}) for key, st in per_round])
