"""Reading the regulator's registers: enterprises (CSV or YAML) and key-enterprise lists (YAML).

A bad row never stops an import: it becomes a `RowProblem` naming the file, the row, the field, what
was expected and what was found, and the other rows are still read. Files are bounded in size and
rows, because these lists come from outside.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ganzhi.errors import InputError, RowProblem
from ganzhi.supervision.models import TASK_ID, Enterprise, SubjectLink, SubjectRole
from ganzhi.supervision.uscc import validate_uscc

DATA_DIR = Path(__file__).parent / "data"
DEMO_ENTERPRISES = DATA_DIR / "demo_enterprises.yaml"
DEMO_KEY_LISTS = DATA_DIR / "key_lists_demo.yaml"
MAX_FILE_BYTES = 20_000_000
MAX_ROWS = 100_000
#: CSV columns; `subjects` holds `[role:]type:id` items separated by `;` (role defaults to operates).
CSV_COLUMNS = ("id", "name", "uscc", "type", "province", "subjects")


@dataclass(slots=True)
class EnterpriseImport:
    """The enterprises read and the rows rejected."""

    enterprises: list[Enterprise] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(str(path), f"file too large ({size} bytes; expected at most {MAX_FILE_BYTES})")
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text: {exc}") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc}") from None


def parse_subjects(text: str) -> list[SubjectLink]:
    """`app:com.x;distributes:app:com.y` → links (role prefix optional, default operates)."""
    links = []
    for raw in text.split(";"):
        item = raw.strip()
        if not item:
            continue
        parts = item.split(":")
        role = SubjectRole.OPERATES
        if parts[0] in {r.value for r in SubjectRole}:
            role = SubjectRole(parts.pop(0))
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValueError(f"subject {item!r}: expected '[role:]type:id', e.g. 'app:com.example.video'")
        links.append(SubjectLink(subject_type=parts[0], subject_id=":".join(parts[1:]), role=role))
    return links


def _validation_errors(source: str, row: int, exc: ValidationError, data: Mapping[str, Any]) -> list[RowProblem]:
    errors = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or None
        top = str(err["loc"][0]) if err["loc"] else ""
        actual = data.get(top, "<missing>") if top else "<row>"
        errors.append(RowProblem(source, row, where, f"{err['msg']} (got {actual!r})"))
    return errors


def _accept(result: EnterpriseImport, source: str, row: int, data: Mapping[str, Any], seen: dict[str, int]) -> None:
    try:
        enterprise = Enterprise.model_validate(data)
    except ValidationError as exc:
        result.errors.extend(_validation_errors(source, row, exc, data))
        return
    for key in (f"id {enterprise.id}", f"uscc {enterprise.uscc}"):
        if key in seen:
            result.errors.append(RowProblem(source, row, key.split()[0], f"{key} already on row {seen[key]}"))
            return
    seen[f"id {enterprise.id}"] = seen[f"uscc {enterprise.uscc}"] = row
    result.enterprises.append(enterprise)


def read_enterprises_csv(path: Path) -> EnterpriseImport:
    """Enterprises from a CSV file with the header `CSV_COLUMNS` (row 1 is the header)."""
    source = str(path)
    reader = csv.DictReader(io.StringIO(_read_text(path)))
    missing = sorted(set(CSV_COLUMNS) - set(reader.fieldnames or []) - {"province", "subjects"})
    if missing:
        raise InputError(source, f"CSV header lacks columns {missing}; expected {list(CSV_COLUMNS)}")
    result = EnterpriseImport()
    seen: dict[str, int] = {}
    for row_number, row in enumerate(reader, start=2):
        if row_number - 1 > MAX_ROWS:
            result.errors.append(RowProblem(source, row_number, None, f"more than {MAX_ROWS} rows; rest ignored"))
            break
        data: dict[str, Any] = {k: (v or "").strip() for k, v in row.items() if k in CSV_COLUMNS}
        data["province"] = data.get("province") or None
        try:
            data["subjects"] = parse_subjects(data.get("subjects", ""))
        except ValueError as exc:
            result.errors.append(RowProblem(source, row_number, "subjects", str(exc)))
            continue
        _accept(result, source, row_number, data, seen)
    return result


def read_enterprises_yaml(path: Path) -> EnterpriseImport:
    """Enterprises from YAML: a list, or a mapping with an `enterprises` list (item 1 is row 1)."""
    source = str(path)
    try:
        data = yaml.safe_load(_read_text(path))
    except yaml.YAMLError as exc:
        raise InputError(source, f"not valid YAML: {exc}") from None
    items = data.get("enterprises") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise InputError(source, f"expected a list of enterprises (got {type(items).__name__})")
    result = EnterpriseImport()
    seen: dict[str, int] = {}
    for row_number, item in enumerate(items[:MAX_ROWS], start=1):
        if not isinstance(item, Mapping):
            result.errors.append(RowProblem(source, row_number, None, f"expected a mapping (got {item!r})"))
            continue
        _accept(result, source, row_number, item, seen)
    if len(items) > MAX_ROWS:
        result.errors.append(RowProblem(source, MAX_ROWS + 1, None, f"more than {MAX_ROWS} rows; rest ignored"))
    return result


def read_enterprises(path: Path) -> EnterpriseImport:
    """Enterprises from a `.csv`, `.yaml`/`.yml` or `.json` file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_enterprises_csv(path)
    if suffix in {".yaml", ".yml", ".json"}:
        return read_enterprises_yaml(path)
    raise InputError(str(path), f"unknown enterprise file type {suffix!r}; expected .csv, .yaml, .yml or .json")


class KeyList(BaseModel):
    """A key-enterprise list (e.g. 首批39家): which tasks it scopes and its members by USCC."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    name: str = Field(min_length=1)
    basis: str = Field(min_length=1)
    tasks: list[str] = Field(min_length=1)
    members: list[str]

    @field_validator("tasks")
    @classmethod
    def _tasks(cls, value: list[str]) -> list[str]:
        bad = [t for t in value if not TASK_ID.match(t)]
        if bad:
            raise ValueError(f"tasks must be ids T1..T11 (got {bad})")
        return value

    @field_validator("members")
    @classmethod
    def _members(cls, value: list[str]) -> list[str]:
        return [validate_uscc(code) for code in value]


class _KeyListFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lists: list[KeyList]


def read_key_lists(path: Path | None = None) -> list[KeyList]:
    """Key lists from a YAML file (default: the shipped fictional demo lists)."""
    source = path or DEMO_KEY_LISTS
    try:
        data = yaml.safe_load(_read_text(source))
    except yaml.YAMLError as exc:
        raise InputError(str(source), f"not valid YAML: {exc}") from None
    try:
        lists = _KeyListFile.model_validate(data).lists
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise InputError(str(source), f"not a key-list file: {problems}") from None
    ids = [k.id for k in lists]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InputError(str(source), f"list ids {dupes} appear more than once")
    return lists
