"""`ganzhi db`: create or upgrade the database schema and show which revision it is at."""

from __future__ import annotations

import typer

from ganzhi.cli._common import fail
from ganzhi.errors import StoreError

app = typer.Typer(
    help="数据库结构迁移 / database schema migrations.",
    no_args_is_help=True,
)


@app.command()
def upgrade(
    revision: str = typer.Argument("head", help="目标版本 / target revision (default: head)"),
) -> None:
    """迁移数据库到最新结构 / migrate the database to the newest schema."""
    from ganzhi.settings import load_settings
    from ganzhi.store.db import mask_url
    from ganzhi.store.migrate import current_revision
    from ganzhi.store.migrate import upgrade as run_upgrade

    settings = load_settings()
    url = settings.database_url
    typer.echo(f"数据库 / database: {mask_url(url)}")
    try:
        before = current_revision(url)
        run_upgrade(url, revision)
        after = current_revision(url)
    except StoreError as exc:
        raise fail(str(exc)) from None
    if before == after:
        typer.echo(f"已是最新 / already at revision: {after}")
    else:
        typer.echo(f"已迁移 / migrated: {before or '(empty)'} -> {after}")


@app.command()
def current() -> None:
    """显示数据库当前结构版本 / show the database's schema revision."""
    from ganzhi.settings import load_settings
    from ganzhi.store.db import mask_url
    from ganzhi.store.migrate import current_revision, head_revision

    settings = load_settings()
    url = settings.database_url
    try:
        revision = current_revision(url)
        head = head_revision()
    except StoreError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"数据库 / database: {mask_url(url)}")
    if revision is None:
        typer.echo(f"未迁移 / not migrated (head: {head}); run `ganzhi db upgrade`")
    elif revision == head:
        typer.echo(f"当前版本 / revision: {revision} (head)")
    else:
        typer.echo(f"当前版本 / revision: {revision} (head: {head}; run `ganzhi db upgrade`)")
