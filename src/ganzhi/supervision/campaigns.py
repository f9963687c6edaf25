"""Campaigns and assignments: which enterprise must do which task, and why.

A campaign names its tasks, its window and its param overrides (validated against the catalog, and
only for requirements of its own tasks). A task is assigned to an enterprise because the catalog says
the task applies to its type — unless a key list the campaign uses scopes that task (首批39家 for the
privacy tasks T3, T6, T7), in which case only the list's members of an applicable type get it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ganzhi.catalog.overrides import validate_overrides
from ganzhi.catalog.schema import Catalog
from ganzhi.errors import OverrideError
from ganzhi.supervision.models import Assignment, AssignmentBasis, Campaign, Enterprise
from ganzhi.supervision.registry_io import KeyList


def new_campaign(
    catalog: Catalog,
    *,
    campaign_id: str,
    name: str,
    starts: dt.date,
    ends: dt.date,
    tasks: Sequence[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    key_lists: Sequence[str] = (),
    description: str | None = None,
    created_at: dt.datetime | None = None,
    source: str = "campaign",
) -> Campaign:
    """A validated campaign; `tasks` default to every task of the catalog.

    Raises `OverrideError` for an unknown task or an invalid override, naming `source`.
    """
    known = [t.id for t in catalog.tasks]
    chosen = list(tasks) if tasks else known
    unknown = [t for t in chosen if t not in known]
    if unknown:
        raise OverrideError(f"{source}: tasks {unknown} are not in the catalog (expected some of {known})")
    checked = validate_overrides(catalog, overrides or {}, source)
    outside = sorted(req for req in checked if req.split(".", 1)[0] not in chosen)
    if outside:
        raise OverrideError(f"{source}: overrides for requirements {outside} of tasks outside the campaign {chosen}")
    return Campaign(
        id=campaign_id,
        name=name,
        starts=starts,
        ends=ends,
        tasks=chosen,
        overrides={req: dict(params) for req, params in checked.items()},
        key_lists=list(key_lists),
        description=description,
        created_at=created_at or dt.datetime.now(dt.UTC),
    )


def assignments(
    catalog: Catalog, campaign: Campaign, enterprises: Iterable[Enterprise], key_lists: Iterable[KeyList]
) -> list[Assignment]:
    """Every (enterprise, task) of the campaign, with the basis of the assignment."""
    lists = {k.id: k for k in key_lists}
    missing = [i for i in campaign.key_lists if i not in lists]
    if missing:
        raise KeyError(f"campaign {campaign.id!r} uses key lists {missing} that are not loaded ({sorted(lists)})")
    scoped: dict[str, list[KeyList]] = {}
    for list_id in campaign.key_lists:
        for task in lists[list_id].tasks:
            scoped.setdefault(task, []).append(lists[list_id])
    result: list[Assignment] = []
    for enterprise in sorted(enterprises, key=lambda e: e.id):
        for task_id in campaign.tasks:
            if enterprise.type not in catalog.task(task_id).applies_to:
                continue
            if task_id not in scoped:
                result.append(
                    Assignment(
                        campaign_id=campaign.id, enterprise_id=enterprise.id, task=task_id, basis=AssignmentBasis.TYPE
                    )
                )
                continue
            member_of = [k.id for k in scoped[task_id] if enterprise.uscc in k.members]
            if member_of:
                result.append(
                    Assignment(
                        campaign_id=campaign.id,
                        enterprise_id=enterprise.id,
                        task=task_id,
                        basis=AssignmentBasis.KEY_LIST,
                        list_id=member_of[0],
                    )
                )
    return result


def tasks_of(assigned: Iterable[Assignment]) -> dict[str, list[str]]:
    """Enterprise id → its assigned tasks."""
    per: dict[str, list[str]] = {}
    for item in assigned:
        per.setdefault(item.enterprise_id, []).append(item.task)
    return per
