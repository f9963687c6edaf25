"""What a check returns: a status, a message, and the facts that explain it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.status import Status
from ganzhi.i18n import Text


class Outcome(BaseModel):
    """One verdict of a check about its subject.

    `data` holds the facts behind the verdict (JSON values). The fields a check's metadata names in
    `fingerprint_fields` are read from `data` to tell several outcomes of one check apart (e.g. the
    component or the SDK), so they must be stable across runs: never a time or a message.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Status
    message: Text
    data: dict[str, Any] = Field(default_factory=dict)
    location: str | None = None

    @classmethod
    def passed(cls, zh: str, en: str | None = None, **data: Any) -> Outcome:
        """A PASS with its explanation."""
        return cls(status=Status.PASS, message=Text(zh=zh, en=en), data=data)

    @classmethod
    def failed(cls, zh: str, en: str | None = None, **data: Any) -> Outcome:
        """A FAIL with its explanation."""
        return cls(status=Status.FAIL, message=Text(zh=zh, en=en), data=data)

    @classmethod
    def warned(cls, zh: str, en: str | None = None, **data: Any) -> Outcome:
        """A WARN: a risk a human should look at."""
        return cls(status=Status.WARN, message=Text(zh=zh, en=en), data=data)

    @classmethod
    def manual(cls, zh: str, en: str | None = None, **data: Any) -> Outcome:
        """MANUAL: the evidence cannot decide; a person must."""
        return cls(status=Status.MANUAL, message=Text(zh=zh, en=en), data=data)

    @classmethod
    def not_applicable(cls, zh: str, en: str | None = None, **data: Any) -> Outcome:
        """NOT_APPLICABLE: the requirement does not concern this subject."""
        return cls(status=Status.NOT_APPLICABLE, message=Text(zh=zh, en=en), data=data)
