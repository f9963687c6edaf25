"""The schema of a check's `metadata.yaml`."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ganzhi.catalog.schema import CHECK_ID, REQUIREMENT_ID
from ganzhi.evidence.status import Severity
from ganzhi.i18n import Text

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class CheckMetadata(BaseModel):
    """What a check is, what it needs, and how its results are identified across runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    task: str = Field(pattern=r"^T(?:[1-9]|1[01])$")
    requirements: list[str] = Field(min_length=1)
    severity: Severity
    subject_types: list[str] = Field(min_length=1)
    evidence_kinds: list[str] = Field(min_length=1)
    optional_evidence_kinds: list[str] = Field(default_factory=list)
    fingerprint_fields: list[str] = Field(default_factory=list)
    title: Text
    description: Text | None = None
    remediation: Text
    creates_issues: bool = True
    timeout_seconds: float = Field(default=60.0, gt=0, le=3600)

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not CHECK_ID.match(value):
            raise ValueError(f"check id must look like 't9_port_real_name' (got {value!r})")
        return value

    @field_validator("requirements")
    @classmethod
    def _requirement_ids(cls, value: list[str]) -> list[str]:
        for req_id in value:
            if not REQUIREMENT_ID.match(req_id):
                raise ValueError(f"requirement id must look like 'T4.close-control' (got {req_id!r})")
        return value

    @field_validator("subject_types", "evidence_kinds", "optional_evidence_kinds", "fingerprint_fields")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not _NAME.match(name):
                raise ValueError(f"expected snake_case names (got {name!r})")
        return value
