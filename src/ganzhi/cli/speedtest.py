"""`ganzhi speedtest serve|run`: the broadband speed-test server and client, with a diagnosis.

`run` prints the figures (table or JSON with keys download_mbps, upload_mbps, latency_ms, jitter_ms),
names the likely bottleneck from the set-up facts given, and can append the result as
`speedtest_result` evidence (JSON Lines) for `ganzhi check run` and the T2 delivered-rate check.
Exit codes: 0 done; 1 the server cannot be used or an argument is wrong.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ganzhi.cli._common import OutputFormat, check_format, console, err_console, fail

if TYPE_CHECKING:
    from ganzhi.evidence.speedtest import EnvironmentFacts, SpeedtestResult

app = typer.Typer(help="宽带测速 / broadband speed test (T2).", no_args_is_help=True, pretty_exceptions_enable=False)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="监听地址 / bind address")] = "0.0.0.0",
    port: Annotated[int, typer.Option(min=0, max=65535, help="端口（TCP与UDP）/ port (TCP and UDP)")] = 8080,
    max_tests: Annotated[int, typer.Option(min=1, help="同时进行的测速数 / concurrent tests")] = 8,
    max_streams: Annotated[int, typer.Option(min=1, help="每次测速的连接数上限 / streams per test")] = 8,
) -> None:
    """启动测速服务器（含浏览器测速页）/ run the speed-test server with its browser page at `/`."""
    from ganzhi.collect.speedtest.server import ServerLimits, SpeedtestServer

    async def main() -> None:
        server = SpeedtestServer(ServerLimits(max_tests=max_tests, max_streams_per_test=max_streams))
        bound = await server.start(host, port)
        err_console.print(f"测速服务器 / speed-test server: http://{host}:{bound}/  (Ctrl-C 停止 / to stop)")
        try:
            await server.serve_forever()
        finally:
            await server.close()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc}") from None


def _environment(**facts: Any) -> EnvironmentFacts | None:
    from ganzhi.evidence.speedtest import EnvironmentFacts

    given = {k: v for k, v in facts.items() if v is not None}
    return EnvironmentFacts.model_validate(given) if given else None


def _table(result: SpeedtestResult, findings: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title="宽带测速结果 / speed-test result")
    table.add_column("指标 / figure")
    table.add_column("值 / value", justify="right")

    def fmt(value: float | None, unit: str) -> str:
        return "–" if value is None else f"{value:.2f} {unit}"

    table.add_row("下载 / download", fmt(result.download_mbps, "Mbit/s"))
    table.add_row("上传 / upload", fmt(result.upload_mbps, "Mbit/s"))
    table.add_row("时延 / latency", fmt(result.latency_ms, "ms"))
    table.add_row("抖动 / jitter", fmt(result.jitter_ms, "ms"))
    table.add_row("丢包 / loss", "–" if result.loss_ratio is None else f"{result.loss_ratio:.1%}")
    table.add_row("稳定度 / stability", "–" if result.stability is None else f"{result.stability:.2f}")
    console.print(table)
    for finding in findings:
        console.print(f"• {finding['message']['zh']}", markup=False)
    for error in (
        result.errors
        + (result.download.errors if result.download else [])
        + (result.upload.errors if result.upload else [])
    ):
        err_console.print(f"注意 / note: {error}", markup=False)


def _min_share() -> float:
    from ganzhi.catalog.loader import default_catalog

    value = default_catalog().requirement("T2.delivered-rate").param("min_share").value
    return float(value) if isinstance(value, int | float) else 0.9


@app.command("run")
def run(
    url: Annotated[str, typer.Argument(help="测速服务器 / server, e.g. http://host:8080")],
    duration: Annotated[float, typer.Option(min=2, max=60, help="每个方向最长秒数 / max seconds per direction")] = 12,
    streams: Annotated[int, typer.Option(min=1, max=16, help="并发连接数 / parallel streams")] = 4,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="输出格式 / output format: table | json")
    ] = OutputFormat.table,
    line: Annotated[str, typer.Option(help="宽带账号或地址（证据主体）/ line id (evidence subject)")] = "adhoc",
    contract_down: Annotated[
        float | None, typer.Option(min=0.001, help="签约下行速率 / contracted downstream, Mbit/s")
    ] = None,
    contract_up: Annotated[
        float | None, typer.Option(min=0.001, help="签约上行速率 / contracted upstream, Mbit/s")
    ] = None,
    connection: Annotated[str | None, typer.Option(help="接入方式 / connection: wired | wifi")] = None,
    wifi_standard: Annotated[
        str | None, typer.Option(help="无线标准 / Wi-Fi standard: wifi4|wifi5|wifi6|wifi6e|wifi7")
    ] = None,
    wifi_band: Annotated[str | None, typer.Option(help="无线频段 / Wi-Fi band: 2.4GHz | 5GHz | 6GHz")] = None,
    wifi_rssi: Annotated[float | None, typer.Option(help="信号强度 dBm / signal dBm")] = None,
    nic_mbps: Annotated[float | None, typer.Option(help="网卡速率 / NIC link Mbit/s")] = None,
    cable: Annotated[
        str | None, typer.Option(help="网线类别 / cable category: cat5|cat5e|cat6|cat6a|cat7|cat8")
    ] = None,
    router_port_mbps: Annotated[float | None, typer.Option(help="路由器网口速率 / router port, Mbit/s")] = None,
    modem_port_mbps: Annotated[float | None, typer.Option(help="光猫网口速率 / modem port, Mbit/s")] = None,
    evidence: Annotated[Path | None, typer.Option(help="追加为证据（JSONL）/ append as evidence")] = None,
) -> None:
    """运行测速并诊断瓶颈 / run a speed test and name the likely bottleneck."""
    from pydantic import ValidationError

    from ganzhi.collect.speedtest.client import ClientOptions, SpeedtestError, run_speedtest
    from ganzhi.collect.speedtest.diagnosis import diagnose
    from ganzhi.evidence.base import Evidence, Subject
    from ganzhi.evidence.speedtest import SUBJECT_TYPE

    check_format(output_format, (OutputFormat.table, OutputFormat.json), command="speedtest run")
    try:
        env = _environment(
            connection=connection,
            wifi_standard=wifi_standard,
            wifi_band=wifi_band,
            wifi_rssi_dbm=wifi_rssi,
            nic_mbps=nic_mbps,
            cable_category=cable,
            router_port_mbps=router_port_mbps,
            modem_port_mbps=modem_port_mbps,
        )
    except ValidationError as exc:
        raise fail(f"environment option invalid: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from None
    options = ClientOptions(duration=duration, streams=streams, min_duration=min(4.0, duration / 2))
    try:
        with err_console.status("测速中 / testing…") as status:
            result = asyncio.run(
                run_speedtest(
                    url,
                    options,
                    environment=env,
                    contract_down_mbps=contract_down,
                    contract_up_mbps=contract_up,
                    on_phase=lambda name: status.update(f"测速中 / testing: {name}"),
                )
            )
    except SpeedtestError as exc:
        raise fail(f"测速失败 / speed test failed: {exc}") from None
    findings = [
        {"code": f.code, "kind": f.kind, "cap_mbps": f.cap_mbps, "message": f.message.model_dump()}
        for f in diagnose(result, target_share=_min_share())
    ]
    if evidence is not None:
        envelope = Evidence.of(result, Subject(type=SUBJECT_TYPE, id=line), source=f"ganzhi speedtest run {url}")
        with evidence.open("a", encoding="utf-8") as sink:
            sink.write(envelope.model_dump_json() + "\n")
    if output_format is OutputFormat.json:
        body = result.model_dump(mode="json")
        body["diagnosis"] = findings
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        _table(result, findings)
