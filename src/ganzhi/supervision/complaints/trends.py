"""Complaint trends per enterprise × task × month, and their link to the campaign's scores.

The link is shown, not folded into the score: MIIT publishes no formula combining complaints and
inspection findings, so the report puts each enterprise's task score next to its complaints on that
task (and the share of all its complaints) for the regulator to read together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ganzhi.supervision.scoring import EnterpriseScore


@dataclass(frozen=True, slots=True)
class StoredComplaint:
    """A classified complaint as the store returns it."""

    external_id: str
    text: str
    received_on: str
    enterprise_id: str | None
    enterprise_name: str | None
    channel: str
    task: str
    confidence: float


def monthly(complaints: Iterable[StoredComplaint]) -> list[tuple[str, str, str, int]]:
    """(enterprise, task, YYYY-MM, count), sorted; unregistered enterprises by their given name."""
    counts = Counter(
        (c.enterprise_id or c.enterprise_name or "未知", c.task, c.received_on[:7]) for c in complaints
    )
    return [(e, t, m, n) for (e, t, m), n in sorted(counts.items())]


def with_scores(
    complaints: Iterable[StoredComplaint], scores: Mapping[str, EnterpriseScore]
) -> list[tuple[str, str, float | None, int, float]]:
    """(enterprise, task, task score or None, complaints on the task, share of the enterprise's complaints)."""
    per = Counter((c.enterprise_id, c.task) for c in complaints if c.enterprise_id)
    totals = Counter(c.enterprise_id for c in complaints if c.enterprise_id)
    keys = set(per)
    for eid, score in scores.items():
        keys |= {(eid, task.task) for task in score.tasks}
    rows = []
    for eid, task in sorted(k for k in keys if k[0] is not None):
        task_scores = {t.task: t.score for t in scores[eid].tasks} if eid in scores else {}
        count = per.get((eid, task), 0)
        share = round(count / totals[eid], 4) if totals.get(eid) else 0.0
        rows.append((eid, task, task_scores.get(task), count, share))
    return rows
