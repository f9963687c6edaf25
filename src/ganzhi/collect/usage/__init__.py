"""Usage-reminder audit (T1 "及时提醒用户套餐内流量使用情况"): crossings of quota thresholds vs reminders sent."""

from __future__ import annotations

from ganzhi.collect.usage.audit import AuditReport, run_audit
from ganzhi.collect.usage.config import AuditConfig, ReminderStatus
from ganzhi.collect.usage.generate import GeneratorSpec, generate

__all__ = ["AuditConfig", "AuditReport", "GeneratorSpec", "ReminderStatus", "generate", "run_audit"]
