"""携号转网 (mobile number portability) eligibility case: the facts one query is decided on.

One `portability_case` describes one number at one date (`as_of`): what the operator knows about
its registration, state, bills, contract lock and porting history, and optionally what the operator
told the user (`operator_decision`). Validation is strict so that a typo never silently changes a
verdict: every field has exactly one accepted JSON type, dates are `YYYY-MM-DD` only, unknown
fields are rejected, and every message names the field, the expected and the actual value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ganzhi.evidence.base import Subject, evidence_kind

#: Subject type of every portability case; the subject id is the case id.
SUBJECT_TYPE = "phone_number"

MAX_ID_LENGTH = 128

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID = re.compile(r"^[^\x00-\x1f\x7f]+$")
#: 11-digit mobile numbers start with 1; 13-digit numbers are the M2M/IoT ranges (1064…, 140–149…).
_NUMBER_11 = re.compile(r"^1\d{10}$")
_NUMBER_13 = re.compile(r"^(?:1064\d{9}|14\d{11})$")

Status = Literal["normal", "lost", "suspended"]
STATUSES: tuple[str, ...] = ("normal", "lost", "suspended")


class ReasonCode(StrEnum):
    """Why a number may not be ported, in the fixed order verdicts list them.

    The order follows 《携号转网服务管理规定》's five user conditions (① real name, ② normal state,
    ③ billed fees settled, ④ no contract lock, ⑤ 120 natural days) and then the non-portable ranges.
    """

    NOT_REAL_NAME = "NOT_REAL_NAME"
    ABNORMAL_STATUS = "ABNORMAL_STATUS"
    UNPAID_FEES = "UNPAID_FEES"
    CONTRACT_LOCK = "CONTRACT_LOCK"
    TOO_SOON = "TOO_SOON"
    NON_PORTABLE_RANGE = "NON_PORTABLE_RANGE"


#: Reason codes in their fixed, documented order.
REASON_ORDER: tuple[ReasonCode, ...] = tuple(ReasonCode)


def order_reasons(reasons: set[ReasonCode] | list[ReasonCode]) -> list[ReasonCode]:
    """The distinct `reasons` sorted into the fixed order."""
    present = set(reasons)
    return [code for code in REASON_ORDER if code in present]


#: What each field expects, used in messages (including "missing" ones).
FIELD_EXPECTATIONS: dict[str, str] = {
    "id": f"a non-empty string of at most {MAX_ID_LENGTH} characters",
    "number": "a string of 11 digits starting with 1, or a 13-digit IoT number (1064…, 140–149…)",
    "real_name_registered": "true or false",
    "status": "one of " + ", ".join(repr(s) for s in STATUSES),
    "unpaid_billed_fees": "a finite number >= 0 (yuan)",
    "contract_lock_until": "YYYY-MM-DD or null",
    "joined_on": "YYYY-MM-DD",
    "last_ported_on": "YYYY-MM-DD or null",
    "as_of": "YYYY-MM-DD",
    "operator_decision": 'an object {"eligible": bool, "reasons": [codes]} or null',
    "operator_answer": "the operator's answer as written (a string), instead of operator_decision",
    "eligible": "true or false",
    "reasons": "a list of reason codes",
    "reason": "a reason code, one of " + ", ".join(REASON_ORDER),
}


def _field_error(detail: str) -> PydanticCustomError:
    """A validation error whose message is exactly `detail` (no pydantic prefix)."""
    return PydanticCustomError("portability_field", "{detail}", {"detail": detail})


def _bad(field: str, value: Any) -> PydanticCustomError:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return _field_error(f"expected {FIELD_EXPECTATIONS[field]} (got {shown})")


def parse_date(field: str, value: Any) -> dt.date:
    """A `YYYY-MM-DD` string (or a date) as a date; anything else is a field error."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _bad(field, value)


