"""Shared logic of the T8 checks: which provinces can do the required operations through the channels.

A province is served when, for every required operation, some allowed channel is declared supported
and, if that cell was tested, at least one test succeeded (a declared cell whose tests all failed does
not count). The share of served provinces among `provinces` must reach `min_province_share`.

A province the matrix says nothing about (no cell declared for an operation) is not evidence of a gap: when
the share falls short only because of such provinces, the verdict is MANUAL, naming them and asking for
their declaration or a test. FAIL needs enough provinces declared unsupported or whose tests all failed.
"""

from __future__ import annotations

from collections.abc import Sequence

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.crossregion import CrossRegionMatrix

#: The 31 province-level divisions of the mainland (7th census), by 2-digit code.
PROVINCE_CODES: tuple[str, ...] = (
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
)  # fmt: skip


def cell_ok(
    matrix: CrossRegionMatrix, province: str, service: str, operation: str, channels: Sequence[str]
) -> tuple[bool, str]:
    """Whether one operation works in one province through any of `channels`, and why not."""
    reason = "not_declared"
    for channel in channels:
        declared = [
            c for c in matrix.capabilities
            if (c.province, c.service, c.operation, c.channel) == (province, service, operation, channel)
        ]  # fmt: skip
        if not any(c.supported for c in declared):
            if declared:
                reason = "not_supported"
            continue
        tests = [
            t for t in matrix.tests
            if (t.province, t.service, t.operation, t.channel) == (province, service, operation, channel)
        ]  # fmt: skip
        if tests and not any(t.succeeded for t in tests):
            reason = "tests_failed"
            continue
        return True, "ok"
    return False, reason


def coverage_outcome(
    matrix: CrossRegionMatrix,
    params: Params,
    *,
    service: str,
    operations: Sequence[str],
    channels: Sequence[str],
    what_zh: str,
    what_en: str,
) -> Outcome:
    """PASS when the served share of provinces reaches `min_province_share`, else FAIL with the gaps."""
    minimum = params.number("min_province_share")
    gaps: dict[str, dict[str, str]] = {}
    for province in PROVINCE_CODES:
        for operation in operations:
            ok, reason = cell_ok(matrix, province, service, operation, channels)
            if not ok:
                gaps.setdefault(province, {})[operation] = reason
    served = len(PROVINCE_CODES) - len(gaps)
    share = served / len(PROVINCE_CODES)
    unknown = sorted(p for p, reasons in gaps.items() if all(r == "not_declared" for r in reasons.values()))
    facts = {
        "operator": matrix.operator,
        "service": service,
        "operations": list(operations),
        "channels": list(channels),
        "provinces_served": served,
        "share": round(share, 4),
        "min_province_share": minimum,
        "gaps": dict(sorted(gaps.items())),
    }
    if share >= minimum:
        return Outcome.passed(f"{what_zh}：{served}/31个省份可办理", f"{what_en}: {served}/31 provinces", **facts)
    if share < minimum and (served + len(unknown)) / len(PROVINCE_CODES) >= minimum:
        named = "、".join(unknown[:10])
        return Outcome.manual(
            f"{what_zh}：{served}/31个省份可办理，另有{len(unknown)}个省份在能力矩阵中未声明（{named}），"
            "无法判断是否达标；需补充这些省份的能力声明或实测记录",
            f"{what_en}: {served}/31 provinces served and {len(unknown)} not declared in the matrix; "
            "cannot tell; needs their declaration or a test",
            needs="undeclared provinces' capability declaration or test records",
            undeclared=unknown,
            **facts,
        )
    listed = "、".join(sorted(gaps)[:10])
    return Outcome.failed(
        f"{what_zh}：仅{served}/31个省份可办理（{share:.0%}，要求{minimum:.0%}），未达标省份代码：{listed}",
        f"{what_en}: only {served}/31 provinces ({share:.0%}, need {minimum:.0%})",
        **facts,
    )
