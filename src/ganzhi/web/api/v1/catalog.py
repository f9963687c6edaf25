"""The 524 catalog and the shipped checks (public: they are the published rules)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from ganzhi.engine.registry import default_registry

router = APIRouter(tags=["catalog"])


@router.get("/catalog/tasks")
def tasks() -> list[dict[str, Any]]:
    """Every task with its requirements, params and automation status."""
    return [task.model_dump(mode="json") for task in default_registry().catalog.tasks]


@router.get("/catalog/tasks/{task_id}")
def task(task_id: str) -> dict[str, Any]:
    for found in default_registry().catalog.tasks:
        if found.id == task_id:
            return found.model_dump(mode="json")
    raise HTTPException(404, f"no task {task_id[:40]!r}; expected T1..T11")


@router.get("/checks")
def checks(task: str | None = None) -> list[dict[str, Any]]:
    """Metadata of every shipped check, optionally of one task."""
    specs = default_registry().all()
    return [s.metadata.model_dump(mode="json") for s in specs if task is None or s.metadata.task == task]


@router.get("/checks/{check_id}")
def check(check_id: str) -> dict[str, Any]:
    registry = default_registry()
    if check_id not in registry:
        raise HTTPException(404, f"no check {check_id[:80]!r}")
    return registry.get(check_id).metadata.model_dump(mode="json")