def _strict_bool(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _bad(field, value)
    return value


class OperatorDecision(BaseModel):
    """What the operator told the user about eligibility (e.g. the reply to `CXXZ#…`).

    Given as codes, or read from the operator's free-text answer (`operator_answer` in the input, read by
    `ganzhi.collect.portability.answers`): then `text` is the answer, `eligible` is None when the answer
    does not say, and `unread` holds the reason clauses that map to no code.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    eligible: bool | None
    reasons: list[ReasonCode]
    text: str | None = Field(default=None, max_length=2000)
    unread: list[str] = Field(default_factory=list, max_length=50)

    @field_validator("eligible", mode="before")
    @classmethod
    def _eligible(cls, value: Any) -> bool | None:
        if value is None:
            return None
        return _strict_bool("eligible", value)

    @field_validator("reasons", mode="before")
    @classmethod
    def _reasons(cls, value: Any) -> list[ReasonCode]:
        if not isinstance(value, list):
            raise _bad("reasons", value)
        codes: list[ReasonCode] = []
        for item in value:
            if not isinstance(item, str) or item not in ReasonCode.__members__:
                raise _bad("reason", item)
            code = ReasonCode(item)
            if code not in codes:
                codes.append(code)
        return codes

    @model_validator(mode="after")
    def _consistent(self) -> OperatorDecision:
        if self.eligible is None and self.text is None:
            raise _field_error("eligible: expected true or false (null only for an answer read from text)")
        if self.eligible and self.reasons:
            given = [r.value for r in self.reasons]
            raise _field_error(f"reasons: expected none when eligible is true (got {given})")
        return self


@evidence_kind("portability_case")
class PortabilityCase(BaseModel):
    """One eligibility query: a number and the facts its eligibility depends on, at `as_of`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    number: str
    real_name_registered: bool
    status: Status
    unpaid_billed_fees: float
    contract_lock_until: dt.date | None
    joined_on: dt.date
    last_ported_on: dt.date | None
    as_of: dt.date
    operator_decision: OperatorDecision | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise _bad("id", value)
        if not value.strip() or len(value) > MAX_ID_LENGTH or not _ID.match(value):
            raise _bad("id", value)
        return value

    @field_validator("number", mode="before")
    @classmethod
    def _number(cls, value: Any) -> str:
        if not isinstance(value, str) or not (_NUMBER_11.match(value) or _NUMBER_13.match(value)):
            raise _bad("number", value)
        return value

    @field_validator("real_name_registered", mode="before")
    @classmethod
    def _real_name(cls, value: Any) -> bool:
        return _strict_bool("real_name_registered", value)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        if not isinstance(value, str) or value not in STATUSES:
            raise _bad("status", value)
        return value

    @field_validator("unpaid_billed_fees", mode="before")
    @classmethod
    def _fees(cls, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad("unpaid_billed_fees", value)
        number = float(value)
        if not math.isfinite(number) or number < 0:
            raise _bad("unpaid_billed_fees", value)
        return number

    @field_validator("joined_on", "as_of", mode="before")
    @classmethod
    def _required_date(cls, value: Any, info: ValidationInfo) -> dt.date:
        return parse_date(str(info.field_name), value)

    @field_validator("contract_lock_until", "last_ported_on", mode="before")
    @classmethod
    def _optional_date(cls, value: Any, info: ValidationInfo) -> dt.date | None:
        if value is None:
            return None
        return parse_date(str(info.field_name), value)

    @model_validator(mode="after")
    def _dates_not_after_as_of(self) -> PortabilityCase:
        for name in ("joined_on", "last_ported_on"):
            when: dt.date | None = getattr(self, name)
            if when is not None and when > self.as_of:
                raise _field_error(f"{name}: expected a date on or before as_of {self.as_of} (got {when})")
        return self

    @property
    def subject(self) -> Subject:
        """The subject this case is about: the number's case id, typed `phone_number`."""
        return Subject(type=SUBJECT_TYPE, id=self.id, name=self.number)


def describe_errors(exc: ValidationError) -> str:
    """One readable line for a failed `PortabilityCase` validation: `field: expected … (got …)`."""
    parts: list[str] = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        field = str(err["loc"][-1]) if err["loc"] else ""
        if err["type"] == "missing":
            expected = FIELD_EXPECTATIONS.get(field, "a value")
            message = f"missing (expected {expected})"
        elif err["type"] == "extra_forbidden":
            message = "unknown field (expected one of " + ", ".join(PortabilityCase.model_fields) + ")"
        elif err["type"] in {"model_type", "model_attributes_type", "dict_type"}:
            expected = FIELD_EXPECTATIONS.get(field, "an object")
            message = f"expected {expected} (got {err['input']!r})"
        else:
            message = str(err["msg"])
        parts.append(f"{loc}: {message}" if loc else message)
    return "; ".join(parts)
