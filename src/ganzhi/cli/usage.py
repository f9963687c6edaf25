"""`ganzhi usage`: audit usage reminders at scale (T1) and generate synthetic data with ground truth."""

from __future__ import annotations

import dataclasses
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console

from ganzhi.cli._common import OutputFormat, check_format
from ganzhi.errors import InputError
from ganzhi.outputs.formats import UnsupportedFormat, require

if TYPE_CHECKING:
    from ganzhi.collect.usage.config import AuditConfig

app = typer.Typer(help="流量使用提醒稽核 / usage-reminder audit and synthetic data (T1).", no_args_is_help=True)


class Lang(StrEnum):
    zh = "zh"
    en = "en"


def _parse_thresholds(text: str | None) -> tuple[float, ...]:
    if text is None:
        from ganzhi.collect.usage.config import AuditConfig

        return AuditConfig().thresholds
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise typer.BadParameter(f"expected comma-separated fractions such as 0.8,1.0; got {text!r}") from None


def _label(zh: str, en: str, lang: Lang) -> str:
    return zh if lang is Lang.zh else en


def _render_table(summary: dict[str, object], lang: Lang, console: Console) -> None:
    """Status counts, data quality and the per-province breakdown as Rich tables."""
    from rich.table import Table

    from ganzhi.collect.usage.config import STATUS_LABELS, ReminderStatus

    statuses = list(ReminderStatus)
    overview = Table(title=_label("提醒稽核结果", "Reminder audit verdicts", lang))
    overview.add_column(_label("结论", "verdict", lang))
    overview.add_column(_label("数量", "count", lang), justify="right")
    by_status = summary["by_status"]
    assert isinstance(by_status, dict)
    for s in statuses:
        overview.add_row(STATUS_LABELS[s][lang.value], str(by_status.get(s.value, 0)))
    console.print(overview)

    quality = Table(title=_label("输入与数据质量", "Inputs and data quality", lang))
    quality.add_column(_label("项目", "item", lang))
    quality.add_column(_label("数值", "value", lang), justify="right")
    inputs = summary["inputs"]
    assert isinstance(inputs, dict)
    for kind, info in inputs.items():
        quality.add_row(f"{kind} rows / rejected", f"{info['rows']} / {info['rejected']}")
    data_quality = summary["data_quality"]
    assert isinstance(data_quality, dict)
    for name, value in data_quality.items():
        quality.add_row(name, str(value))
    console.print(quality)

    provinces = Table(title=_label("分省统计", "By province", lang))
    provinces.add_column(_label("省份", "province", lang))
    for s in statuses:
        provinces.add_column(STATUS_LABELS[s][lang.value], justify="right")
    provinces.add_column(_label("及时率", "on-time rate", lang), justify="right")
    rows = summary["by_province"]
    assert isinstance(rows, list)
    for row in rows:
        rate = row["on_time_rate"]
        provinces.add_row(
            str(row["province"]), *(str(row[s.value]) for s in statuses), "-" if rate is None else f"{rate:.2%}"
        )
    console.print(provinces)
    console.print(_label("阈值与时限为可配置默认值（非官方标准）。", "Thresholds and latency are configurable "
                         "defaults, not official numbers.", lang))  # fmt: skip


