"""Counts per task × status: the one tally every summary (JSON, table, reports) shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ganzhi.findings.models import Result
from ganzhi.outputs.labels import STATUS_ORDER, task_sort_key


def status_counts(results: Iterable[Result]) -> dict[str, dict[str, int]]:
    """Task → status → number of results, tasks in notice order, every status present (zero-filled)."""
    tally: Counter[tuple[str, str]] = Counter((r.task, r.status.value) for r in results)
    tasks = sorted({task for task, _ in tally}, key=task_sort_key)
    return {task: {status.value: tally[(task, status.value)] for status in STATUS_ORDER} for task in tasks}


def status_totals(counts: dict[str, dict[str, int]]) -> dict[str, int]:
    """Column totals of `status_counts` over all tasks."""
    return {status.value: sum(row[status.value] for row in counts.values()) for status in STATUS_ORDER}
