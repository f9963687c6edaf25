"""及时提醒用户套餐内流量使用情况: judge the usage-reminder audit's verdict counts.

The audit (`ganzhi usage audit --evidence FILE`) already decided every crossing; this check only
compares the share of late + missing reminders with `max_violation_share`, overall and per plan ×
province group with at least `min_crossings` crossings. When the audit ran with other thresholds or
time limits than the params in force, its counts answer a different question: the check WARNs.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.usage_audit import UsageAuditGroup, UsageAuditSummary

#: Audit field → param id it must agree with.
_AUDIT_PARAMS = (("latency_s", "latency_s"), ("early_tolerance_s", "early_tolerance_s"),
                 ("attribution_grace_s", "attribution_grace_s"))  # fmt: skip


def _param_mismatches(audit: UsageAuditSummary, params: Params) -> list[str]:
    """Params the audit ran with that differ from the ones in force, as 'name: audit X, params Y'."""
    found: list[str] = []
    wanted = params.get("reminder_thresholds")
    wanted_list = sorted(float(t) for t in wanted) if isinstance(wanted, list) else []
    if sorted(audit.thresholds) != wanted_list:
        found.append(f"reminder_thresholds: audit {sorted(audit.thresholds)}, params {wanted_list}")
    for field, param_id in _AUDIT_PARAMS:
        ran, expected = float(getattr(audit, field)), params.number(param_id)
        if ran != expected:
            found.append(f"{param_id}: audit {ran:g}, params {expected:g}")
    return found


def _judge(
    scope: str, group: UsageAuditGroup, max_share: float, label_zh: str, label_en: str, **extra: object
) -> Outcome:
    share = group.violations / group.crossings
    facts = {**extra, 
        "scope": scope, "plan_id": group.plan_id, "province": group.province, "crossings": group.crossings,
        "on_time": group.on_time, "late": group.late, "missing": group.missing, "spurious": group.spurious,
        "violation_share": round(share, 6), "max_violation_share": max_share, "latency_p95_s": group.latency_p95_s,
    }  # fmt: skip
    counts_zh = f"越档{group.crossings}次：及时{group.on_time}、超时{group.late}、未提醒{group.missing}"
    counts_en = f"{group.crossings} crossings: {group.on_time} on time, {group.late} late, {group.missing} missing"
    if share > max_share:
        return Outcome.failed(
            f"{label_zh}{counts_zh}，超时或未提醒占{share:.2%}，超过上限{max_share:.2%}。",
            f"{label_en}{counts_en}; {share:.2%} late or missing exceeds the maximum {max_share:.2%}.",
            **facts,
        )
    return Outcome.passed(
        f"{label_zh}{counts_zh}，超时或未提醒占{share:.2%}，未超过上限{max_share:.2%}。",
        f"{label_en}{counts_en}; {share:.2%} late or missing is within the maximum {max_share:.2%}.",
        **facts,
    )


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome overall and one per group large enough to judge; WARN when the audit's params differ."""
    audit = evidence.one(UsageAuditSummary)
    max_share, min_crossings = params.number("max_violation_share"), int(params.number("min_crossings"))
    outcomes: list[Outcome] = []
    mismatches = _param_mismatches(audit, params)
    if mismatches:
        outcomes.append(Outcome.warned(
            "稽核所用参数与当前参数不一致，请按当前参数重新稽核：" + "；".join(mismatches),
            "The audit ran with other params than those in force; re-run it: " + "; ".join(mismatches),
            scope="params", plan_id="", province="", mismatches=mismatches,
        ))  # fmt: skip
    total = UsageAuditGroup(
        plan_id="all", province="all", on_time=sum(g.on_time for g in audit.groups),
        late=sum(g.late for g in audit.groups), missing=sum(g.missing for g in audit.groups),
        spurious=sum(g.spurious for g in audit.groups), repeat=sum(g.repeat for g in audit.groups),
    )  # fmt: skip
    if total.crossings == 0:
        outcomes.append(Outcome.manual(
            "稽核期内没有用户越过提醒档位，无法判定提醒是否及时。",
            "No subscriber crossed a reminder threshold in the audited period; timeliness cannot be judged.",
            scope="overall", plan_id="all", province="all", spurious=total.spurious,
        ))  # fmt: skip
        return outcomes
    judged = [g for g in audit.groups if g.crossings >= min_crossings]
    outcomes.append(_judge(
        "overall", total, max_share, "总体：", "Overall: ", groups=len(audit.groups),
        groups_too_small=len(audit.groups) - len(judged), min_crossings=min_crossings,
    ))  # fmt: skip
    for group in sorted(judged, key=lambda g: (g.plan_id, g.province)):
        outcomes.append(_judge("group", group, max_share, f"套餐{group.plan_id}（{group.province}）",
                               f"Plan {group.plan_id} ({group.province}): "))  # fmt: skip
    return outcomes
