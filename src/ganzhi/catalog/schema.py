"""The pydantic schema of the 524 catalog: tasks → requirements → params and check ids.

The catalog is data (YAML under `catalog/data/`), validated here at load time. Numbers that no rule
fixes are params whose `basis` is `configurable default`; reports must show them as such.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ganzhi.i18n import Text

REQUIREMENT_ID = re.compile(r"^T(?:[1-9]|1[01])\.[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$")
PARAM_ID = re.compile(r"^[a-z][a-z0-9_]*$")
CHECK_ID = re.compile(r"^t(?:[1-9]|1[01])_[a-z0-9_]+$")

#: Units a param may carry; a closed set so that a typo in YAML or in an override is caught.
UNITS: frozenset[str] = frozenset(
    {
        "day",
        "natural_day",
        "working_day",
        "hour",
        "minute",
        "s",
        "ms",
        "ratio",
        "count",
        "tap",
        "click",
        "dp",
        "px",
        "m/s2",
        "deg",
        "km",
        "m",
        "mbit/s",
        "kbit/s",
        "kbyte/s",
        "byte",
        "yuan",
        "yuan/gb",
        "yuan/mb",
        "yuan/kb",
        "age_years",
        "per_million_people",
        "char",
        "text",
        "flag",
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Basis(StrEnum):
    """Where a number comes from: a rule fixes it, or ganzhi chose a default you may change."""

    OFFICIAL = "official"
    CONFIGURABLE_DEFAULT = "configurable default"


class EvidenceLabel(StrEnum):
    """The reference's source labels: verified, secondary/weak, inference."""

    V = "V"
    S = "S"
    I = "I"  # noqa: E741 - the label the reference uses


class Automation(StrEnum):
    """How far ganzhi decides a requirement today (not what is planned)."""

    AUTOMATED = "automated"
    PARTIAL = "partial"
    MANUAL = "manual"


class EnterpriseType(StrEnum):
    """Kinds of enterprise the 524 action addresses."""

    BASIC_TELECOM_OPERATOR = "basic_telecom_operator"
    INTERNET_COMPANY = "internet_company"
    CLOUD_DRIVE_PROVIDER = "cloud_drive_provider"
    APP_STORE = "app_store"
    SDK_PROVIDER = "sdk_provider"


class TaskGroup(StrEnum):
    """The notice's three groups of tasks."""

    FIVE_OPTIMISATIONS = "五优化"
    TWO_LISTS = "双清单"
    FOUR_IMPROVEMENTS = "四提升"


class Source(_Strict):
    """Where a requirement or number comes from, with the reference's evidence label."""

    document: str = Field(min_length=1)
    clause: str | None = None
    url: str | None = None
    label: EvidenceLabel
    note: str | None = None


ParamValue = bool | int | float | str | list[str] | list[float]


class Param(_Strict):
    """A number (or list) a check needs, with its unit and whether a rule fixes it."""

    id: str
    value: ParamValue
    unit: str
    basis: Basis
    text: Text
    minimum: float | None = None
    maximum: float | None = None
    source: Source | None = None

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not PARAM_ID.match(value):
            raise ValueError(f"param id must be snake_case (got {value!r})")
        return value

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        if value not in UNITS:
            raise ValueError(f"unknown unit {value!r}; expected one of {sorted(UNITS)}")
        return value

    @model_validator(mode="after")
    def _value_in_range(self) -> Param:
        check_param_value(self, self.value)
        if self.basis is Basis.OFFICIAL and self.source is None:
            raise ValueError(f"param {self.id!r} is marked official but names no source")
        return self


