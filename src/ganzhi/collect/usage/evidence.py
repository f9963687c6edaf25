"""Turn an audit summary into `usage_audit_summary` evidence for the check `t1_usage_reminder_timely`.

Only aggregates leave the audit: per (plan, province) verdict counts and the params the audit ran
with. The evidence goes to a JSON Lines file (one envelope per line) that `ganzhi check run` reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ganzhi.collect.usage.config import AuditConfig
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.usage_audit import SUBJECT_TYPE, UsageAuditGroup, UsageAuditSummary


def _count(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def summary_payload(summary: Mapping[str, object], cfg: AuditConfig) -> UsageAuditSummary:
    """The evidence payload of one audit summary (as built by `summary.build_summary`)."""
    by_plan = summary.get("by_plan", [])
    groups: list[UsageAuditGroup] = []
    for row in by_plan if isinstance(by_plan, list) else []:
        p95 = row.get("latency_p95_s")
        groups.append(UsageAuditGroup(
            plan_id=str(row["plan_id"]), province=str(row["province"]), on_time=_count(row.get("on_time")),
            late=_count(row.get("late")), missing=_count(row.get("missing")),
            spurious=_count(row.get("spurious")), repeat=_count(row.get("repeat")),
            latency_p95_s=None if p95 is None else float(p95),
        ))  # fmt: skip
    totals = summary.get("totals", {})
    inputs = summary.get("inputs", {})
    cycles = summary.get("cycles", [])
    return UsageAuditSummary(
        thresholds=list(cfg.thresholds), latency_s=cfg.latency_s, early_tolerance_s=cfg.early_tolerance_s,
        attribution_grace_s=cfg.attribution_grace_s,
        cycles=[str(c) for c in cycles] if isinstance(cycles, list) else [],
        events_counted=_count(totals.get("events_counted")) if isinstance(totals, dict) else 0,
        rejected_rows={str(k): _count(v.get("rejected")) for k, v in inputs.items() if isinstance(v, dict)}
        if isinstance(inputs, dict) else {},
        groups=groups,
    )  # fmt: skip


def summary_evidence(summary: Mapping[str, object], cfg: AuditConfig, subject_id: str, source: str) -> Evidence:
    """The evidence envelope: subject `usage_reminder_audit:<subject_id>` (e.g. an operator and period)."""
    return Evidence.of(summary_payload(summary, cfg), Subject(type=SUBJECT_TYPE, id=subject_id), source=source)


def write_evidence(path: Path, evidence: Evidence) -> None:
    """Write one envelope as a JSON Lines file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(evidence.model_dump_json() + "\n", encoding="utf-8")
