"""Evidence: typed facts about one subject, written once by a collector and read by checks.

Evidence models import nothing else of ganzhi, so collectors and checks can share them freely.
A kind's payload model registers itself with `@evidence_kind("name")`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

M = TypeVar("M", bound=BaseModel)

_KINDS: dict[str, type[BaseModel]] = {}
_MODEL_KINDS: dict[type[BaseModel], str] = {}


class EvidenceKindError(ValueError):
    """A payload does not match its kind's model, or the kind is unknown."""


def evidence_kind(name: str) -> Callable[[type[M]], type[M]]:
    """Register a pydantic model as the payload of evidence kind `name`."""
    if not _NAME.match(name):
        raise ValueError(f"evidence kind must be snake_case (got {name!r})")

    def register(model: type[M]) -> type[M]:
        existing = _KINDS.get(name)
        if existing is not None and existing is not model:
            raise ValueError(f"evidence kind {name!r} is already registered by {existing.__qualname__}")
        _KINDS[name] = model
        _MODEL_KINDS[model] = name
        return model

    return register


def kind_of(model: type[BaseModel]) -> str:
    """The kind name a payload model was registered under."""
    try:
        return _MODEL_KINDS[model]
    except KeyError:
        raise EvidenceKindError(f"{model.__qualname__} is not registered with @evidence_kind") from None


def kind_model(name: str) -> type[BaseModel]:
    """The payload model of kind `name`."""
    try:
        return _KINDS[name]
    except KeyError:
        raise EvidenceKindError(f"unknown evidence kind {name!r}; known: {sorted(_KINDS)}") from None


def known_kinds() -> list[str]:
    """Names of every registered evidence kind."""
    return sorted(_KINDS)


class Subject(BaseModel):
    """What evidence and results are about: an app version, a tariff plan, a hall, a number..."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str
    id: str = Field(min_length=1, max_length=512)
    version: str | None = None
    name: str | None = None
    enterprise: str | None = None

    @field_validator("type")
    @classmethod
    def _type_format(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"subject type must be snake_case (got {value!r})")
        return value

    @property
    def key(self) -> str:
        """Stable identity used in fingerprints: `type:id` or `type:id@version`."""
        base = f"{self.type}:{self.id}"
        return f"{base}@{self.version}" if self.version else base


class ArtefactRef(BaseModel):
    """A large file kept in the content-addressed blob store, referenced by its sha256."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    name: str
    media_type: str = "application/octet-stream"
    size: int = Field(ge=0)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the basis of every content hash."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


class Evidence(BaseModel):
    """One kind of facts about one subject, with where it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    subject: Subject
    source: str
    collected_at: dt.datetime
    data: dict[str, Any]
    artefacts: list[ArtefactRef] = Field(default_factory=list)

    @property
    def id(self) -> str:
        """Content hash of kind, subject and data: the same facts are stored once."""
        body = canonical_json({"kind": self.kind, "subject": self.subject.key, "data": self.data})
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def payload(self, model: type[M]) -> M:
        """The data parsed as `model`; EvidenceKindError names the evidence and the field at fault."""
        if kind_of(model) != self.kind:
            raise EvidenceKindError(f"evidence of kind {self.kind!r} read as {kind_of(model)!r}")
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
            )
            raise EvidenceKindError(f"{self.source}: {self.kind} for {self.subject.key}: {problems}") from None

    @classmethod
    def of(
        cls,
        payload: BaseModel,
        subject: Subject,
        source: str,
        collected_at: dt.datetime | None = None,
        artefacts: Iterable[ArtefactRef] = (),
    ) -> Evidence:
        """Wrap a typed payload; the kind comes from its registered model."""
        return cls(
            kind=kind_of(type(payload)),
            subject=subject,
            source=source,
            collected_at=collected_at or dt.datetime.now(dt.UTC),
            data=payload.model_dump(mode="json"),
            artefacts=list(artefacts),
        )


class EvidenceSet:
    """All evidence about one subject, as one check sees it."""

    def __init__(self, subject: Subject, items: Iterable[Evidence]) -> None:
        self.subject = subject
        self.items = list(items)
        self._parsed: dict[str, list[BaseModel]] = {}
        for item in self.items:
            if item.subject.key != subject.key:
                raise ValueError(f"evidence for {item.subject.key} mixed into the set of {subject.key}")

    @property
    def kinds(self) -> set[str]:
        """Kinds present in this set."""
        return {item.kind for item in self.items}

    def all(self, model: type[M]) -> list[M]:
        """Every payload of `model`'s kind, parsed."""
        kind = kind_of(model)
        if kind not in self._parsed:  # parse once per set: several checks read the same payload
            self._parsed[kind] = [item.payload(model) for item in self.items if item.kind == kind]
        return self._parsed[kind]  # type: ignore[return-value]

    def maybe(self, model: type[M]) -> M | None:
        """The one payload of `model`'s kind, or None; more than one is an error."""
        found = self.all(model)
        if len(found) > 1:
            raise EvidenceKindError(f"{self.subject.key}: {len(found)} items of kind {kind_of(model)!r}, expected one")
        return found[0] if found else None

    def one(self, model: type[M]) -> M:
        """The one payload of `model`'s kind; missing or several is an error."""
        found = self.maybe(model)
        if found is None:
            raise EvidenceKindError(f"{self.subject.key}: no evidence of kind {kind_of(model)!r}")
        return found

    def evidence_ids(self) -> list[str]:
        """Content ids of the evidence in this set."""
        return [item.id for item in self.items]
