"""`ganzhi halls check|nearest`: port-out hall registry checks (T9) and the nearest-hall search.

Each input file's line `接受 N 行，拒绝 M 行，警告 K 条 / accepted N, rejected M, warnings K` goes to stderr.
Exit codes of `check`: 0 checked; 1 a file cannot be read at all or an option is invalid; 2 checked, but
rows were rejected (errors). Warnings alone (a published entry of unknown operator) never exit 2.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ganzhi.cli._common import (
    FORMAT_HELP,
    OUTPUT_HELP,
    OutputFormat,
    check_format,
    console,
    err_console,
    fail,
    progress_bar,
    write_bytes,
)
from ganzhi.errors import GanzhiError

if TYPE_CHECKING:
    from ganzhi.outputs.sheets import Sheet

app = typer.Typer(help="携出营业厅 / port-out halls (T9).", no_args_is_help=True, pretty_exceptions_enable=False)


class Supports(StrEnum):
    """Filter of `halls nearest`."""

    any = "any"
    port_out = "port-out"
    port_in = "port-in"


@app.callback()
def halls() -> None:
    """携出营业厅 / port-out halls (T9)."""


def _xlsx_sheets(results: list[Any], errors: list[dict[str, Any]]) -> list[Sheet]:
    """Results and rejected rows as two sheets (written by the one formula-safe xlsx writer)."""
    from ganzhi.outputs.sheets import Sheet

    rows = [
        (r.check_id, r.subject.key, r.status.value, r.message.zh, json.dumps(r.data, ensure_ascii=False)[:32000])
        for r in results
    ]
    rejected = [(e["source"], e["row"], e["field"], e["error"]) for e in errors]
    return [
        Sheet("结果 results", ("检查项 check", "对象 subject", "状态 status", "说明 message", "数据 data"), rows),
        Sheet("错误行 rejected rows", ("文件 file", "行 row", "字段 field", "错误 error"), rejected),
    ]


@app.command("check")
def check(
    *,
    registry: Annotated[Path, typer.Option("--registry", "-r", help="营业厅登记表 / hall registry (xlsx, csv, json)")],
    published: Annotated[Path | None, typer.Option("--published", "-p", help="公示名单 / published list")] = None,
    services: Annotated[
        list[Path] | None,
        typer.Option(
            "--services",
            help="携入网上办理/异地退费声明与测试 / online port-in and remote-refund statements and tests (JSON)",
        ),
    ] = None,
    mystery: Annotated[
        list[Path] | None, typer.Option("--mystery", help="暗访记录 JSON / mystery-shopper records")
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="输出格式 / output format: table | json | xlsx")
    ] = OutputFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """检查携出营业厅数量、公示、布局及服务 / check port-out halls, their list, layout and services."""
    from ganzhi.cli._counts import has_errors, print_counts
    from ganzhi.cli._report import emit_results
    from ganzhi.collect.halls.evidence import collect_halls
    from ganzhi.engine.runner import evaluate
    from ganzhi.outputs.sheets import to_xlsx
    from ganzhi.rules.regions.divisions import default_divisions

    check_format(fmt, (OutputFormat.table, OutputFormat.json, OutputFormat.xlsx), command="halls check", output=output)
    for path in [registry, published, *(services or []), *(mystery or [])]:
        if path is not None and not path.is_file():
            raise fail(f"{path}: file not found (or not a regular file)")
    try:
        with progress_bar("读取并评估 / reading and evaluating", None):
            collected = collect_halls(
                default_divisions(), registry, published=published, services=services or [], mystery=mystery or []
            )
            outcome = evaluate(collected.evidence, tasks=("T9",))  # hall and service evidence: the T9 hall checks
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    errors = [e.to_json() for e in collected.errors]
    for error in collected.errors[:20]:
        err_console.print(str(error), markup=False, highlight=False, soft_wrap=True)
    for counts in collected.files:
        print_counts(counts.source, counts.accepted, counts.rejected, counts.warnings)
    placed = collected.registry.placed_at_centroid if collected.registry else 0
    rejected = sum(counts.rejected for counts in collected.files)
    err_console.print(
        f"营业厅 {len(collected.registry.halls) if collected.registry else 0} 家，"
        f"其中 {placed} 家无坐标、按区县中心点定位；"
        f"拒绝 {rejected} 行 / halls placed at county centroids: {placed}; rejected rows: {rejected}",
        markup=False,
        highlight=False,
    )
    if fmt is OutputFormat.xlsx and output is not None:
        write_bytes(output, to_xlsx(_xlsx_sheets(outcome.results, errors)))
    else:
        meta = {"rejected_rows": errors, "placed_at_centroid": placed}
        emit_results(outcome.results, fmt, output, meta=meta)
    if has_errors(collected.errors):  # rejected rows; warnings alone never fail the command
        raise typer.Exit(code=2)


@app.command("nearest")
def nearest(
    *,
    registry: Annotated[Path, typer.Option("--registry", "-r", help="营业厅登记表 / hall registry")],
    lat: Annotated[float, typer.Option("--lat", help="纬度 / latitude (WGS-84)")],
    lon: Annotated[float, typer.Option("--lon", help="经度 / longitude (WGS-84)")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="返回营业厅数 / how many halls")] = 3,
    supports: Annotated[
        Supports, typer.Option("--supports", help="营业厅须支持的业务 / service the hall must support")
    ] = Supports.port_out,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
) -> None:
    """最近的营业厅 / the k nearest halls (haversine, grid index)."""
    from rich.table import Table

    from ganzhi.cli._counts import print_counts
    from ganzhi.collect.halls.importers import import_halls
    from ganzhi.collect.halls.spatial import NearestIndex
    from ganzhi.rules.regions.divisions import default_divisions
    from ganzhi.rules.regions.geo import coordinate_problem

    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="halls nearest")
    problem = coordinate_problem(lat, lon)
    if problem:
        raise fail(f"--lat/--lon: {problem}")
    if not registry.is_file():
        raise fail(f"{registry}: file not found (or not a regular file)")
    try:
        imported = import_halls(registry, default_divisions())
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    print_counts(imported.source, imported.accepted, imported.rejected, 0)
    halls = [
        h
        for h in imported.halls
        if supports is Supports.any or (h.port_out if supports is Supports.port_out else h.port_in)
    ]
    found = NearestIndex([(h.lat, h.lon, h) for h in halls]).nearest(lat, lon, k)
    rows = [
        {
            "id": n.item.id,
            "operator": n.item.operator,
            "name": n.item.name,
            "address": n.item.address,
            "km": round(n.km, 3),
            "lat": n.item.lat,
            "lon": n.item.lon,
            "location_source": n.item.location_source,
        }
        for n in found
    ]
    if fmt is OutputFormat.json:
        console.out(
            json.dumps(
                {
                    "query": {"lat": lat, "lon": lon, "k": k, "supports": supports.value},
                    "halls": rows,
                    "rejected_rows": len(imported.errors),
                },
                ensure_ascii=False,
                indent=2,
            ),
            highlight=False,
        )
        return
    table = Table(title=f"最近的营业厅 / nearest halls ({lat}, {lon})")
    for column in ("id", "operator", "name", "km", "location_source"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c]) for c in ("id", "operator", "name", "km", "location_source")))
    console.print(table)
