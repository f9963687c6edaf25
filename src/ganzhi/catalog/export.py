"""The catalog as flat rows (for CSV and Excel) and as JSON, for people who review it outside ganzhi.

The rows carry one requirement (or param) each so a reviewer can sort and filter; they are written as
CSV and Excel by `ganzhi.outputs.catalog_tables` (the one formula-safe spreadsheet writer). JSON carries
the whole validated catalog so another tool can read it back with `Catalog.model_validate_json`.
"""

from __future__ import annotations

from ganzhi.catalog.schema import Basis, Catalog, Param, Requirement, Source, Task
from ganzhi.i18n import Lang

#: Column order of the requirement table (CSV and the first Excel sheet).
REQUIREMENT_COLUMNS: tuple[str, ...] = (
    "task",
    "task_title",
    "group",
    "deadline",
    "deadline_label",
    "requirement",
    "title",
    "text",
    "applies_to",
    "automation",
    "planned_automation",
    "checks",
    "planned_checks",
    "weight",
    "params",
    "sources",
)

#: Column order of the param table (second Excel sheet).
PARAM_COLUMNS: tuple[str, ...] = (
    "requirement",
    "param",
    "value",
    "unit",
    "basis",
    "basis_label",
    "minimum",
    "maximum",
    "text",
    "source",
)

Cell = str | int | float

_BASIS_LABELS: dict[Basis, dict[str, str]] = {
    Basis.OFFICIAL: {"zh": "官方", "en": "official"},
    Basis.CONFIGURABLE_DEFAULT: {"zh": "可配置默认值", "en": "configurable default"},
}


def basis_label(basis: Basis, lang: Lang = "zh") -> str:
    """How reports name a param's basis: 官方 / 可配置默认值 (zh) or official / configurable default."""
    return _BASIS_LABELS[basis][lang]


def format_value(param: Param) -> str:
    """A param value as short text; list items joined with ', '."""
    value = param.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def format_source(source: Source) -> str:
    """`document clause [label] url` on one line."""
    parts = [source.document]
    if source.clause:
        parts.append(source.clause)
    parts.append(f"[{source.label.value}]")
    if source.url:
        parts.append(source.url)
    return " ".join(parts)


def _format_param(param: Param, lang: Lang) -> str:
    return f"{param.id}={format_value(param)} {param.unit} ({basis_label(param.basis, lang)})"


def requirement_row(task: Task, req: Requirement, lang: Lang = "zh") -> dict[str, Cell]:
    """One flat row describing `req` of `task`, texts in `lang`."""
    applies = req.applies_to if req.applies_to is not None else task.applies_to
    return {
        "task": task.id,
        "task_title": task.title.get(lang),
        "group": task.group.value,
        "deadline": task.deadline.isoformat() if task.deadline else "",
        "deadline_label": task.deadline_source.label.value,
        "requirement": req.id,
        "title": req.title.get(lang),
        "text": req.text.get(lang),
        "applies_to": ", ".join(kind.value for kind in applies),
        "automation": req.automation.value,
        "planned_automation": req.planned_automation.value if req.planned_automation else "",
        "checks": ", ".join(req.checks),
        "planned_checks": ", ".join(req.planned_checks),
        "weight": req.weight,
        "params": "; ".join(_format_param(param, lang) for param in req.params),
        "sources": " | ".join(format_source(source) for source in req.sources),
    }


def requirement_rows(catalog: Catalog, lang: Lang = "zh") -> list[dict[str, Cell]]:
    """Every requirement as a flat row, in task order."""
    return [requirement_row(task, req, lang) for task in catalog.tasks for req in task.requirements]


def param_rows(catalog: Catalog, lang: Lang = "zh") -> list[dict[str, Cell]]:
    """Every param as a flat row, with its requirement id."""
    rows: list[dict[str, Cell]] = []
    for req in catalog.requirements():
        for param in req.params:
            rows.append(
                {
                    "requirement": req.id,
                    "param": param.id,
                    "value": format_value(param),
                    "unit": param.unit,
                    "basis": param.basis.value,
                    "basis_label": basis_label(param.basis, lang),
                    "minimum": "" if param.minimum is None else param.minimum,
                    "maximum": "" if param.maximum is None else param.maximum,
                    "text": param.text.get(lang),
                    "source": format_source(param.source) if param.source else "",
                }
            )
    return rows


def to_json(catalog: Catalog) -> str:
    """The whole catalog as indented JSON (UTF-8 text, Chinese unescaped)."""
    return catalog.model_dump_json(indent=2) + "\n"
