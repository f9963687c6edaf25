"""`ganzhi demo`: the platform's main job until the web platform lands (what `make run` runs)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ganzhi.cli._common import console, fail, make_pool, open_store, progress_bar

if TYPE_CHECKING:
    from ganzhi.usecases.inspection import Inspection

app = typer.Typer(
    help="在配置的数据库上运行演示活动 / run the demo campaign on the configured store.", invoke_without_command=True
)


def _describe(title: str, inspection: Inspection) -> None:
    from ganzhi.outputs.table import summary_table

    diff = inspection.diff
    console.print(summary_table(inspection.results, title=f"{title} · run {inspection.run_id}"))
    console.print(
        f"问题 issues: 新发现 new {len(diff.new)} · 仍存在 persisting {len(diff.persisting)} · "
        f"已整改 fixed {len(diff.fixed)} · 复发 reopened {len(diff.reopened)}"
    )


@app.callback()
def demo(
    ctx: typer.Context,
    cases: Annotated[
        int, typer.Option(help="检查的虚构携号转网查询数 / how many fictional porting queries to inspect")
    ] = 400,
    seed: Annotated[int, typer.Option(help="演示数据的随机种子 / random seed of the demo data")] = 524,
    executor: Annotated[str, typer.Option(help="执行器 / executor: serial, local or dask")] = "local",
    workers: Annotated[int | None, typer.Option(help="进程数 / worker processes")] = None,
) -> None:
    """在配置的数据库上运行演示活动 / run the demo campaign on the configured store.

    加载演示证据，每项适用检查运行两遍（检查，然后回头看），保存并报告 /
    load demo evidence, run every applicable check twice (inspection, then look-back), store and report.
    """
    from rich.panel import Panel

    from ganzhi.catalog.loader import default_catalog
    from ganzhi.demo.run import run_demo
    from ganzhi.settings import load_settings
    from ganzhi.store.db import mask_url

    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings()
    catalog = default_catalog()
    requirements = catalog.requirements()
    automated = sum(1 for r in requirements if r.checks)
    console.print(
        Panel.fit(
            f"ganzhi 感知 · {catalog.meta.name.zh}\n"
            f"catalog: {len(catalog.tasks)} tasks, {len(requirements)} requirements ({automated} with checks)\n"
            f"database: {mask_url(settings.database_url)}",
            title="demo",
        )
    )
    sessions = open_store()
    pool = make_pool(executor, workers=workers)
    try:
        with progress_bar("检查 checking", cases * 2) as bar:
            rounds = run_demo(
                sessions, cases=cases, seed=seed, executor=pool, on_subject=lambda _o: bar.advance(bar.task_ids[0])
            )
    finally:
        pool.close()
    _describe("第一轮检查 round 1", rounds.first)
    _describe("第二轮回头看 round 2 (look-back)", rounds.second)
    console.print("Next: `ganzhi issues list`, `ganzhi check runs`, `ganzhi check results RUN --format sarif`.")


@app.command("campaign-evidence")
def campaign_evidence(
    stage: Annotated[str, typer.Argument(help="阶段 / stage: inspection, recheck or lookback")],
    out: Annotated[Path, typer.Argument(help="要写入的证据文件（JSON Lines）/ evidence JSON Lines file to write")],
) -> None:
    """写出监管演练某一阶段的演示证据 / write one stage of the supervision walk-through's demo evidence.

    见 examples/campaign_walkthrough.sh / see examples/campaign_walkthrough.sh.
    """
    from ganzhi.demo.campaign import STAGES, write_stage

    if stage not in STAGES:
        raise fail(f"stage must be one of {', '.join(STAGES)} (got {stage!r})")
    count = write_stage(stage, out)
    console.print(f"wrote {count} evidence items to {out}")
