"""`ganzhi catalog …`: validate, show and export the 524 catalog, and check a campaign's overrides."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ganzhi.catalog.schema import Automation, Basis, Catalog
from ganzhi.cli._common import OUTPUT_HELP, OutputFormat, check_format, fail
from ganzhi.errors import CatalogError, OverrideError
from ganzhi.i18n import Lang

app = typer.Typer(
    help="524目录：任务 → 要求 → 参数 / the 524 catalog: tasks → requirements → params.",
    no_args_is_help=True,
)


class LangOption(StrEnum):
    """Language of user-facing text."""

    ZH = "zh"
    EN = "en"

    def lang(self) -> Lang:
        """As the `Lang` literal that `Text.get` takes."""
        return "en" if self is LangOption.EN else "zh"


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="目录文件夹 / catalog folder (catalog.yaml, supervision.yaml, tasks/); default: shipped one",
    ),
]


def _load(data_dir: Path | None) -> Catalog:
    """Load the catalog or exit 1 with the CatalogError message (file, id, problem) on stderr."""
    from ganzhi.catalog.loader import load_catalog

    try:
        return load_catalog(data_dir)
    except CatalogError as exc:
        raise fail(f"catalog invalid: {exc}") from None


def summary_line(catalog: Catalog) -> str:
    """Counts a reviewer checks first: tasks, requirements by automation, params by basis."""
    requirements = catalog.requirements()
    params = [param for req in requirements for param in req.params]
    by_automation = {kind: sum(req.automation is kind for req in requirements) for kind in Automation}
    official = sum(param.basis is Basis.OFFICIAL for param in params)
    return (
        f"catalog OK: {len(catalog.tasks)} tasks, {len(requirements)} requirements "
        f"({by_automation[Automation.AUTOMATED]} automated, {by_automation[Automation.PARTIAL]} partial, "
        f"{by_automation[Automation.MANUAL]} manual), {len(params)} params "
        f"({official} official, {len(params) - official} configurable default)"
    )


@app.command()
def validate(data_dir: DataDirOption = None) -> None:
    """校验目录 / validate the catalog; print a one-line summary, or the problem (file, id, field) and exit 1."""
    catalog = _load(data_dir)
    typer.echo(summary_line(catalog))


@app.command()
def show(
    task: Annotated[
        str | None, typer.Argument(help="任务编号，省略则为全部任务 / task id, e.g. T9; all tasks when omitted")
    ] = None,
    lang: Annotated[LangOption, typer.Option("--lang", help="语言 / language: zh (default) or en")] = LangOption.ZH,
    data_dir: DataDirOption = None,
) -> None:
    """以树形显示目录 / print the catalog as a tree: task → requirements → params.

    任务 → 要求 → 参数（官方或可配置默认值）/ each param shows its basis: official or configurable default.
    """
    from ganzhi.catalog.tree import catalog_tree

    catalog = _load(data_dir)
    task_id = task.upper() if task else None
    try:
        tree = catalog_tree(catalog, task_id, lang.lang())
    except KeyError as exc:
        raise fail(f"unknown task: {exc.args[0]}") from None
    Console(soft_wrap=False).print(tree)


@app.command()
def export(
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="输出格式：json（整个目录）、csv 或 xlsx / output format: json (whole catalog), csv or xlsx",
        ),
    ],
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
    lang: Annotated[
        LangOption, typer.Option("--lang", help="文字语言（csv/xlsx）/ text language for csv/xlsx")
    ] = LangOption.ZH,
    data_dir: DataDirOption = None,
) -> None:
    """导出目录 / export the catalog.

    json 为整个目录，csv/xlsx 每条要求一行 / json = whole catalog; csv/xlsx = one row per requirement.
    """
    from ganzhi.catalog.export import to_json
    from ganzhi.outputs.catalog_tables import to_csv, write_xlsx

    check_format(fmt, (OutputFormat.json, OutputFormat.csv, OutputFormat.xlsx), command="catalog export", output=out)
    catalog = _load(data_dir)
    if fmt is OutputFormat.xlsx:
        assert out is not None  # check_format: xlsx needs --output
        write_xlsx(catalog, out, lang.lang())
        typer.echo(f"wrote {out}", err=True)
        return
    text = to_json(catalog) if fmt is OutputFormat.json else to_csv(catalog, lang.lang())
    if out is None:
        sys.stdout.write(text)
        return
    # Excel opens UTF-8 CSV correctly only with a byte-order mark.
    encoding = "utf-8-sig" if fmt is OutputFormat.csv else "utf-8"
    out.write_text(text, encoding=encoding)
    typer.echo(f"wrote {out}", err=True)


@app.command("check-overrides")
def check_overrides(
    campaign: Annotated[
        Path,
        typer.Argument(
            help="活动参数文件（YAML/JSON，含 `params:` 段）/ campaign YAML/JSON file with a `params:` section"
        ),
    ],
    data_dir: DataDirOption = None,
) -> None:
    """按目录校验活动文件的参数覆盖 / validate a campaign file's `params:` overrides against the catalog.

    校验编号、单位、类型与取值范围 / checks ids, units, types and ranges.
    """
    from ganzhi.catalog.overrides import load_overrides

    catalog = _load(data_dir)
    try:
        overrides = load_overrides(catalog, campaign)
    except OverrideError as exc:
        raise fail(f"overrides invalid: {exc}") from None
    count = sum(len(params) for params in overrides.values())
    typer.echo(f"overrides OK: {count} params in {len(overrides)} requirements ({campaign})")
    for req_id, params in overrides.items():
        for param_id, value in params.items():
            default = catalog.requirement(req_id).param(param_id).value
            typer.echo(f"  {req_id}.{param_id}: {default!r} → {value!r}")


__all__ = ["app", "summary_line"]
