"""The result vocabulary: what a check can say (status) and how bad a failure is (severity).

It sits at the bottom beside evidence so checks, findings, outputs, the store and supervision share one
vocabulary without importing the checks package.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Per-run result status."""

    PASS = "PASS"
    FAIL = "FAIL"
    WARN = "WARN"
    MANUAL = "MANUAL"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    ERROR = "ERROR"


class Severity(StrEnum):
    """How bad a failure of a check is; drives deadlines, SARIF level and scores."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"
