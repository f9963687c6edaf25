"""Rankings: enterprises by score within their type, score trends across rounds, and app stores by
the share of their apps with detected problems (the figure MIIT published for 2021 Q1).

Ranks are competition ranks (1, 2, 2, 4): enterprises with equal scores share a rank, and the
order within a rank is by name so the output is stable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ganzhi.catalog.schema import EnterpriseType
from ganzhi.supervision.models import Enterprise
from ganzhi.supervision.ownership import Ownership, unversioned
from ganzhi.supervision.scoring import DECIMALS, EnterpriseScore


@dataclass(frozen=True, slots=True)
class RankEntry:
    """One enterprise's place in its type's ranking."""

    rank: int
    enterprise_id: str
    name: str
    type: EnterpriseType
    score: float
    findings: int


def _competition_ranks(values: Sequence[float]) -> list[int]:
    ranks: list[int] = []
    for position, value in enumerate(values, start=1):
        ranks.append(ranks[-1] if ranks and values[position - 2] == value else position)
    return ranks


def rank_by_type(
    scores: Iterable[EnterpriseScore], enterprises: Mapping[str, Enterprise]
) -> dict[EnterpriseType, list[RankEntry]]:
    """Best score first within each enterprise type; scores of unknown enterprises are an error."""
    groups: dict[EnterpriseType, list[EnterpriseScore]] = {}
    for item in scores:
        enterprise = enterprises.get(item.enterprise_id)
        if enterprise is None:
            raise KeyError(f"score for unknown enterprise {item.enterprise_id!r}")
        groups.setdefault(enterprise.type, []).append(item)
    ranked: dict[EnterpriseType, list[RankEntry]] = {}
    for kind, items in sorted(groups.items()):
        ordered = sorted(items, key=lambda s: (-s.score, enterprises[s.enterprise_id].name, s.enterprise_id))
        ranks = _competition_ranks([s.score for s in ordered])
        ranked[kind] = [
            RankEntry(
                rank=rank,
                enterprise_id=s.enterprise_id,
                name=enterprises[s.enterprise_id].name,
                type=kind,
                score=s.score,
                findings=sum(t.findings for t in s.tasks),
            )
            for rank, s in zip(ranks, ordered, strict=True)
        ]
    return ranked


def bottom(entries: Sequence[RankEntry], count: int) -> list[RankEntry]:
    """The last `count` places of a ranking, ties at the boundary included (fairer to trigger rules)."""
    if count <= 0 or not entries:
        return []
    cutoff = entries[max(0, len(entries) - count)].score
    return [entry for entry in entries if entry.score <= cutoff]


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """An enterprise's score in one round and the change from its previous scored round."""

    round_key: str
    score: float
    delta: float | None


def trends(round_scores: Sequence[tuple[str, Mapping[str, float]]]) -> dict[str, list[TrendPoint]]:
    """Per enterprise, its scores across rounds (given in round order) with round-on-round deltas."""
    series: dict[str, list[TrendPoint]] = {}
    for round_key, scores in round_scores:
        for enterprise_id, score in sorted(scores.items()):
            points = series.setdefault(enterprise_id, [])
            delta = round(score - points[-1].score, DECIMALS) if points else None
            points.append(TrendPoint(round_key=round_key, score=score, delta=delta))
    return series


@dataclass(frozen=True, slots=True)
class StoreRankEntry:
    """An app store: its apps, those with problems, their share, and its share of all problem apps."""

    rank: int
    enterprise_id: str
    name: str
    apps: int
    apps_with_problems: int
    problem_rate: float
    share_of_all_problems: float


def rank_app_stores(
    enterprises: Mapping[str, Enterprise], ownership: Ownership, problem_subject_keys: Iterable[str]
) -> list[StoreRankEntry]:
    """App stores ranked by the share of their distributed apps with problems, highest share first.

    `problem_rate` = apps of the store with a finding / apps the store distributes; MIIT's 2021 Q1
    figures (应用宝 14.22%, 小米 13.81%...) are `share_of_all_problems`: the store's problem apps over
    all problem apps distributed by any listed store. Both are given; the rank follows the rate.
    """
    problems = {unversioned(key) for key in problem_subject_keys}
    apps_per_store: dict[str, set[str]] = {}
    for subject_key, stores in ownership.distributors.items():
        for store in stores:
            apps_per_store.setdefault(store, set()).add(subject_key)
    for enterprise in enterprises.values():
        if enterprise.type is EnterpriseType.APP_STORE:
            apps_per_store.setdefault(enterprise.id, set())
    problem_apps = {store: apps & problems for store, apps in apps_per_store.items()}
    all_problem_apps = set().union(*problem_apps.values()) if problem_apps else set()
    rows = []
    for store, apps in apps_per_store.items():
        bad = len(problem_apps[store])
        rate = round(bad / len(apps), DECIMALS) if apps else 0.0
        share = round(bad / len(all_problem_apps), DECIMALS) if all_problem_apps else 0.0
        name = enterprises[store].name if store in enterprises else store
        rows.append((store, name, len(apps), bad, rate, share))
    rows.sort(key=lambda r: (-r[4], -r[3], r[1], r[0]))
    ranks = _competition_ranks([r[4] for r in rows])
    return [
        StoreRankEntry(rank, store, name, apps, bad, rate, share)
        for rank, (store, name, apps, bad, rate, share) in zip(ranks, rows, strict=True)
    ]
