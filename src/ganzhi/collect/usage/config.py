"""Knobs of the usage-reminder audit (T1 "及时提醒用户套餐内流量使用情况").

The 524 notice fixes no threshold, latency or tolerance (reference/telecom.md §2.3): every number here
is a *configurable default* of the catalog requirement `T1.usage-reminder.timely`, read through
`AuditConfig.from_params` (campaign overrides included). The audit logic never uses a literal
threshold; it only reads an `AuditConfig`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # pulls in pydantic (~0.1 s of imports) that the audit itself never needs
    from ganzhi.catalog.params import Params

#: The catalog requirement whose params drive the audit and its check.
REQUIREMENT_ID = "T1.usage-reminder.timely"
#: AuditConfig field → catalog param id of `REQUIREMENT_ID`.
PARAM_IDS = {
    "thresholds": "reminder_thresholds",
    "latency_s": "latency_s",
    "early_tolerance_s": "early_tolerance_s",
    "attribution_grace_s": "attribution_grace_s",
}

#: Beijing time is UTC+8 all year (no DST since 1991); cycles are calendar months in this offset.
BEIJING_OFFSET_MS = 8 * 3600 * 1000


class ReminderStatus(StrEnum):
    """Verdict of one (subscriber, cycle, threshold) crossing or of one reminder."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    SPURIOUS = "spurious"
    REPEAT = "repeat"


#: Verdict labels by language (plain dicts, not `ganzhi.i18n.Text`: importing the audit skips pydantic).
STATUS_LABELS: dict[ReminderStatus, dict[str, str]] = {
    ReminderStatus.ON_TIME: {"zh": "及时提醒", "en": "reminded on time"},
    ReminderStatus.LATE: {"zh": "提醒超时", "en": "reminded late"},
    ReminderStatus.MISSING: {"zh": "未提醒", "en": "no reminder"},
    ReminderStatus.SPURIOUS: {"zh": "无依据提醒", "en": "reminder without a crossing"},
    ReminderStatus.REPEAT: {"zh": "重复提醒", "en": "repeated reminder for the same crossing"},
}


@dataclass(frozen=True, slots=True)
class AuditConfig:
    """Everything the audit needs besides its inputs; defaults are configurable, not official.

    - `thresholds`: fractions of the plan quota that must trigger a reminder.
    - `latency_s`: a reminder at most this long after the crossing is on time (inclusive).
    - `early_tolerance_s`: a reminder up to this long *before* the crossing still counts
      (operators bill in batches); earlier than that it is spurious.
    - `attribution_grace_s`: a late reminder for a crossing near the end of a cycle may arrive
      in the next cycle up to this long after the cycle ends.
    - `max_event_bytes`: one usage record above this is absurd and quarantined.
    - `min_ts_ms` / `max_ts_ms`: accepted event/reminder time range (catches epoch seconds).
    - `memory_limit` / `threads` / `temp_dir`: DuckDB resource bounds.
    - `kernel`: how crossings are found — `numpy` (sort one packed key per event, partitioned by
      subscriber; integer ids only), `sql` (DuckDB window), or `auto` (numpy when ids are integers).
    - `partition_rows`: events per numpy partition (about 100 bytes of memory each).
    """

    thresholds: tuple[float, ...] = (0.8, 1.0)
    latency_s: float = 3600.0
    early_tolerance_s: float = 60.0
    attribution_grace_s: float = 86400.0
    max_event_bytes: int = 10**12
    max_threshold: float = 10.0
    min_ts_ms: int = 946_656_000_000  # 2000-01-01T00:00:00+08:00
    max_ts_ms: int = 4_102_416_000_000  # 2100-01-01T00:00:00+08:00
    memory_limit: str = "3GB"
    threads: int = 2
    temp_dir: str | None = None
    kernel: Literal["auto", "numpy", "sql"] = "auto"
    partition_rows: int = 4_000_000
    labels: dict[str, str] = field(
        default_factory=lambda: {
            "thresholds": "configurable default",
            "latency_s": "configurable default",
            "early_tolerance_s": "configurable default",
            "attribution_grace_s": "configurable default",
            "max_event_bytes": "configurable default",
        }
    )

    def __post_init__(self) -> None:
        if not self.thresholds:
            raise ValueError("thresholds: expected at least one fraction of the quota, got none")
        for t in self.thresholds:
            if not 0 < t <= self.max_threshold:
                raise ValueError(f"thresholds: expected fractions in (0, {self.max_threshold}], got {t}")
        if len(set(self.thresholds)) != len(self.thresholds):
            raise ValueError(f"thresholds: expected distinct values, got {list(self.thresholds)}")
        for name in ("latency_s", "early_tolerance_s", "attribution_grace_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}: expected >= 0 seconds, got {getattr(self, name)}")
        if self.kernel not in ("auto", "numpy", "sql"):
            raise ValueError(f"kernel: expected auto, numpy or sql, got {self.kernel!r}")
        if self.partition_rows < 1:
            raise ValueError(f"partition_rows: expected >= 1, got {self.partition_rows}")
        if self.threads < 1:
            raise ValueError(f"threads: expected >= 1, got {self.threads}")

    @classmethod
    def from_params(
        cls, params: Params, *, memory_limit: str = "3GB", threads: int = 2, temp_dir: str | None = None,
        kernel: Literal["auto", "numpy", "sql"] = "auto",
    ) -> AuditConfig:
        """The config a check's params imply (catalog defaults overlaid by campaign overrides).

        Resource bounds are not catalog params (they change no verdict), so they are passed here.
        ValueError names the param when a value is unusable.
        """
        raw = params.get(PARAM_IDS["thresholds"])
        if not isinstance(raw, list) or not all(isinstance(t, int | float) and not isinstance(t, bool) for t in raw):
            raise ValueError(f"{PARAM_IDS['thresholds']}: expected a list of fractions such as [0.8, 1.0], got {raw!r}")
        labels = {field: params.settings[pid].label for field, pid in PARAM_IDS.items()}
        labels["max_event_bytes"] = "configurable default"
        return cls(
            thresholds=tuple(float(t) for t in raw),
            latency_s=params.number(PARAM_IDS["latency_s"]),
            early_tolerance_s=params.number(PARAM_IDS["early_tolerance_s"]),
            attribution_grace_s=params.number(PARAM_IDS["attribution_grace_s"]),
            memory_limit=memory_limit, threads=threads, temp_dir=temp_dir, kernel=kernel, labels=labels,
        )  # fmt: skip

    @property
    def latency_ms(self) -> int:
        return round(self.latency_s * 1000)

    @property
    def early_tolerance_ms(self) -> int:
        return round(self.early_tolerance_s * 1000)

    @property
    def attribution_grace_ms(self) -> int:
        return round(self.attribution_grace_s * 1000)

    def describe(self) -> dict[str, object]:
        """JSON-ready params with their labels, for the report."""
        values = asdict(self)
        labels = values.pop("labels")
        return {
            name: {"value": list(v) if isinstance(v, tuple) else v, "label": labels.get(name, "setting")}
            for name, v in values.items()
        }
