"""`ganzhi netdisk probe|disclosure|serve-throttled`: cloud-drive (网盘, T5) rate probe and page disclosure.

`probe` times a sustained transfer for one account tier and can append `netdisk_probe` evidence;
`disclosure` reads a product/price page into `netdisk_disclosure` evidence; `serve-throttled` runs a
local stand-in that throttles per tier with token buckets, for demos. Run the T5 checks on the
evidence file with `ganzhi check run`. Exit codes: 0 done; 1 bad arguments or unreadable input.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel

from ganzhi.cli._common import OutputFormat, check_format, console, err_console, fail

app = typer.Typer(
    help="网盘速率与明示 / cloud-drive probes (T5).", no_args_is_help=True, pretty_exceptions_enable=False
)


def _append_evidence(path: Path | None, payload: BaseModel, service: str, source: str) -> None:
    from ganzhi.evidence.base import Evidence, Subject
    from ganzhi.evidence.netdisk import SUBJECT_TYPE

    if path is None:
        return
    envelope = Evidence.of(payload, Subject(type=SUBJECT_TYPE, id=service), source=source)
    with path.open("a", encoding="utf-8") as sink:
        sink.write(envelope.model_dump_json() + "\n")


def _headers(values: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip() or any(c in value for c in "\r\n"):
            raise fail(f"--header must look like 'Name: value' (got {value[:60]!r})")
        headers[name.strip()] = content.strip()
    return headers


@app.command("probe")
def probe(
    url: Annotated[str, typer.Argument(help="要下载的文件URL / file URL to download")],
    tier: Annotated[str, typer.Option(help="档位 / tier: free | paid")],
    header: Annotated[
        list[str] | None, typer.Option("--header", "-H", help="请求头 K:V，可重复 / request header K:V, repeatable")
    ] = None,
    duration: Annotated[float, typer.Option(min=2, max=600, help="每个方向秒数 / seconds per direction")] = 30,
    warmup: Annotated[float, typer.Option(min=0, help="剔除的预热秒数 / warm-up seconds left out")] = 3,
    upload_url: Annotated[str | None, typer.Option(help="上传地址（POST）/ upload URL")] = None,
    network: Annotated[str, typer.Option(help="网络条件标签 / label of the network used")] = "default",
    service: Annotated[str, typer.Option(help="网盘服务名（证据主体）/ service id")] = "adhoc",
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="输出格式 / output format: table | json")
    ] = OutputFormat.json,
    evidence: Annotated[Path | None, typer.Option(help="追加为证据（JSONL）/ append as evidence")] = None,
) -> None:
    """持续下载/上传同一文件并记录速率曲线 / time a sustained transfer, keeping the rate curve."""
    from rich.table import Table

    from ganzhi.collect.netdisk.probe import ProbeOptions
    from ganzhi.collect.netdisk.probe import probe as run_probe

    if tier not in {"free", "paid"}:
        raise fail(f"--tier must be free or paid (got {tier!r})")
    check_format(output_format, (OutputFormat.table, OutputFormat.json), command="netdisk probe")
    options = ProbeOptions(duration=duration, warmup=min(warmup, duration / 2), headers=_headers(header or []))
    with err_console.status(f"网盘测速 / probing {tier}…"):
        result = asyncio.run(run_probe(url, tier=tier, network=network, options=options, upload_url=upload_url))  # type: ignore[arg-type]
    _append_evidence(evidence, result, service, f"ganzhi netdisk probe {result.target}")
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        table = Table(title=f"网盘速率 / cloud-drive rate ({tier}, {network})")
        for column in ("方向 / direction", "均值 KB/s", "持续 KB/s", "峰值 KB/s", "errors"):
            table.add_column(column)
        for name, measure in (("下载 / download", result.download), ("上传 / upload", result.upload)):
            if measure is not None:
                table.add_row(
                    name,
                    f"{measure.mean_kbyte_s:.1f}",
                    f"{measure.sustained_kbyte_s:.1f}",
                    f"{measure.peak_kbyte_s:.1f}",
                    "; ".join(measure.errors) or "–",
                )
        console.print(table)
    errors = result.errors + [e for m in (result.download, result.upload) if m for e in m.errors]
    for error in errors:
        err_console.print(f"注意 / note: {error}", markup=False)


@app.command("disclosure")
def disclosure(
    page: Annotated[Path, typer.Argument(help="产品/价格页（HTML或文本文件）/ page file")],
    service: Annotated[str, typer.Option(help="网盘服务名（证据主体）/ service id")] = "adhoc",
    evidence: Annotated[Path | None, typer.Option(help="追加为证据（JSONL）/ append as evidence")] = None,
) -> None:
    """读取产品/价格页的档位明示与速率用语 / read what a page states per tier, and its speed claims."""
    from ganzhi.collect.netdisk.disclosure import MAX_PAGE_BYTES, read_disclosure

    try:
        with page.open("rb") as handle:
            content = handle.read(MAX_PAGE_BYTES)
    except OSError as exc:
        raise fail(f"{page}: cannot read: {exc.strerror or exc}") from None
    result = read_disclosure(content, str(page))
    _append_evidence(evidence, result, service, f"ganzhi netdisk disclosure {page}")
    typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))


@app.command("serve-throttled")
def serve_throttled(
    host: Annotated[str, typer.Option(help="监听地址 / bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="端口 / port")] = 8090,
    free_rate: Annotated[float, typer.Option(min=1, help="免费档速率 / free-tier rate, bytes/s")] = 100_000,
    free_burst: Annotated[float, typer.Option(min=1, help="免费档突发量 / free-tier burst, bytes")] = 2_000_000,
    paid_rate: Annotated[float, typer.Option(min=1, help="付费档速率 / paid-tier rate, bytes/s")] = 5_000_000,
) -> None:
    """本地限速网盘模拟器（令牌桶）/ local per-tier throttling server; tokens free-token, paid-token."""
    from ganzhi.collect.netdisk.throttle import ThrottleServer, TierPolicy

    async def main() -> None:
        tiers = {"free": TierPolicy(free_rate, free_burst), "paid": TierPolicy(paid_rate, paid_rate)}
        server = ThrottleServer(tiers)
        bound = await server.start(host, port)
        err_console.print(f"http://{host}:{bound}/file/demo.bin  (Authorization: Bearer free-token | paid-token)")
        try:
            await asyncio.Event().wait()
        finally:
            await server.close()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc}") from None
