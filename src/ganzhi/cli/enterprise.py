"""`ganzhi enterprise`: register enterprises (统一社会信用代码 checked), key lists, and deadline reminders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from ganzhi.catalog.schema import EnterpriseType
from ganzhi.cli._common import (
    FORMAT_HELP,
    OUTPUT_HELP,
    OutputFormat,
    check_format,
    console,
    err_console,
    fail,
    open_store,
)
from ganzhi.cli._report import SHEET_FORMATS, emit_sheets
from ganzhi.errors import GanzhiError
from ganzhi.supervision.models import Enterprise

app = typer.Typer(help="监管企业 / enterprises under supervision.", no_args_is_help=True)


@app.command("add")
def add(
    enterprise_id: Annotated[str, typer.Argument(help="企业编号 / slug, e.g. demo-video")],
    name: Annotated[str, typer.Option(help="企业名称 / enterprise name")],
    uscc: Annotated[
        str, typer.Option(help="统一社会信用代码 / unified social credit code (18 characters, check digits verified)")
    ],
    type_: Annotated[EnterpriseType, typer.Option("--type", help="企业类型 / enterprise type")],
    province: Annotated[str | None, typer.Option(help="省份 / province")] = None,
    subject: Annotated[
        list[str] | None,
        typer.Option("--subject", help="监管主体（可重复）/ [role:]type:id, e.g. app:com.x or distributes:app:com.y"),
    ] = None,
) -> None:
    """添加或替换一家企业 / add or replace one enterprise."""
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.registry_io import parse_subjects

    try:
        enterprise = Enterprise(
            id=enterprise_id,
            name=name,
            uscc=uscc,
            type=type_,
            province=province,
            subjects=[link for item in subject or [] for link in parse_subjects(item)],
        )
        with session_scope(open_store()) as session:
            created = srepo.upsert_enterprise(session, enterprise)
    except (ValidationError, ValueError, GanzhiError) as exc:
        raise fail(exc) from None
    console.print(f"enterprise {enterprise.id} {'added' if created else 'updated'} ({enterprise.uscc})")


@app.command("import")
def import_(
    path: Annotated[
        Path | None, typer.Argument(help="企业文件（使用 --demo 时省略）/ CSV or YAML file; omit with --demo")
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="导入虚构的演示企业与重点企业名单 / import the fictional demo enterprises and key lists"
        ),
    ] = False,
    key_lists: Annotated[
        Path | None, typer.Option("--key-lists", help="重点企业名单 / YAML of key-enterprise lists")
    ] = None,
) -> None:
    """导入企业与重点企业名单 / import enterprises (bad rows are reported and skipped) and key lists."""
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.registry_io import DEMO_ENTERPRISES, DEMO_KEY_LISTS, read_enterprises, read_key_lists

    source = DEMO_ENTERPRISES if demo and path is None else path
    lists_file = DEMO_KEY_LISTS if demo and key_lists is None else key_lists
    if source is None and lists_file is None:
        raise typer.BadParameter("give a FILE, --key-lists FILE or --demo")
    try:
        loaded = read_enterprises(source) if source is not None else None
        lists = read_key_lists(lists_file) if lists_file is not None else []
        added = updated = 0
        with session_scope(open_store()) as session:
            for enterprise in loaded.enterprises if loaded else []:
                if srepo.upsert_enterprise(session, enterprise):
                    added += 1
                else:
                    updated += 1
            for item in lists:
                srepo.save_key_list(session, item)
    except GanzhiError as exc:
        raise fail(exc) from None
    for error in loaded.errors if loaded else []:
        err_console.print(f"[yellow]skipped[/yellow] {error}")
    rejected = len(loaded.errors) if loaded else 0
    console.print(f"enterprises: {added} added, {updated} updated, {rejected} rows rejected; key lists: {len(lists)}")
    if rejected:
        raise typer.Exit(2)


@app.command("list")
def list_(
    type_: Annotated[
        EnterpriseType | None, typer.Option("--type", help="只看此类企业 / only this enterprise type")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """已登记的企业 / registered enterprises."""
    check_format(fmt, SHEET_FORMATS, command="enterprise list", output=out)
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope

    with session_scope(open_store()) as session:
        found = srepo.list_enterprises(session, type=type_)
    rows = [(e.id, e.name, e.uscc, e.type.value, e.province or "", len(e.subjects)) for e in found]
    header = ("编号 id", "名称 name", "统一社会信用代码 uscc", "类型 type", "省份 province", "主体 subjects")
    emit_sheets([Sheet("enterprises", header, rows)], fmt, out)


@app.command("show")
def show(
    key: Annotated[str, typer.Argument(help="企业编号或统一社会信用代码 / enterprise id or USCC")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """一家企业及其主体与问题 / one enterprise, its subjects and its issues."""
    check_format(fmt, SHEET_FORMATS, command="enterprise show", output=out)
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.store import repositories as repo
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.ownership import Ownership

    with session_scope(open_store()) as session:
        found = srepo.get_enterprise(session, key)
        if found is None:
            raise fail(GanzhiError(f"no enterprise with id or USCC {key!r}"))
        ownership = Ownership.build([found])
        issues = [i for i in repo.get_issues(session) if ownership.operator_of(i.subject) == found.id]
    info = Sheet(
        "enterprise",
        ("字段 field", "值 value"),
        [
            ("id", found.id),
            ("name", found.name),
            ("uscc", found.uscc),
            ("type", found.type.value),
            ("province", found.province or ""),
        ],
    )
    subjects = Sheet(
        "subjects",
        ("主体 subject", "角色 role", "名称 name"),
        [(s.key, s.role.value, s.name or "") for s in found.subjects],
    )
    issue_sheet = Sheet(
        "issues",
        ("指纹 fingerprint", "任务 task", "检查 check", "状态 state", "严重程度 severity", "期限 deadline"),
        [
            (
                i.fingerprint[:16],
                i.task,
                i.check_id,
                i.state.value,
                i.severity.value,
                i.deadline.isoformat() if i.deadline else "",
            )
            for i in issues
        ],
    )
    emit_sheets([info, subjects, issue_sheet], fmt, out, {"enterprise": found.id})


@app.command("reminders")
def reminders_(
    within: Annotated[int, typer.Option(help="提前的工作日数 / working days ahead", min=0, max=60)] = 2,
    today: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="基准日期（默认今天，UTC）/ default: today (UTC)")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """整改到期提醒：按企业列出已逾期或 N 个工作日内到期的问题 / per enterprise: active issues overdue or due within
    N working days.

    按中国节假日日历计算工作日 / working days follow the Chinese holiday calendar.
    """
    check_format(fmt, SHEET_FORMATS, command="enterprise reminders", output=out)
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.store import repositories as repo
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.ownership import Ownership
    from ganzhi.supervision.reminders import reminders

    day = today.date() if today else dt.datetime.now(dt.UTC).date()
    with session_scope(open_store()) as session:
        ownership = Ownership.build(srepo.list_enterprises(session))
        due = reminders(repo.get_issues(session), day, within, lambda i: ownership.operator_of(i.subject))
    rows = [
        (
            enterprise,
            s.issue.fingerprint[:16],
            s.issue.task,
            s.issue.check_id,
            s.issue.severity.value,
            s.deadline.isoformat(),
            s.working_days_left,
            "逾期 overdue" if s.overdue else "临期 due soon",
        )
        for enterprise, items in due.items()
        for s in items
    ]
    header = (
        "企业 enterprise",
        "指纹 fingerprint",
        "任务 task",
        "检查 check",
        "严重程度 severity",
        "期限 deadline",
        "剩余工作日 working_days_left",
        "状态 status",
    )
    emit_sheets([Sheet("reminders", header, rows)], fmt, out, {"today": day.isoformat(), "within_working_days": within})
