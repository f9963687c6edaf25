"""Shared logic of the T6/T7 column checks: required column roles present and filled in every row."""

from __future__ import annotations

from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.pi_lists import ListKind, PiList

#: header wording of the catalog params → the column role the list parser assigns.
PARAM_ROLES: dict[str, str] = {
    "信息种类": "pi_types",
    "个人信息种类": "pi_types",
    "使用目的": "purpose",
    "使用场景": "scenario",
    "共享方式": "method",
    "收集情况": "collected_count",
    "信息内容": "content",
    "SDK名称": "third_party",
    "开发者名称": "developer",
    "收集信息范围": "pi_types",
    "SDK隐私政策链接": "policy_link",
    "第三方名称": "third_party",
}


def role_of(name: str) -> str:
    """The parser role of a column named in a param (unknown names are their own role and never match)."""
    return PARAM_ROLES.get(name, name)


def column_outcomes(
    evidence: EvidenceSet, kind: ListKind, required: list[str], recommended: list[str]
) -> list[Outcome]:
    """One outcome per list of `kind`: FAIL for missing/empty required columns, WARN for missing recommended."""
    lists = [x for x in evidence.all(PiList) if x.kind == kind]
    out: list[Outcome] = []
    for parsed in lists:
        missing = [c for c in required if role_of(c) not in parsed.headers]
        empty_rows = sorted(
            {
                row.row
                for row in parsed.rows
                for c in required
                if role_of(c) in parsed.headers and not row.cells.get(role_of(c))
            }
        )
        if not parsed.rows:
            out.append(
                Outcome.failed(
                    f"{parsed.source}：清单无数据行（{'；'.join(parsed.problems)[:200]}）",
                    f"{parsed.source}: the list has no data rows",
                    reason="NO_ROWS",
                    source=parsed.source,
                )
            )
        elif missing or empty_rows:
            out.append(
                Outcome.failed(
                    f"{parsed.source}：缺少列 {'、'.join(missing) or '无'}；必填项为空的行 {empty_rows[:20]}",
                    f"{parsed.source}: missing columns {missing}; rows with empty required cells {empty_rows[:20]}",
                    reason="MISSING_COLUMNS" if missing else "EMPTY_CELLS",
                    missing=missing,
                    empty_rows=empty_rows[:50],
                    source=parsed.source,
                )
            )
        else:
            absent = [c for c in recommended if role_of(c) not in parsed.headers]
            if absent:
                out.append(
                    Outcome.warned(
                        f"{parsed.source}：建议增加列 {'、'.join(absent)}",
                        f"{parsed.source}: recommended columns absent: {absent}",
                        reason="RECOMMENDED_MISSING",
                        missing=absent,
                        source=parsed.source,
                    )
                )
            else:
                out.append(
                    Outcome.passed(
                        f"{parsed.source}：必需列齐全（{len(parsed.rows)}行）",
                        f"{parsed.source}: required columns present ({len(parsed.rows)} rows)",
                        missing=[],
                        source=parsed.source,
                    )
                )
    if not out:
        out.append(Outcome.not_applicable("未提供该清单", "The list was not supplied"))
    return out
