"""The 524 action as data: tasks, requirements, params, supervision settings."""

from __future__ import annotations

from ganzhi.catalog.loader import default_catalog, load_catalog
from ganzhi.catalog.params import Overrides, Params, ParamSetting, params_for
from ganzhi.catalog.schema import Automation, Basis, Catalog, Param, Requirement, Task

__all__ = [
    "Automation",
    "Basis",
    "Catalog",
    "Overrides",
    "Param",
    "ParamSetting",
    "Params",
    "Requirement",
    "Task",
    "default_catalog",
    "load_catalog",
    "params_for",
]
