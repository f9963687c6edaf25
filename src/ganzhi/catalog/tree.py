"""The catalog as a Rich tree (task → requirements → params), so a reviewer sees at a glance what is
decided automatically today and which numbers are official rather than ganzhi's defaults."""

from __future__ import annotations

from rich.markup import escape
from rich.tree import Tree

from ganzhi.catalog.export import basis_label, format_value
from ganzhi.catalog.schema import Automation, Basis, Catalog, Param, Requirement, Task
from ganzhi.i18n import Lang

_AUTOMATION_LABELS: dict[Automation, dict[str, str]] = {
    Automation.AUTOMATED: {"zh": "自动", "en": "automated"},
    Automation.PARTIAL: {"zh": "部分自动", "en": "partial"},
    Automation.MANUAL: {"zh": "人工", "en": "manual"},
}
_AUTOMATION_STYLES: dict[Automation, str] = {
    Automation.AUTOMATED: "green",
    Automation.PARTIAL: "yellow",
    Automation.MANUAL: "dim",
}
_WORDS: dict[str, dict[str, str]] = {
    "deadline": {"zh": "截止", "en": "deadline"},
    "planned": {"zh": "计划", "en": "planned"},
    "checks": {"zh": "检查", "en": "checks"},
    "unconfirmed": {"zh": "未确认", "en": "unconfirmed"},
    "requirements": {"zh": "项要求", "en": "requirements"},
}


def automation_label(automation: Automation, lang: Lang = "zh") -> str:
    """自动 / 部分自动 / 人工 (zh) or automated / partial / manual (en)."""
    return _AUTOMATION_LABELS[automation][lang]


def _task_label(task: Task, lang: Lang) -> str:
    deadline = task.deadline.isoformat() if task.deadline else "—"
    label = task.deadline_source.label.value
    unsure = f" {_WORDS['unconfirmed'][lang]}" if label != "V" else ""
    count = f"{len(task.requirements)} {_WORDS['requirements'][lang]}"
    return (
        f"[bold]{task.id}[/bold] {escape(task.title.get(lang))} "
        f"[dim]({task.group.value} · {_WORDS['deadline'][lang]} {deadline} {escape(f'[{label}]')}{unsure}"
        f" · {count})[/dim]"
    )


def _requirement_label(req: Requirement, lang: Lang) -> str:
    style = _AUTOMATION_STYLES[req.automation]
    parts = [
        f"[cyan]{req.id}[/cyan] {escape(req.title.get(lang))}",
        f"[{style}]{automation_label(req.automation, lang)}[/{style}]",
    ]
    if req.checks:
        parts.append(f"{_WORDS['checks'][lang]}: {', '.join(req.checks)}")
    if req.planned_automation is not None:
        planned = automation_label(req.planned_automation, lang)
        targets = f" → {', '.join(req.planned_checks)}" if req.planned_checks else ""
        parts.append(f"[dim]{_WORDS['planned'][lang]}: {planned}{targets}[/dim]")
    return " · ".join(parts)


def _param_label(param: Param, lang: Lang) -> str:
    style = "bold green" if param.basis is Basis.OFFICIAL else "yellow"
    return (
        f"{param.id} = {escape(format_value(param))} {param.unit} [{style}]{basis_label(param.basis, lang)}[/{style}]"
    )


def _add_requirements(node: Tree, task: Task, lang: Lang) -> None:
    for req in task.requirements:
        req_node = node.add(_requirement_label(req, lang))
        for param in req.params:
            req_node.add(_param_label(param, lang))


def task_tree(task: Task, lang: Lang = "zh") -> Tree:
    """One task with its requirements and their params."""
    node = Tree(_task_label(task, lang))
    _add_requirements(node, task, lang)
    return node


def catalog_tree(catalog: Catalog, task_id: str | None = None, lang: Lang = "zh") -> Tree:
    """The whole catalog, or only `task_id`; KeyError names the known task ids."""
    root = Tree(f"[bold]{escape(catalog.meta.name.get(lang))}[/bold] [dim]v{catalog.meta.version}[/dim]")
    tasks = [catalog.task(task_id)] if task_id else catalog.tasks
    for task in tasks:
        _add_requirements(root.add(_task_label(task, lang)), task, lang)
    return root
