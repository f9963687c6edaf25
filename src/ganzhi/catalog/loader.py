"""Load and validate the catalog YAML; every error names the file, the id and the problem."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ganzhi.catalog.schema import Catalog, CatalogMeta, Supervision, Task
from ganzhi.errors import CatalogError

DATA_DIR = Path(__file__).parent / "data"

#: Largest catalog file we read; the shipped files are ~30 kB, so this only stops runaway input.
MAX_FILE_BYTES = 2_000_000
#: At most this many task files; the notice has eleven tasks.
MAX_TASK_FILES = 64


def _read_yaml(path: Path) -> Any:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CatalogError(f"{path}: file not found") from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc}") from None
    if size > MAX_FILE_BYTES:
        raise CatalogError(f"{path}: file too large ({size} bytes; expected at most {MAX_FILE_BYTES})")
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 text: {exc}") from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {exc}") from None


def describe_validation_error(path: Path, data: Any, exc: ValidationError) -> str:
    """One line per problem: file, the ids of the objects at fault (when they have one), field, message."""
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        owners = _owning_ids(data, loc)
        where = ".".join(str(part) for part in loc) or "<root>"
        prefix = f"{path}: {' > '.join(owners)}: " if owners else f"{path}: "
        lines.append(f"{prefix}{where}: {err['msg']}")
    return "\n".join(lines)


def _owning_ids(data: Any, loc: list[Any]) -> list[str]:
    """The `id`s on the path to the error (task > requirement > param), so messages say what is broken."""
    found: list[str] = []
    node = data
    for part in [*loc, None]:
        if isinstance(node, dict) and isinstance(node.get("id"), str) and node["id"] not in found:
            found.append(node["id"])
        if part is None:
            break
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return found


def _validate_task(path: Path) -> Task:
    data = _read_yaml(path)
    try:
        task = Task.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(describe_validation_error(path, data, exc)) from None
    if path.stem != task.id:
        raise CatalogError(f"{path}: {task.id}: file name must be {task.id}.yaml (got {path.name})")
    return task


def _check_unique(tasks: list[tuple[Path, Task]]) -> None:
    """Duplicate task numbers or requirement ids across files, reported with both files."""
    task_files: dict[int, Path] = {}
    requirement_files: dict[str, Path] = {}
    for path, task in tasks:
        if task.number in task_files:
            other = task_files[task.number]
            raise CatalogError(f"{path}: {task.id}: task number {task.number} also in {other}")
        task_files[task.number] = path
        for req in task.requirements:
            if req.id in requirement_files:
                other = requirement_files[req.id]
                where = "earlier in the same file" if other == path else f"also in {other}"
                raise CatalogError(f"{path}: {req.id}: duplicate requirement id ({where})")
            requirement_files[req.id] = path


def load_catalog(data_dir: Path | None = None) -> Catalog:
    """Read `catalog.yaml`, `supervision.yaml` and `tasks/*.yaml` from `data_dir` and validate them."""
    root = data_dir or DATA_DIR
    meta_path = root / "catalog.yaml"
    meta_data = _read_yaml(meta_path)
    try:
        meta = CatalogMeta.model_validate(meta_data)
    except ValidationError as exc:
        raise CatalogError(describe_validation_error(meta_path, meta_data, exc)) from None
    task_files = sorted((root / "tasks").glob("*.yaml"))
    if not task_files:
        raise CatalogError(f"{root / 'tasks'}: no task files (*.yaml)")
    if len(task_files) > MAX_TASK_FILES:
        count = len(task_files)
        raise CatalogError(f"{root / 'tasks'}: {count} task files (expected at most {MAX_TASK_FILES})")
    tasks = [(path, _validate_task(path)) for path in task_files]
    _check_unique(tasks)
    sup_path = root / "supervision.yaml"
    sup_data = _read_yaml(sup_path)
    try:
        supervision = Supervision.model_validate(sup_data)
    except ValidationError as exc:
        raise CatalogError(describe_validation_error(sup_path, sup_data, exc)) from None
    ordered = sorted((task for _, task in tasks), key=lambda t: t.number)
    try:
        return Catalog(meta=meta, tasks=ordered, supervision=supervision)
    except ValidationError as exc:
        problems = "; ".join(str(err["msg"]) for err in exc.errors())
        raise CatalogError(f"{root}: catalog is inconsistent: {problems}") from None


@lru_cache(maxsize=4)
def default_catalog() -> Catalog:
    """The catalog shipped with ganzhi, loaded once per process."""
    return load_catalog(DATA_DIR)
