"""Display labels shared by every output, so a status reads the same in CSV, tables and SARIF."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ganzhi.evidence.status import Severity, Status
from ganzhi.findings.models import IssueState, Result
from ganzhi.i18n import Lang, Text

STATUS_LABELS: Mapping[Status, Text] = {
    Status.PASS: Text(zh="通过", en="PASS"),
    Status.FAIL: Text(zh="不通过", en="FAIL"),
    Status.WARN: Text(zh="警告", en="WARN"),
    Status.MANUAL: Text(zh="需人工判定", en="MANUAL"),
    Status.NOT_APPLICABLE: Text(zh="不适用", en="N/A"),
    Status.ERROR: Text(zh="执行错误", en="ERROR"),
}

SEVERITY_LABELS: Mapping[Severity, Text] = {
    Severity.CRITICAL: Text(zh="严重", en="critical"),
    Severity.HIGH: Text(zh="高", en="high"),
    Severity.MEDIUM: Text(zh="中", en="medium"),
    Severity.LOW: Text(zh="低", en="low"),
    Severity.INFO: Text(zh="提示", en="info"),
}

ISSUE_STATE_LABELS: Mapping[IssueState, Text] = {
    IssueState.OPEN: Text(zh="待整改", en="open"),
    IssueState.RECTIFYING: Text(zh="整改中", en="rectifying"),
    IssueState.FIXED: Text(zh="已整改", en="fixed"),
    IssueState.VERIFIED: Text(zh="已核验", en="verified"),
    IssueState.REOPENED: Text(zh="重新打开", en="reopened"),
    IssueState.WAIVED: Text(zh="已豁免", en="waived"),
    IssueState.FALSE_POSITIVE: Text(zh="误报", en="false positive"),
}

#: Order in which statuses are listed in summaries (worst first).
STATUS_ORDER: Sequence[Status] = (
    Status.FAIL,
    Status.ERROR,
    Status.WARN,
    Status.MANUAL,
    Status.PASS,
    Status.NOT_APPLICABLE,
)

_PARAM_LABELS: Mapping[str, Text] = {
    "official": Text(zh="官方规定", en="official"),
    "configurable default": Text(zh="可配置默认值", en="configurable default"),
    "campaign override": Text(zh="专项覆盖值", en="campaign override"),
}

_TASK = re.compile(r"^T(\d+)$")


def task_sort_key(task: str) -> tuple[int, str]:
    """T2 before T10: the notice's numbering, not string order."""
    match = _TASK.match(task)
    return (int(match.group(1)), task) if match else (10**6, task)


def result_sort_key(result: Result) -> tuple[Any, ...]:
    """A total, run-independent order so outputs do not depend on executor scheduling."""
    return (
        task_sort_key(result.task),
        result.check_id,
        result.subject.key,
        STATUS_ORDER.index(result.status),
        result.fingerprint,
        result.location or "",
    )


def sorted_results(results: Iterable[Result]) -> list[Result]:
    """`results` in the stable output order."""
    return sorted(results, key=result_sort_key)


def param_label(label: str, lang: Lang = "zh") -> str:
    """The zh/en name of a param basis label ('official', 'configurable default', ...)."""
    text = _PARAM_LABELS.get(label)
    return text.get(lang) if text else label


def describe_params(params: Mapping[str, Mapping[str, Any]], lang: Lang = "zh") -> str:
    """One line per result: ``id=value unit（label）; ...`` so a reader sees which numbers are official."""
    parts: list[str] = []
    for param_id in sorted(params):
        spec = params[param_id]
        value = spec.get("value")
        unit = spec.get("unit")
        shown = f"{param_id}={value}" + (f" {unit}" if unit else "")
        label = spec.get("label")
        if isinstance(label, str) and label:
            shown += f"（{param_label(label, lang)}）" if lang == "zh" else f" ({param_label(label, lang)})"
        parts.append(shown)
    return "; ".join(parts)
