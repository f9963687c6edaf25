"""What a page shows instead of raw ids, enum names and UTC timestamps.

Every template gets one `Labels` object (`L`) for its language: issue states, severities, result
statuses, run states and roles as words from `ganzhi.outputs.labels` and the catalog, task and check
titles from the catalog, and times in Beijing time (the notices' dates are Beijing dates too, so a
page and the PDF of the same 通报 agree).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from ganzhi.catalog.loader import default_catalog
from ganzhi.evidence.status import Severity, Status
from ganzhi.findings.models import IssueState
from ganzhi.i18n import Text
from ganzhi.outputs.labels import ISSUE_STATE_LABELS, SEVERITY_LABELS, STATUS_LABELS, task_sort_key

BEIJING = ZoneInfo("Asia/Shanghai")

ROLE_LABELS: Mapping[str, Text] = {
    "regulator_admin": Text(zh="监管管理员", en="regulator (admin)"),
    "regulator_inspector": Text(zh="监管检查员", en="regulator (inspector)"),
    "enterprise": Text(zh="企业用户", en="enterprise"),
    "app_store": Text(zh="应用商店", en="app store"),
    "public": Text(zh="公众", en="public"),
}

RUN_STATUS_LABELS: Mapping[str, Text] = {
    "running": Text(zh="进行中", en="running"),
    "finished": Text(zh="已完成", en="finished"),
    "failed": Text(zh="失败", en="failed"),
    "cancelled": Text(zh="已取消", en="cancelled"),
}

SUBMISSION_LABELS: Mapping[str, Text] = {
    "queued": Text(zh="排队中", en="queued"),
    "running": Text(zh="检测中", en="scanning"),
    "done": Text(zh="已完成", en="done"),
    "error": Text(zh="检测出错", en="error"),
    "block": Text(zh="不予上架", en="block"),
    "review": Text(zh="人工复核", en="review"),
    "pass": Text(zh="通过", en="pass"),
}

ENTERPRISE_TYPE_LABELS: Mapping[str, Text] = {
    "basic_telecom_operator": Text(zh="基础电信企业", en="basic telecom operator"),
    "internet_company": Text(zh="互联网企业", en="internet company"),
    "cloud_drive_provider": Text(zh="网盘服务企业", en="cloud-drive provider"),
    "app_store": Text(zh="应用分发平台", en="app store"),
}

#: Keys of audit-log details, as words.
DETAIL_LABELS: Mapping[str, Text] = {
    "to": Text(zh="新状态", en="to"),
    "reason": Text(zh="理由", en="reason"),
    "hash": Text(zh="存证摘要", en="hash"),
    "numbering": Text(zh="批次", en="batch"),
    "rows": Text(zh="行数", en="rows"),
    "filename": Text(zh="文件", en="file"),
    "name": Text(zh="名称", en="name"),
    "size": Text(zh="大小", en="size"),
    "note": Text(zh="说明", en="note"),
    "sha256": Text(zh="摘要", en="sha256"),
    "enterprise_id": Text(zh="企业", en="enterprise"),
    "held_on": Text(zh="日期", en="date"),
    "commitments": Text(zh="承诺", en="commitments"),
    "task": Text(zh="任务", en="task"),
    "imported": Text(zh="导入", en="imported"),
    "duplicates": Text(zh="重复", en="duplicates"),
    "bad_rows": Text(zh="错误行", en="bad rows"),
    "provinces": Text(zh="省份", en="provinces"),
    "must_change": Text(zh="须修改密码", en="must change"),
    "tasks": Text(zh="任务", en="tasks"),
}

#: Audit-log actions, as words (an action not listed prints as recorded).
ACTION_LABELS: Mapping[str, Text] = {
    "campaign.create": Text(zh="创建专项行动", en="campaign created"),
    "publication.draft": Text(zh="起草通报", en="notice drafted"),
    "publication.approve": Text(zh="审核发布", en="notice approved"),
    "issue.transition": Text(zh="问题流转", en="issue moved"),
    "issue.evidence": Text(zh="提交整改材料", en="rectification evidence"),
    "interview.record": Text(zh="记录约谈", en="interview recorded"),
    "practice.record": Text(zh="记录典型案例", en="practice recorded"),
    "practice.approve": Text(zh="审核典型案例", en="practice approved"),
    "complaints.import": Text(zh="导入投诉", en="complaints imported"),
}

#: Run statistics shown on run lists, in this order (result statuses, then issue movements).
RUN_COUNTS: tuple[tuple[str, Text], ...] = (
    ("subjects", Text(zh="对象", en="subjects")),
    ("FAIL", Text(zh="不通过", en="fail")),
    ("WARN", Text(zh="警告", en="warn")),
    ("PASS", Text(zh="通过", en="pass")),
    ("new", Text(zh="新增问题", en="new issues")),
    ("persisting", Text(zh="仍存在", en="persisting")),
    ("fixed", Text(zh="已整改", en="fixed")),
    ("reopened", Text(zh="重新打开", en="reopened")),
)


@cache
def task_titles() -> dict[str, Text]:
    """Task id → its title in the 524 notice, from the catalog."""
    return {t.id: t.title for t in default_catalog().tasks}


@cache
def check_titles() -> dict[str, Text]:
    """Check id → the title of the first requirement that names it (the catalog's words, never the id)."""
    found: dict[str, Text] = {}
    for task in default_catalog().tasks:
        for requirement in task.requirements:
            for check_id in (*requirement.checks, *requirement.planned_checks):
                found.setdefault(check_id, requirement.title)
    return found


def task_ids() -> list[str]:
    """Every task id of the catalog, in the notice's order."""
    return sorted(task_titles(), key=task_sort_key)


def beijing(at: dt.datetime) -> dt.datetime:
    """An aware (or UTC-naive) timestamp in Beijing time."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)).astimezone(BEIJING)


def beijing_today() -> dt.date:
    """Today's date in Beijing: deadlines and overdue counts are Beijing dates."""
    return dt.datetime.now(BEIJING).date()


@dataclass(frozen=True, slots=True)
class Labels:
    """Label look-ups for one language; templates call it as `L`."""

    lang: str

    def text(self, value: Text | Mapping[str, Any] | None) -> str:
        if value is None:
            return ""
        if isinstance(value, Mapping):
            zh, en = str(value.get("zh") or ""), value.get("en")
        else:
            zh, en = value.zh, value.en
        return str(en) if self.lang == "en" and en else zh

    def _pick(self, table: Mapping[Any, Text], key: Any) -> str:
        found = table.get(key)
        return self.text(found) if found is not None else str(key)

    def state(self, value: IssueState | str) -> str:
        state = value if isinstance(value, IssueState) else IssueState.__members__.get(str(value))
        return self._pick(ISSUE_STATE_LABELS, state) if state is not None else str(value)

    def severity(self, value: Severity | str) -> str:
        try:
            return self._pick(SEVERITY_LABELS, Severity(value))
        except ValueError:
            return str(value)

    def status(self, value: Status | str) -> str:
        try:
            return self._pick(STATUS_LABELS, Status(value))
        except ValueError:
            return str(value)

    def role(self, value: Any) -> str:
        return self._pick(ROLE_LABELS, getattr(value, "value", value))

    def actor(self, actor: str) -> str:
        """`regulator_admin:admin@x` (how transitions and the audit log name people) as `admin（监管管理员）`."""
        role, sep, rest = actor.partition(":")
        if not sep or role not in ROLE_LABELS:
            return actor
        return f"{rest}（{self.role(role)}）" if self.lang == "zh" else f"{rest} ({self.role(role)})"

    def detail(self, key: str) -> str:
        return self._pick(DETAIL_LABELS, key)

    def action(self, action: str) -> str:
        """An audit action as words (as recorded when it has no label)."""
        return self._pick(ACTION_LABELS, action)

    def run_status(self, value: Any) -> str:
        return self._pick(RUN_STATUS_LABELS, getattr(value, "value", value))

    def submission(self, value: Any) -> str:
        return self._pick(SUBMISSION_LABELS, getattr(value, "value", value))

    def enterprise_type(self, value: Any) -> str:
        return self._pick(ENTERPRISE_TYPE_LABELS, getattr(value, "value", value))

    def task(self, task_id: str) -> str:
        """`T9 携号转网…`: the id (regulators speak of tasks by number) and its catalog title."""
        title = task_titles().get(task_id)
        return f"{task_id} {self.text(title)}" if title is not None else task_id

    def check(self, check_id: str) -> str:
        title = check_titles().get(check_id)
        return self.text(title) if title is not None else check_id

    def run_counts(self, stats: Mapping[str, Any]) -> str:
        """A run's statistics as words: `对象 3 · 不通过 3 · 新增问题 3` (zero counts left out)."""
        parts = [f"{self.text(label)} {stats[key]}" for key, label in RUN_COUNTS if stats.get(key)]
        return " · ".join(parts)

    def time(self, at: dt.datetime | str | None) -> str:
        """`2026-12-07 19:13` in Beijing time (the page says so once, in its footer); ISO text is parsed."""
        if isinstance(at, str):
            try:
                parsed = dt.datetime.fromisoformat(at)
            except ValueError:
                return at
            return beijing(parsed).strftime("%Y-%m-%d %H:%M")
        return beijing(at).strftime("%Y-%m-%d %H:%M") if at is not None else ""

    def date(self, at: dt.datetime | dt.date | None) -> str:
        if at is None:
            return ""
        if isinstance(at, dt.datetime):
            return beijing(at).date().isoformat()
        return at.isoformat()
