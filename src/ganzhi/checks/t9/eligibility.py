"""The five user conditions and the number ranges of 携号转网, as pure functions of one case.

Shared by the six eligibility checks (one condition each) and by `t9_port_operator_decision`,
which needs every reason at once to judge what the operator told the user. Rules decided here:

- Interval (condition ⑤, "入网已满120日（自然日）", also the minimum time between two ports): the
  anchor is the later of `joined_on` and `last_ported_on` (a last port before `joined_on` belongs to
  a previous holder of a recycled number). Days are `as_of − anchor` in natural days, the start day
  not counted (民法典 第二百零一条), so leap days count like any other day. `TOO_SOON` when the
  days are fewer than `min_days`: joined 2024-01-01 → 119 days on 2024-04-29 (too soon), 120 days on
  2024-04-30 (eligible).
- Contract lock (condition ④): a lock "until D" still binds on D; it no longer binds from D + 1.
- Fees (condition ③): any billed amount above 0 blocks; the rule settles all billed fees.
- Range: the number starts with one of `non_portable_prefixes` (satellite, resale, IoT).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.portability import PortabilityCase, ReasonCode

MIN_DAYS_PARAM = "min_days"
PREFIXES_PARAM = "non_portable_prefixes"


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition evaluated on one case: whether it blocks the port, and the facts behind it."""

    reason: ReasonCode
    blocked: bool
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EligibilityParams:
    """The two numbers the rules need, read from the catalog params of a check."""

    min_days: int
    non_portable_prefixes: tuple[str, ...]

    @classmethod
    def from_params(cls, params: Params) -> EligibilityParams:
        """Both params, for a check that needs every condition (the operator-decision check)."""
        return cls(min_days=min_days_param(params), non_portable_prefixes=prefixes_param(params))


def min_days_param(params: Params) -> int:
    """`min_days` as whole natural days; ValueError when it is negative or fractional."""
    min_days = params.number(MIN_DAYS_PARAM)
    if min_days < 0 or min_days != int(min_days):
        raise ValueError(f"param {MIN_DAYS_PARAM!r}: expected whole days >= 0 (got {min_days})")
    return int(min_days)


def prefixes_param(params: Params) -> tuple[str, ...]:
    """`non_portable_prefixes` as digit strings; ValueError names a prefix that is not digits."""
    prefixes = params.strings(PREFIXES_PARAM)
    for prefix in prefixes:
        if not prefix.isascii() or not prefix.isdigit():
            raise ValueError(f"param {PREFIXES_PARAM!r}: expected digit strings (got {prefix!r})")
    return tuple(prefixes)


def real_name(case: PortabilityCase) -> Condition:
    """① The user has registered their real identity with the current operator."""
    return Condition(
        ReasonCode.NOT_REAL_NAME,
        blocked=not case.real_name_registered,
        facts={"real_name_registered": case.real_name_registered},
    )


def normal_status(case: PortabilityCase) -> Condition:
    """② The number is in normal use (not reported lost, not suspended)."""
    blocked = case.status != "normal"
    return Condition(ReasonCode.ABNORMAL_STATUS, blocked=blocked, facts={"status": case.status})


def fees_settled(case: PortabilityCase) -> Condition:
    """③ All billed telecom fees are paid."""
    return Condition(
        ReasonCode.UNPAID_FEES,
        blocked=case.unpaid_billed_fees > 0,
        facts={"unpaid_billed_fees": case.unpaid_billed_fees},
    )


def contract_lock(case: PortabilityCase) -> Condition:
    """④ No minimum-term agreement binds on `as_of` (a lock until D binds on D)."""
    until = case.contract_lock_until
    return Condition(
        ReasonCode.CONTRACT_LOCK,
        blocked=until is not None and case.as_of <= until,
        facts={"contract_lock_until": until.isoformat() if until else None, "as_of": case.as_of.isoformat()},
    )


