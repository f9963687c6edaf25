"""`ganzhi hotline analyze-ivr|check|dial|serve-ivr`: customer-service hotlines (T10).

`check` prints each input file's line `接受 N 行，拒绝 M 行，警告 K 条 / accepted N, rejected M, warnings K`
to stderr; it exits 0 when checked, 1 when a file cannot be read at all, 2 when checked but rows were
rejected (errors). Warnings alone (a number read from a cell with hours after it) never exit 2.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

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
)
from ganzhi.cli._report import RESULT_FORMATS
from ganzhi.errors import GanzhiError

app = typer.Typer(
    help="客服热线 / customer-service hotlines (T10).", no_args_is_help=True, pretty_exceptions_enable=False
)


@app.callback()
def hotline() -> None:
    """客服热线 / customer-service hotlines (T10)."""


@app.command("analyze-ivr")
def analyze_ivr(
    menu: Annotated[Path, typer.Argument(help="语音菜单 YAML/JSON / IVR menu tree")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
) -> None:
    """分析语音菜单：能否转人工、最少层级与时间、循环和死路 / analyze an IVR tree."""
    from ganzhi.collect.hotline.ivr import analysis_json, analyze, load_menu

    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="hotline analyze-ivr")

    try:
        result = analysis_json(analyze(load_menu(menu)))
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    if fmt is OutputFormat.json:
        console.out(json.dumps(result, ensure_ascii=False), highlight=False)
    else:
        for key, value in result.items():
            console.print(f"{key}: {value}", markup=False, highlight=False)
    if not result["human_reachable"]:
        raise typer.Exit(code=3)


@app.command("check")
def check(
    *,
    registry: Annotated[Path, typer.Option("--registry", "-r", help="热线登记表 / hotline registry")],
    dial_tests: Annotated[Path | None, typer.Option("--dial-tests", "-d", help="拨测记录 / dial-test records")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """检查热线可找到、人工可达、转人工时间、菜单层级、老年直连 / check hotlines."""
    from ganzhi.cli._counts import has_errors, print_counts
    from ganzhi.cli._report import emit_results
    from ganzhi.collect.hotline.importers import add_dial_tests, import_registry
    from ganzhi.engine.runner import evaluate

    for path in (registry, dial_tests):
        if path is not None and not path.is_file():
            raise fail(f"{path}: file not found (or not a regular file)")
    check_format(fmt, RESULT_FORMATS, command="hotline check", output=output)
    try:
        with progress_bar("读取并评估 / reading and evaluating", None):
            imported = import_registry(registry)
            if dial_tests is not None:
                add_dial_tests(dial_tests, imported)
            evidence = [item for items in imported.evidence.values() for item in items]
            outcome = evaluate(evidence, tasks=("T10",))
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    for error in imported.errors[:20]:
        err_console.print(str(error), markup=False, highlight=False, soft_wrap=True)
    for counts in imported.files:
        print_counts(counts.source, counts.accepted, counts.rejected, counts.warnings)
    emit_results(outcome.results, fmt, output, meta={"rejected_rows": [e.to_json() for e in imported.errors]})
    if has_errors(imported.errors):  # rejected rows; warnings alone never fail the command
        raise typer.Exit(code=2)


@app.command("dial")
def dial(
    target: Annotated[str, typer.Argument(help="拨测目标 / target: sip:NUMBER@HOST[:PORT]")],
    dtmf: Annotated[str, typer.Option("--dtmf", help="按键序列，','为停顿 / keys to press, ',' pauses")] = "",
    mode: Annotated[str, typer.Option("--dtmf-mode", help="按键方式 / DTMF mode: info | rfc4733 | both")] = "info",
    digit_gap: Annotated[
        float, typer.Option("--digit-gap", min=0, max=60, help="按键间隔秒 / seconds between keys")
    ] = 1.0,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, max=120, help="事务超时（SIP）/ transaction timeout (s)")
    ] = 5.0,
    wait_human: Annotated[
        float, typer.Option("--wait-human", min=0, max=600, help="等待人工秒数 / seconds to wait for a human")
    ] = 60.0,
    local_host: Annotated[str, typer.Option("--local-host", help="本机地址 / local address")] = "127.0.0.1",
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
) -> None:
    """拨测（SIP）：INVITE/ACK/BYE，DTMF，计时接通与转人工 / place a SIP test call."""
    from ganzhi.collect.hotline.sip_dialer import SipDialer
    from ganzhi.collect.hotline.sip_message import parse_uri

    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="hotline dial")

    try:
        uri = parse_uri(target)
    except ValueError as exc:
        raise fail(f"TARGET: {exc}") from None
    if mode not in ("info", "rfc4733", "both"):
        raise fail(f"--dtmf-mode: expected info, rfc4733 or both (got {mode!r})")
    bad = sorted({k for k in dtmf if k not in "0123456789*#,"})
    if bad:
        raise fail(f"--dtmf: expected keys 0-9, *, # and ',' (got {bad})")
    try:
        dialer = SipDialer(uri, local_host=local_host, timeout=timeout)
    except OSError as exc:
        raise fail(f"--local-host {local_host}: {exc.strerror or exc}") from None
    report = dialer.dial(dtmf, mode=mode, digit_gap=digit_gap, wait_human=wait_human)  # type: ignore[arg-type]
    data = report.to_json()
    if fmt is OutputFormat.json:
        console.out(json.dumps(data, ensure_ascii=False), highlight=False)
    else:
        for key, value in data.items():
            console.print(f"{key}: {value}", markup=False, highlight=False)
    if report.status in {"unreachable", "timeout", "error"}:
        raise typer.Exit(code=2)


@app.command("serve-ivr")
def serve_ivr(
    menu: Annotated[Path, typer.Argument(help="语音菜单 YAML/JSON / IVR menu tree")],
    host: Annotated[str, typer.Option("--host", help="监听地址 / bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="端口 / port")] = 5060,
    time_scale: Annotated[
        float,
        typer.Option(
            "--time-scale",
            min=0.001,
            max=100,
            help="时间缩放，小于1缩短提示与等待 / time scale: below 1 shrinks every prompt and wait",
        ),
    ] = 1.0,
    seconds: Annotated[
        float, typer.Option("--seconds", min=0, help="运行秒数，0为直到中断 / run time, 0 = until Ctrl-C")
    ] = 0.0,
) -> None:
    """在本机运行播放语音菜单的 SIP 应答端（测试用）/ run the loopback IVR responder."""
    from ganzhi.collect.hotline.ivr import load_menu
    from ganzhi.collect.hotline.sip_responder import IvrResponder

    try:
        responder = IvrResponder(load_menu(menu), host, port, time_scale=time_scale)
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{host}:{port}: {exc.strerror or exc}") from None
    err_console.print(f"IVR responder on sip:ivr@{host}:{responder.port}", markup=False, highlight=False)
    with responder:
        try:
            deadline = time.monotonic() + seconds if seconds else None
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.1)
        except KeyboardInterrupt:
            pass
