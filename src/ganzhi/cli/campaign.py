"""`ganzhi campaign`: create campaigns, add rounds, compute assignments, show them. 专项行动。"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from ganzhi.cli._common import FORMAT_HELP, OUTPUT_HELP, OutputFormat, check_format, console, fail, open_store
from ganzhi.cli._report import SHEET_FORMATS, emit_sheets
from ganzhi.errors import GanzhiError
from ganzhi.supervision.models import RoundKind

app = typer.Typer(help="专项行动与轮次 / supervision campaigns and their rounds.", no_args_is_help=True)


def _read_overrides(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise GanzhiError(f"{path}: cannot read overrides: {exc}") from None
    params = data.get("params", {}) if isinstance(data, dict) else None
    if not isinstance(params, dict):
        raise GanzhiError(f"{path}: expected a mapping with 'params: {{requirement id: {{param: value}}}}'")
    return params


@app.command("create")
def create(
    campaign_id: Annotated[str, typer.Argument(help="专项行动编号 / slug, e.g. campaign-2022q1")],
    name: Annotated[str, typer.Option(help="专项行动名称（中文）/ campaign name (in Chinese)")],
    starts: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="开始日期 / start date")],
    ends: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="结束日期 / end date")],
    task: Annotated[
        list[str] | None,
        typer.Option("--task", "-t", help="任务编号（可重复；默认全部）/ task id (repeat); default all"),
    ] = None,
    overrides: Annotated[
        Path | None, typer.Option(help="参数覆盖文件 / YAML with a `params:` section of overrides")
    ] = None,
    key_list: Annotated[
        list[str] | None,
        typer.Option("--key-list", help="重点企业名单编号，限定其任务范围 / key list id scoping its tasks"),
    ] = None,
    description: Annotated[str | None, typer.Option(help="说明 / description")] = None,
) -> None:
    """创建专项行动并向企业分配任务 / create a campaign and assign tasks to enterprises.

    参数覆盖按目录校验 / overrides are validated against the catalog.
    """
    from ganzhi.catalog.loader import default_catalog
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.campaigns import assignments, new_campaign

    catalog = default_catalog()
    try:
        campaign = new_campaign(
            catalog,
            campaign_id=campaign_id,
            name=name,
            starts=starts.date(),
            ends=ends.date(),
            tasks=task,
            overrides=_read_overrides(overrides),
            key_lists=key_list or [],
            description=description,
            source=str(overrides or "campaign"),
        )
        with session_scope(open_store()) as session:
            srepo.save_campaign(session, campaign)
            made = assignments(catalog, campaign, srepo.list_enterprises(session), srepo.list_key_lists(session))
            srepo.replace_assignments(session, campaign.id, made)
    except (GanzhiError, KeyError, ValueError) as exc:
        raise fail(exc) from None
    console.print(f"campaign {campaign.id}: {len(campaign.tasks)} tasks, {len(made)} assignments")


@app.command("assign")
def assign(campaign_id: Annotated[str, typer.Argument(help="专项行动编号 / campaign id")]) -> None:
    """重算任务分配 / recompute a campaign's assignments from the enterprises and key lists stored now."""
    from ganzhi.catalog.loader import default_catalog
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.campaigns import assignments

    try:
        with session_scope(open_store()) as session:
            campaign = srepo.require_campaign(session, campaign_id)
            made = assignments(
                default_catalog(), campaign, srepo.list_enterprises(session), srepo.list_key_lists(session)
            )
            srepo.replace_assignments(session, campaign_id, made)
    except (GanzhiError, KeyError) as exc:
        raise fail(exc) from None
    console.print(f"campaign {campaign_id}: {len(made)} assignments")


@app.command("add-round")
def add_round(
    campaign_id: Annotated[str, typer.Argument(help="专项行动编号 / campaign id")],
    name: Annotated[str, typer.Option(help="轮次名称 / round name")],
    starts: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="开始日期 / start date")],
    ends: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="结束日期 / end date")] = None,
    kind: Annotated[RoundKind, typer.Option(help="轮次类型 / round kind")] = RoundKind.INSPECTION,
) -> None:
    """为专项行动追加下一轮 / append the next numbered round to a campaign."""
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope

    try:
        with session_scope(open_store()) as session:
            made = srepo.add_round(
                session, campaign_id, name=name, starts=starts.date(), ends=ends.date() if ends else None, kind=kind
            )
    except (GanzhiError, ValueError) as exc:
        raise fail(exc) from None
    console.print(f"round {made.key} ({made.kind.value}) added")


@app.command("list")
def list_campaigns(
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """专项行动列表，最新在前 / campaigns, newest first."""
    check_format(fmt, SHEET_FORMATS, command="campaign list", output=out)
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope

    with session_scope(open_store()) as session:
        rows = [
            (
                c.id,
                c.name,
                c.starts.isoformat(),
                c.ends.isoformat(),
                " ".join(c.tasks),
                len(srepo.list_rounds(session, c.id)),
            )
            for c in srepo.list_campaigns(session)
        ]
    header = ("编号 id", "名称 name", "开始 starts", "结束 ends", "任务 tasks", "轮次 rounds")
    emit_sheets([Sheet("campaigns", header, rows)], fmt, out)


@app.command("show")
def show(
    campaign_id: Annotated[str, typer.Argument(help="专项行动编号 / campaign id")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """专项行动：设置、轮次与运行、分配 / a campaign: its settings, rounds with attached runs, and assignments."""
    check_format(fmt, SHEET_FORMATS, command="campaign show", output=out)
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope

    try:
        with session_scope(open_store()) as session:
            c = srepo.require_campaign(session, campaign_id)
            rounds = srepo.list_rounds(session, campaign_id)
            assigned = srepo.get_assignments(session, campaign_id)
    except GanzhiError as exc:
        raise fail(exc) from None
    overrides = "; ".join(f"{req}.{p}={v}" for req, ps in sorted(c.overrides.items()) for p, v in sorted(ps.items()))
    info = Sheet(
        "campaign",
        ("字段 field", "值 value"),
        [
            ("id", c.id),
            ("name", c.name),
            ("window", f"{c.starts} … {c.ends}"),
            ("tasks", " ".join(c.tasks)),
            ("key_lists", " ".join(c.key_lists)),
            ("overrides", overrides),
            ("description", c.description or ""),
        ],
    )
    rounds_sheet = Sheet(
        "rounds",
        ("轮次 round", "名称 name", "类型 kind", "开始 starts", "结束 ends", "运行 runs"),
        [
            (
                r.key,
                r.name,
                r.kind.value,
                r.starts.isoformat(),
                r.ends.isoformat() if r.ends else "",
                " ".join(r.run_ids),
            )
            for r in rounds
        ],
    )
    assign_sheet = Sheet(
        "assignments",
        ("企业 enterprise", "任务 task", "依据 basis", "名单 list"),
        [(a.enterprise_id, a.task, a.basis.value, a.list_id or "") for a in assigned],
    )
    emit_sheets([info, rounds_sheet, assign_sheet], fmt, out, {"campaign": campaign_id})