def check_param_value(param: Param, value: ParamValue) -> None:
    """Raise ValueError unless `value` has the param's type and lies within its range."""
    expected = type(param.value)
    if isinstance(param.value, bool) != isinstance(value, bool):
        raise ValueError(f"param {param.id!r} expects {expected.__name__} (got {value!r})")
    if isinstance(param.value, int | float) and not isinstance(value, int | float):
        raise ValueError(f"param {param.id!r} expects a number (got {value!r})")
    if isinstance(param.value, str) and not isinstance(value, str):
        raise ValueError(f"param {param.id!r} expects text (got {value!r})")
    if isinstance(param.value, list) and not isinstance(value, list):
        raise ValueError(f"param {param.id!r} expects a list (got {value!r})")
    if isinstance(param.value, list) and isinstance(value, list):
        _check_list_items(param, value)
    numbers = value if isinstance(value, list) else [value]
    for number in numbers:
        if isinstance(number, bool) or not isinstance(number, int | float):
            continue
        if param.minimum is not None and number < param.minimum:
            raise ValueError(f"param {param.id!r} must be >= {param.minimum} (got {number})")
        if param.maximum is not None and number > param.maximum:
            raise ValueError(f"param {param.id!r} must be <= {param.maximum} (got {number})")


def _check_list_items(param: Param, value: list[str] | list[float]) -> None:
    """List items keep the kind of the default's items: text stays text, numbers stay numbers."""
    default = param.value
    if not isinstance(default, list) or not default:
        return
    wants_text = all(isinstance(item, str) for item in default)
    for item in value:
        is_text = isinstance(item, str)
        is_number = isinstance(item, int | float) and not isinstance(item, bool)
        if (wants_text and not is_text) or (not wants_text and not is_number):
            kind = "text" if wants_text else "numbers"
            raise ValueError(f"param {param.id!r} expects a list of {kind} (got item {item!r})")


class Requirement(_Strict):
    """One checkable requirement of a task, and the checks that decide it."""

    id: str
    title: Text
    text: Text
    sources: Annotated[list[Source], Field(min_length=1)]
    params: list[Param] = Field(default_factory=list)
    automation: Automation
    weight: float = Field(ge=0, le=100)
    checks: list[str] = Field(default_factory=list)
    planned_checks: list[str] = Field(default_factory=list)
    planned_automation: Automation | None = None
    applies_to: list[EnterpriseType] | None = None

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not REQUIREMENT_ID.match(value):
            raise ValueError(f"requirement id must look like 'T4.close-control' (got {value!r})")
        return value

    @field_validator("checks", "planned_checks")
    @classmethod
    def _check_ids(cls, value: list[str]) -> list[str]:
        for check_id in value:
            if not CHECK_ID.match(check_id):
                raise ValueError(f"check id must look like 't9_port_real_name' (got {check_id!r})")
        if len(set(value)) != len(value):
            raise ValueError(f"duplicate check ids in {value}")
        return value

    @model_validator(mode="after")
    def _unique_params(self) -> Requirement:
        ids = [p.id for p in self.params]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"requirement {self.id!r} declares params {dupes} more than once")
        if self.automation is not Automation.MANUAL and not self.checks:
            raise ValueError(f"requirement {self.id!r} is {self.automation.value} but lists no checks")
        if self.automation is Automation.MANUAL and self.checks:
            raise ValueError(f"requirement {self.id!r} is manual but lists checks {self.checks}")
        self._check_plan()
        self._checks_match_task()
        return self

    def _check_plan(self) -> None:
        """A plan names the checks that will decide the requirement, and none of them exists yet."""
        both = sorted(set(self.checks) & set(self.planned_checks))
        if both:
            raise ValueError(f"requirement {self.id!r} lists {both} both as checks and as planned_checks")
        planned = self.planned_automation
        has_checks = bool(self.planned_checks or self.checks)
        if planned is not None and planned is not Automation.MANUAL and not has_checks:
            raise ValueError(f"requirement {self.id!r} plans automation {planned.value!r} but names no planned_checks")

    def _checks_match_task(self) -> None:
        """Check ids carry their task (t9_...); a check of another task is a typo."""
        task_prefix = "t" + self.id.split(".", 1)[0][1:] + "_"
        for check_id in [*self.checks, *self.planned_checks]:
            if not check_id.startswith(task_prefix):
                raise ValueError(f"requirement {self.id!r}: check id {check_id!r} must start with {task_prefix!r}")

    def param(self, param_id: str) -> Param:
        """The param with id `param_id`; KeyError names the requirement when absent."""
        for p in self.params:
            if p.id == param_id:
                return p
        raise KeyError(f"requirement {self.id!r} has no param {param_id!r}")