def _audit_config(
    campaign: Path | None, thresholds: str | None, latency: float | None, early_tolerance: float | None,
    memory_limit: str | None, threads: int | None, temp_dir: Path | None,
) -> AuditConfig:  # fmt: skip
    """Catalog params of T1.usage-reminder.timely, overlaid by the campaign file, then by explicit options."""
    from ganzhi.catalog.loader import default_catalog
    from ganzhi.catalog.overrides import load_overrides
    from ganzhi.catalog.params import params_for
    from ganzhi.collect.usage.config import REQUIREMENT_ID, AuditConfig
    from ganzhi.errors import GanzhiError

    try:
        catalog = default_catalog()
        overrides = load_overrides(catalog, campaign) if campaign is not None else None
        defaults = AuditConfig()
        cfg = AuditConfig.from_params(
            params_for(catalog, [REQUIREMENT_ID], overrides), memory_limit=memory_limit or defaults.memory_limit,
            threads=defaults.threads if threads is None else threads,
            temp_dir=None if temp_dir is None else str(temp_dir),
        )  # fmt: skip
        explicit: dict[str, object] = {}
        if thresholds is not None:
            explicit["thresholds"] = _parse_thresholds(thresholds)
        if latency is not None:
            explicit["latency_s"] = latency
        if early_tolerance is not None:
            explicit["early_tolerance_s"] = early_tolerance
        if explicit:
            labels = {**cfg.labels, **dict.fromkeys(explicit, "command-line override")}
            cfg = dataclasses.replace(cfg, labels=labels, **explicit)  # type: ignore[arg-type]
    except (GanzhiError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from None
    return cfg


@app.command()
def audit(
    plans: Annotated[
        Path, typer.Option("--plans", help="套餐文件 / plans CSV/Parquet: plan_id, quota_bytes, cycle[, province]")
    ],
    events: Annotated[
        Path, typer.Option("--events", help="流量使用事件 / usage events: subscriber_id, ts, bytes, plan_id")
    ],
    reminders: Annotated[
        Path, typer.Option("--reminders", help="已发送的提醒 / reminders sent: subscriber_id, ts, threshold")
    ],
    out: Annotated[Path, typer.Option("--output", "-o", help="输出目录 / output directory")],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="标准输出上的摘要格式 / summary on stdout: table | json")
    ] = OutputFormat.table,
    results_format: Annotated[
        OutputFormat, typer.Option("--results-format", help="逐条结果文件格式 / per-row results: parquet | csv")
    ] = OutputFormat.parquet,
    campaign: Annotated[
        Path | None,
        typer.Option(
            help="活动参数覆盖文件 / campaign file whose `params:` override the catalog (T1.usage-reminder.timely)"
        ),
    ] = None,
    thresholds: Annotated[
        str | None, typer.Option(help="提醒阈值（套餐额度比例）/ fractions of quota, e.g. 0.8,1.0 (default: catalog)")
    ] = None,
    latency: Annotated[
        float | None, typer.Option(help="及时提醒时限（秒）/ on-time limit, seconds (default: catalog)")
    ] = None,
    early_tolerance: Annotated[
        float | None,
        typer.Option(help="提醒可提前的秒数 / seconds a reminder may precede the crossing (default: catalog)"),
    ] = None,
    evidence: Annotated[
        Path | None,
        typer.Option(
            "--evidence", help="另写出稽核摘要证据 / also write usage_audit_summary evidence (JSON Lines) here"
        ),
    ] = None,
    subject: Annotated[
        str | None,
        typer.Option(help="证据主体编号 / evidence subject id, e.g. operator-province-period (default: events name)"),
    ] = None,
    memory_limit: Annotated[str | None, typer.Option(help="内存上限（默认 3GB）/ DuckDB memory limit")] = None,
    threads: Annotated[int | None, typer.Option(help="线程数（默认 2）/ DuckDB threads")] = None,
    temp_dir: Annotated[
        Path | None, typer.Option(help="临时溢出目录 / where DuckDB spills (default: system temp)")
    ] = None,
    lang: Annotated[Lang, typer.Option(help="表格语言 / language of the table")] = Lang.zh,
) -> None:
    """对照流量使用稽核提醒 / audit reminders against usage.

    按用户、周期、阈值判定及时/迟发/漏发/误发 / on_time / late / missing / spurious per subscriber, cycle, threshold.
    """
    from ganzhi.collect.usage.audit import run_audit
    from ganzhi.collect.usage.evidence import summary_evidence, write_evidence

    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="usage audit")
    try:
        require(results_format, (OutputFormat.parquet, OutputFormat.csv), command="usage audit --results-format")
    except UnsupportedFormat as exc:
        raise typer.BadParameter(str(exc), param_hint="--results-format") from None
    cfg = _audit_config(campaign, thresholds, latency, early_tolerance, memory_limit, threads, temp_dir)
    try:
        rows_format: Literal["parquet", "csv"] = "csv" if results_format is OutputFormat.csv else "parquet"
        report = run_audit(plans, events, reminders, out, cfg, results_format=rows_format)
    except InputError as exc:
        typer.echo(f"错误 / error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(report.summary, ensure_ascii=False, indent=2))
    else:
        _render_table(report.summary, lang, Console())
    for kind, path in report.rejected_paths.items():
        typer.echo(f"警告 / warning: rejected {kind} rows written to {path}", err=True)
    if evidence is not None:
        item = summary_evidence(report.summary, cfg, subject or events.stem, source=str(report.summary_path))
        write_evidence(evidence, item)
        typer.echo(f"证据 / evidence: {item.kind} for {item.subject.key} written to {evidence}", err=True)


@app.command()
def generate(
    subscribers: Annotated[int, typer.Option("--subscribers", min=1, help="用户数 / subscribers")],
    events: Annotated[int, typer.Option("--events", min=0, help="流量使用事件数 / usage events")],
    out: Annotated[Path, typer.Option("--output", "-o", help="输出目录 / output directory")],
    violation_rate: Annotated[
        float, typer.Option("--violation-rate", min=0.0, max=1.0, help="预置违规比例 / share of planted violations")
    ] = 0.05,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 / random seed")] = 0,
    months: Annotated[int, typer.Option("--months", min=1, help="月数 / months")] = 2,
    start_month: Annotated[str, typer.Option("--start-month", help="起始月份 / first month (YYYY-MM)")] = "2024-01",
    duplicate_rate: Annotated[
        float, typer.Option("--duplicate-rate", min=0.0, max=0.5, help="重复事件比例 / share of duplicate events")
    ] = 0.001,
) -> None:
    """生成含预置违规的合成套餐、事件与提醒 / write synthetic plans, events and reminders with planted violations
    and truth.parquet.
    """
    from ganzhi.collect.usage.generate import GeneratorSpec
    from ganzhi.collect.usage.generate import generate as run_generate

    try:
        spec = GeneratorSpec(
            subscribers=subscribers, events=events, violation_rate=violation_rate, seed=seed, months=months,
            start_month=start_month, duplicate_rate=duplicate_rate,
        )  # fmt: skip
        manifest = run_generate(spec, out)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(json.dumps(manifest["counts"], ensure_ascii=False))


@app.command()
def partition(
    plans: Annotated[Path, typer.Option("--plans", help="套餐文件（Parquet）/ plans Parquet")],
    events: Annotated[Path, typer.Option("--events", help="流量使用事件（Parquet）/ usage events Parquet")],
    reminders: Annotated[Path, typer.Option("--reminders", help="已发送的提醒（Parquet）/ reminders Parquet")],
    out: Annotated[str, typer.Option("--output", "-o", help="数据集位置（路径或 s3:// 等 URL）/ data set path or URL")],
    partitions: Annotated[
        int, typer.Option("--partitions", min=1, max=65_536, help="按用户哈希分区数 / subscriber-hash partitions")
    ] = 64,
    memory_limit: Annotated[str | None, typer.Option(help="内存上限（默认 3GB）/ DuckDB memory limit")] = None,
    threads: Annotated[int | None, typer.Option(help="线程数（默认 2）/ DuckDB threads")] = None,
) -> None:
    """按用户哈希切分事件与提醒，供集群稽核 / split events and reminders into subscriber-hash partitions for
    `usage audit-cluster`.
    """
    from ganzhi.cli._common import fail
    from ganzhi.collect.usage.config import AuditConfig
    from ganzhi.collect.usage.distributed import partition_dataset

    defaults = AuditConfig()
    cfg = AuditConfig(memory_limit=memory_limit or defaults.memory_limit, threads=threads or defaults.threads)
    try:
        manifest = partition_dataset(plans, events, reminders, out, partitions, cfg=cfg)
    except (InputError, ValueError) as exc:
        raise fail(exc) from None
    typer.echo(json.dumps(manifest, ensure_ascii=False))


@app.command("audit-cluster")
def audit_cluster(
    dataset: Annotated[
        str, typer.Option("--dataset", help="分区数据集（`usage partition` 的输出，路径或 URL）/ partitioned data set")
    ],
    out: Annotated[str, typer.Option("--output", "-o", help="输出位置（路径或 URL）/ output path or URL")],
    scheduler: Annotated[
        str | None, typer.Option(help="调度器地址（Dask），如 tcp://10.0.0.5:8786 / Dask scheduler address")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="本机 LocalCluster 进程数 / LocalCluster worker processes")] = 2,
    threads_per_worker: Annotated[int, typer.Option(min=1, help="每进程线程数 / threads per worker")] = 1,
    worker_memory: Annotated[str, typer.Option(help="工作进程内存上限（LocalCluster）/ memory per worker")] = "4GB",
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="标准输出上的摘要格式 / summary on stdout: table | json")
    ] = OutputFormat.table,
    campaign: Annotated[
        Path | None, typer.Option(help="活动参数覆盖文件 / campaign file overriding the catalog")
    ] = None,
    thresholds: Annotated[str | None, typer.Option(help="提醒阈值 / fractions of quota, e.g. 0.8,1.0")] = None,
    latency: Annotated[float | None, typer.Option(help="及时提醒时限（秒）/ on-time limit, seconds")] = None,
    early_tolerance: Annotated[float | None, typer.Option(help="提醒可提前的秒数 / early tolerance, s")] = None,
    memory_limit: Annotated[str | None, typer.Option(help="每分区 DuckDB 内存上限 / DuckDB memory per task")] = None,
    temp_dir: Annotated[Path | None, typer.Option(help="工作节点临时目录 / worker temp directory")] = None,
    lang: Annotated[Lang, typer.Option(help="表格语言 / language of the table")] = Lang.zh,
) -> None:
    """在 Dask 集群上按分区稽核，可断点续跑 / audit every partition as a Dask task; resumable per partition.

    已完成的分区不会重算；工作节点被杀后结果相同、无重复 / committed partitions are never redone; a killed worker
    changes nothing in the results.
    """
    from ganzhi.cli._common import fail, missing_extra, progress_bar

    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="usage audit-cluster")
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise missing_extra("dask", "distributed") from None
    from ganzhi.collect.usage.distributed import ClusterSpec, read_manifest, run_distributed

    cfg = _audit_config(campaign, thresholds, latency, early_tolerance, memory_limit, threads_per_worker, temp_dir)
    spec = ClusterSpec(scheduler=scheduler, workers=workers, threads_per_worker=threads_per_worker,
                       worker_memory=worker_memory)  # fmt: skip
    try:
        total = int(read_manifest(dataset)["partitions"])
        with progress_bar("分区稽核 / partitions", total=total) as bar:
            task = bar.task_ids[0]
            summary = run_distributed(dataset, out, cfg, spec, on_done=lambda done, _: bar.update(task, completed=done))
    except InputError as exc:
        raise fail(exc) from None
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        _render_table(summary, lang, Console())


