"""Read the labelled corpus: one folder per case, `case.yaml` naming its loader, inputs and expected verdicts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ganzhi.errors import InputError
from ganzhi.evidence.status import Status

CASE_FILE = "case.yaml"
#: Bound on one case file: the corpus is written by people, a larger file is a mistake.
MAX_CASE_BYTES = 256 * 1024


class LabelledVerdict(BaseModel):
    """What one check must answer about one subject of a case, and why (one line a reviewer can check)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    check: str = Field(min_length=1)
    subject: str | None = Field(default=None, description="subject key or id; None when the case has one subject")
    expect: Status
    why: str = Field(min_length=4)


class Case(BaseModel):
    """One realistic document set and its labels."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    domain: str = Field(min_length=1)
    inputs: list[str] = Field(min_length=1)
    modelled_on: str = Field(min_length=4, description="the public format or page this document imitates")
    options: dict[str, str | int | float | bool] = Field(default_factory=dict)
    verdicts: list[LabelledVerdict] = Field(min_length=1)


class LoadedCase(BaseModel):
    """A case with where it lives; `group` keeps cases of one document family together in cross-validation."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    folder: Path
    case: Case

    @property
    def group(self) -> str:
        return self.folder.parent.name


def read_case(folder: Path) -> Case:
    """Parse `folder/case.yaml`; InputError names the file and the field at fault."""
    path = folder / CASE_FILE
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CASE_BYTES:
        raise InputError(str(path), f"larger than {MAX_CASE_BYTES} bytes ({len(raw)})")
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
        case = Case.model_validate(data)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"not valid UTF-8 YAML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(str(path), f"field {where}: {first['msg']}") from None
    for name in case.inputs:
        if not (folder / name).is_file():
            raise InputError(str(path), f"input {name!r} is not a file in {folder}")
    return case


def discover(root: Path) -> Iterator[LoadedCase]:
    """Every case under `root` (folders holding a case.yaml), in path order."""
    for path in sorted(root.rglob(CASE_FILE)):
        folder = path.parent
        yield LoadedCase(name=folder.relative_to(root).as_posix(), folder=folder, case=read_case(folder))
