"""`ganzhi issues`: tracked issues, their audited transitions and their history."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from ganzhi.cli._common import console, fail, open_store
from ganzhi.errors import TransitionError
from ganzhi.findings.models import IssueState

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(help="问题跟踪与生命周期 / tracked issues and their lifecycle.", no_args_is_help=True)


@app.command("list")
def list_issues(
    state: Annotated[
        list[IssueState] | None, typer.Option("--state", "-s", help="按状态筛选（可重复）/ filter by state (repeat)")
    ] = None,
    task: Annotated[str | None, typer.Option("--task", "-t", help="按任务筛选 / filter by task")] = None,
    subject: Annotated[str | None, typer.Option(help="主体键 / subject key, e.g. phone_number:c7")] = None,
) -> None:
    """按状态、任务与主体筛选问题 / issues filtered by state, task and subject."""
    from rich.table import Table

    from ganzhi.store import repositories as repo
    from ganzhi.store.db import session_scope

    with session_scope(open_store()) as session:
        found = repo.get_issues(session, states=state, task=task, subject_key=subject)
    table = Table(title=f"问题 issues ({len(found)})")
    for column in ("fingerprint", "task", "check", "subject", "state", "severity", "deadline"):
        table.add_column(column)
    for issue in found:
        table.add_row(
            issue.fingerprint[:16],
            issue.task,
            issue.check_id,
            issue.subject.key,
            issue.state.value,
            issue.severity.value,
            issue.deadline.isoformat() if issue.deadline else "",
        )
    console.print(table)


def _one(session: Session, prefix: str) -> str:
    """Resolve a fingerprint, or a prefix of one as `issues list` prints it, to exactly one fingerprint."""
    from ganzhi.store import repositories as repo

    if repo.get_issues(session, fingerprints=[prefix]):
        return prefix
    matches = [i.fingerprint for i in repo.get_issues(session) if i.fingerprint.startswith(prefix)]
    if len(matches) != 1:
        raise fail(f"fingerprint prefix {prefix!r} matches {len(matches)} issues")
    return matches[0]


@app.command("move")
def move(
    fingerprint: Annotated[str, typer.Argument(help="问题指纹或其唯一前缀 / fingerprint or a unique prefix of it")],
    to: Annotated[IssueState, typer.Argument(help="目标状态 / target state")],
    actor: Annotated[str, typer.Option(help="操作人 / who makes the change")],
    reason: Annotated[str, typer.Option(help="原因（记入审计记录）/ why (kept in the audit trail)")],
    waiver_expires: Annotated[
        dt.datetime | None,
        typer.Option(help="豁免到期时间（用于 WAIVED）/ for WAIVED: when the waiver ends (ISO date/time, UTC)"),
    ] = None,
) -> None:
    """变更问题状态 / move an issue to another state; the lifecycle refuses transitions it does not allow."""
    from ganzhi.findings.lifecycle import transition
    from ganzhi.store import repositories as repo
    from ganzhi.store.db import session_scope

    expires = (
        waiver_expires.replace(tzinfo=dt.UTC) if waiver_expires and waiver_expires.tzinfo is None else waiver_expires
    )
    with session_scope(open_store()) as session:
        full = _one(session, fingerprint)
        issue = repo.get_issues(session, fingerprints=[full])[0]
        try:
            updated, record = transition(
                issue, to, actor=actor, reason=reason, at=dt.datetime.now(dt.UTC), waiver_expires=expires
            )
        except TransitionError as exc:
            raise fail(exc) from None
        repo.upsert_issues(session, [updated])
        repo.add_transitions(session, [record])
    console.print(f"{full[:16]}: {issue.state.value} → {updated.state.value}")


@app.command("history")
def history(
    fingerprint: Annotated[str, typer.Argument(help="问题指纹或其唯一前缀 / fingerprint or a unique prefix of it")],
) -> None:
    """一个问题的全部审计转换：谁、何时、为何 / every audited transition of one issue: who, when, why."""
    from rich.table import Table

    from ganzhi.store import repositories as repo
    from ganzhi.store.db import session_scope

    with session_scope(open_store()) as session:
        full = _one(session, fingerprint)
        records = repo.transitions_for(session, full)
    table = Table(title=f"history {full[:16]}")
    for column in ("at", "from", "to", "actor", "reason", "run"):
        table.add_column(column)
    for rec in records:
        table.add_row(
            rec.at.isoformat(timespec="seconds"),
            rec.from_state.value if rec.from_state else "",
            rec.to_state.value,
            rec.actor,
            rec.reason,
            rec.run_id or "",
        )
    console.print(table)


@app.command("expire-waivers")
def expire() -> None:
    """重新打开豁免已到期的问题 / reopen every waived issue whose waiver has expired."""
    from ganzhi.findings.lifecycle import expire_waivers
    from ganzhi.store import repositories as repo
    from ganzhi.store.db import session_scope

    now = dt.datetime.now(dt.UTC)
    with session_scope(open_store()) as session:
        moved = expire_waivers(repo.get_issues(session, states=[IssueState.WAIVED]), now)
        repo.upsert_issues(session, [issue for issue, _ in moved])
        repo.add_transitions(session, [record for _, record in moved])
    console.print(f"reopened {len(moved)} expired waivers")