def _print_conversion(report: object) -> None:
    """The conversion report as JSON on stdout, the quarantine warning on stderr."""
    from ganzhi.collect.usage.exports import ConvertReport

    assert isinstance(report, ConvertReport)
    body = {"kind": report.kind, "output": str(report.output), "encoding": report.encoding, "rows": report.rows,
            "written": report.written, "rejected": report.rejected, "rejected_by_problem": report.rejected_by_problem,
            "columns": report.columns, **report.stats}  # fmt: skip
    typer.echo(json.dumps(body, ensure_ascii=False))
    if report.rejected_path is not None:
        typer.echo(f"警告 / warning: {report.rejected} rejected rows written to {report.rejected_path}", err=True)


@app.command("import-cdr")
def import_cdr(
    source: Annotated[Path, typer.Argument(help="话单 CSV 导出（中文表头，GBK/UTF-8）/ CDR CSV export")],
    out: Annotated[Path, typer.Option("--output", "-o", help="事件 Parquet / events Parquet to write")],
    rejected: Annotated[
        Path | None, typer.Option(help="隔离行 CSV（默认：输出旁）/ quarantined rows CSV (default: next to output)")
    ] = None,
    encoding: Annotated[str, typer.Option(help="编码：auto | gbk | gb18030 | utf-8 / file encoding")] = "auto",
    unit: Annotated[
        str | None, typer.Option(help="表头未注明时的流量单位 b | kb | mb / volume unit when headers do not say")
    ] = None,
) -> None:
    """话单导出转为稽核事件 / convert a 话单 (CDR) export into usage events.

    识别中文表头、GBK、yyyyMMddHHmmss 北京时间、KB/字节、上下行拆分；坏行隔离并注明文件/行/字段 / Chinese headers,
    GBK, Beijing yyyyMMddHHmmss, KB or bytes, uplink + downlink; bad rows are quarantined with file, row and field.
    """
    from ganzhi.cli._common import fail
    from ganzhi.collect.usage.exports import convert_cdr

    try:
        report = convert_cdr(source, out, rejected or out.with_name(f"{out.stem}.rejected.csv"), encoding=encoding,
                             unit=unit)  # fmt: skip
    except InputError as exc:
        raise fail(exc) from None
    _print_conversion(report)


