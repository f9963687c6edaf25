"""Load and validate the catalog YAML; every error names the file, the id and the problem."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ganzhi.catalog.schema import Catalog, Supervision, Task
from ganzhi.errors import CatalogError

DATA_DIR = Path(__file__).parent / "data"


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise CatalogError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {exc}") from None


def describe_validation_error(path: Path, data: Any, exc: ValidationError) -> str:
    """One line per problem: file, the id of the object at fault (when it has one), field, message."""
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        owner = _owning_id(data, loc)
        where = ".".join(str(part) for part in loc) or "<root>"
        prefix = f"{path}: {owner}: " if owner else f"{path}: "
        lines.append(f"{prefix}{where}: {err['msg']}")
    return "\n".join(lines)


def _owning_id(data: Any, loc: list[Any]) -> str | None:
    """The innermost `id` on the path to the error, so messages say which requirement is broken."""
    found: str | None = None
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            found = node["id"]
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(node, dict) and isinstance(node.get("id"), str):
        found = node["id"]
    return found


def load_catalog(data_dir: Path | None = None) -> Catalog:
    """Read `catalog.yaml`, `supervision.yaml` and `tasks/*.yaml` from `data_dir` and validate them."""
    root = data_dir or DATA_DIR
    meta_path = root / "catalog.yaml"
    meta = _read_yaml(meta_path)
    tasks: list[Task] = []
    task_files = sorted((root / "tasks").glob("*.yaml"))
    if not task_files:
        raise CatalogError(f"{root / 'tasks'}: no task files (*.yaml)")
    for path in task_files:
        data = _read_yaml(path)
        try:
            tasks.append(Task.model_validate(data))
        except ValidationError as exc:
            raise CatalogError(describe_validation_error(path, data, exc)) from None
    sup_path = root / "supervision.yaml"
    sup_data = _read_yaml(sup_path)
    try:
        supervision = Supervision.model_validate(sup_data)
    except ValidationError as exc:
        raise CatalogError(describe_validation_error(sup_path, sup_data, exc)) from None
    tasks.sort(key=lambda t: t.number)
    try:
        return Catalog.model_validate({"meta": meta, "tasks": tasks, "supervision": supervision})
    except ValidationError as exc:
        raise CatalogError(describe_validation_error(meta_path, meta, exc)) from None


@lru_cache(maxsize=4)
def default_catalog() -> Catalog:
    """The catalog shipped with ganzhi, loaded once per process."""
    return load_catalog(DATA_DIR)
