"""Standings of a campaign read from the store: the one place the CLI, the web and the demo compute them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ganzhi.catalog.loader import default_catalog
from ganzhi.store import repositories as repo
from ganzhi.store import supervision_repo as srepo
from ganzhi.supervision.standings import Standings, current_findings, round_findings, standings


def compute_standings(session: Session, campaign_id: str, round_number: int | None = None) -> Standings:
    """Standings of a campaign now (active issues) or in one round (its attached runs)."""
    catalog = default_catalog()
    campaign = srepo.require_campaign(session, campaign_id)
    enterprises = srepo.list_enterprises(session)
    key_lists = srepo.list_key_lists(session)
    if round_number is None:
        findings = current_findings(repo.get_issues(session))
    else:
        results = srepo.round_results(session, campaign_id, round_number)
        issues = {i.fingerprint: i for i in repo.get_issues(session, fingerprints={r.fingerprint for r in results})}
        findings = round_findings(results, issues)
    return standings(catalog, campaign, enterprises, key_lists, findings)