@app.command("import-sms")
def import_sms(
    source: Annotated[Path, typer.Argument(help="短信网关日志 CSV / SMS-gateway log CSV")],
    out: Annotated[Path, typer.Option("--output", "-o", help="提醒 Parquet / reminders Parquet to write")],
    rejected: Annotated[
        Path | None, typer.Option(help="隔离行 CSV（默认：输出旁）/ quarantined rows CSV (default: next to output)")
    ] = None,
    encoding: Annotated[str, typer.Option(help="编码：auto | gbk | gb18030 | utf-8 / file encoding")] = "auto",
    evidence: Annotated[
        Path | None,
        typer.Option("--evidence", help="另写出超套提醒证据 / also write usage_overage_notices evidence (JSON Lines)"),
    ] = None,
    subject: Annotated[
        str | None, typer.Option(help="证据主体编号 / evidence subject id (default: the log's name)")
    ] = None,
) -> None:
    """短信网关日志转为稽核提醒 / convert an SMS-gateway log into reminders.

    从短信正文读取提醒档位（80%、已用完）与是否告知套外单价 / the threshold and whether the overage unit price is
    stated are read from the message text; messages without a threshold are quarantined, not dropped.
    """
    from ganzhi.cli._common import fail
    from ganzhi.collect.usage.evidence import write_evidence
    from ganzhi.collect.usage.exports import convert_sms, overage_evidence

    try:
        report = convert_sms(source, out, rejected or out.with_name(f"{out.stem}.rejected.csv"), encoding=encoding)
    except InputError as exc:
        raise fail(exc) from None
    _print_conversion(report)
    if evidence is not None:
        item = overage_evidence(report, subject or source.stem)
        write_evidence(evidence, item)
        typer.echo(f"证据 / evidence: {item.kind} for {item.subject.key} written to {evidence}", err=True)