class Task(_Strict):
    """One of the notice's eleven tasks."""

    id: str = Field(pattern=r"^T(?:[1-9]|1[01])$")
    number: int = Field(ge=1, le=11)
    group: TaskGroup
    title: Text
    summary: Text
    deadline: dt.date | None
    deadline_source: Source
    applies_to: Annotated[list[EnterpriseType], Field(min_length=1)]
    requirements: list[Requirement]

    @model_validator(mode="after")
    def _consistent(self) -> Task:
        if self.id != f"T{self.number}":
            raise ValueError(f"task id {self.id!r} does not match number {self.number}")
        for req in self.requirements:
            if not req.id.startswith(self.id + "."):
                raise ValueError(f"requirement {req.id!r} does not belong to task {self.id}")
        return self


class LadderStep(_Strict):
    """One rung of the enforcement ladder (约谈提醒 → 通报批评 → 行政处罚 → 不良名单)."""

    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    title: Text


class Supervision(_Strict):
    """The regulator's mechanisms as configuration."""

    rectification_working_days: Param
    enforcement_ladder: Annotated[list[LadderStep], Field(min_length=1)]
    lookback: list[Param] = Field(default_factory=list)
    severity_weights: dict[str, float]
    task_weights: dict[str, float] = Field(default_factory=dict)
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Supervision:
        named = (("severity_weights", self.severity_weights), ("task_weights", self.task_weights))
        for name, weights in named:
            negative = {key: value for key, value in weights.items() if value < 0}
            if negative:
                raise ValueError(f"{name} must be >= 0 (got {negative})")
        for field, ids in (
            ("enforcement_ladder", [step.id for step in self.enforcement_ladder]),
            ("lookback", [param.id for param in self.lookback]),
        ):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"{field} declares ids {dupes} more than once")
        return self


class CatalogMeta(_Strict):
    """What the catalog describes and its version."""

    name: Text
    version: str
    notice: Source
    campaign_window: tuple[dt.date, dt.date]


class Catalog(_Strict):
    """The whole 524 catalog, validated and cross-referenced."""

    meta: CatalogMeta
    tasks: list[Task]
    supervision: Supervision

    @model_validator(mode="after")
    def _unique_ids(self) -> Catalog:
        numbers = sorted(t.number for t in self.tasks)
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"tasks must be numbered 1..N without gaps (got {numbers})")
        seen: set[str] = set()
        for req in self.requirements():
            if req.id in seen:
                raise ValueError(f"requirement id {req.id!r} appears twice")
            seen.add(req.id)
        unknown = sorted(set(self.supervision.task_weights) - {t.id for t in self.tasks})
        if unknown:
            raise ValueError(f"supervision.task_weights names unknown tasks {unknown}")
        return self

    def requirements(self) -> list[Requirement]:
        """Every requirement, in task order."""
        return [req for task in self.tasks for req in task.requirements]

    def task(self, task_id: str) -> Task:
        """The task with id `task_id` (e.g. 'T9')."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(f"no task {task_id!r}; expected one of {[t.id for t in self.tasks]}")

    def requirement(self, requirement_id: str) -> Requirement:
        """The requirement with id `requirement_id`."""
        for req in self.requirements():
            if req.id == requirement_id:
                return req
        raise KeyError(f"no requirement {requirement_id!r} in the catalog")

    def check_index(self) -> dict[str, list[str]]:
        """Check id → ids of the requirements it decides."""
        index: dict[str, list[str]] = {}
        for req in self.requirements():
            for check_id in req.checks:
                index.setdefault(check_id, []).append(req.id)
        return index