def interval_anchor(case: PortabilityCase) -> tuple[str, dt.date]:
    """The field and date the waiting period runs from: the later of joining and the last port."""
    if case.last_ported_on is not None and case.last_ported_on > case.joined_on:
        return "last_ported_on", case.last_ported_on
    return "joined_on", case.joined_on


def min_interval(case: PortabilityCase, min_days: int) -> Condition:
    """⑤ At least `min_days` natural days since joining or since the last port."""
    anchor_field, anchor = interval_anchor(case)
    days = (case.as_of - anchor).days
    return Condition(
        ReasonCode.TOO_SOON,
        blocked=days < min_days,
        facts={
            "anchor_field": anchor_field,
            "anchor": anchor.isoformat(),
            "days": days,
            "min_days": min_days,
        },
    )


def matching_prefix(number: str, prefixes: Sequence[str]) -> str | None:
    """The longest of `prefixes` that `number` starts with, or None."""
    found = [p for p in prefixes if p and number.startswith(p)]
    return max(found, key=len) if found else None


def number_range(case: PortabilityCase, prefixes: Sequence[str]) -> Condition:
    """The number is not in a non-portable range (satellite, mobile resale, IoT)."""
    prefix = matching_prefix(case.number, prefixes)
    return Condition(ReasonCode.NON_PORTABLE_RANGE, blocked=prefix is not None, facts={"prefix": prefix})


def all_conditions(case: PortabilityCase, rules: EligibilityParams) -> list[Condition]:
    """Every condition, in the fixed reason order."""
    return [
        real_name(case),
        normal_status(case),
        fees_settled(case),
        contract_lock(case),
        min_interval(case, rules.min_days),
        number_range(case, rules.non_portable_prefixes),
    ]


def reasons_for(case: PortabilityCase, rules: EligibilityParams) -> list[ReasonCode]:
    """Every reason the number cannot be ported, in the fixed order; empty when eligible."""
    return [c.reason for c in all_conditions(case, rules) if c.blocked]


#: (failure zh, failure en, pass zh, pass en) per reason.
_TEXT: dict[ReasonCode, tuple[str, str, str, str]] = {
    ReasonCode.NOT_REAL_NAME: (
        "号码未在携出方办理真实身份信息登记",
        "the number is not real-name registered with the current operator",
        "号码已办理实名登记",
        "the number is real-name registered",
    ),
    ReasonCode.ABNORMAL_STATUS: (
        "号码处于非正常使用状态（挂失或停机）",
        "the number is not in normal use (reported lost or suspended)",
        "号码处于正常使用状态",
        "the number is in normal use",
    ),
    ReasonCode.UNPAID_FEES: (
        "存在未结清的已出账电信费用",
        "billed telecom fees are unpaid",
        "已出账电信费用已结清",
        "billed fees are settled",
    ),
    ReasonCode.CONTRACT_LOCK: (
        "存在仍在有效期内的在网期限约定（到期日当天仍受约束）",
        "a minimum-term agreement still binds (it binds on its end date)",
        "无有效的在网期限约定",
        "no minimum-term agreement binds",
    ),
    ReasonCode.TOO_SOON: (
        "入网或上次携号转网未满规定自然日数",
        "too few natural days since joining or since the last port",
        "入网及上次携号转网均已满规定自然日数",
        "enough natural days since joining and since the last port",
    ),
    ReasonCode.NON_PORTABLE_RANGE: (
        "号码属于不可携转的号段（卫星、移动转售或物联网）",
        "the number is in a non-portable range (satellite, resale or IoT)",
        "号码不属于不可携转号段",
        "the number is in a portable range",
    ),
}


def condition_outcome(condition: Condition) -> Outcome:
    """FAIL with `reason` in the data when the condition blocks the port, PASS otherwise."""
    fail_zh, fail_en, pass_zh, pass_en = _TEXT[condition.reason]
    if condition.blocked:
        return Outcome.failed(fail_zh, fail_en, reason=condition.reason.value, **condition.facts)
    return Outcome.passed(pass_zh, pass_en, **condition.facts)
