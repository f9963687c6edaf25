"""`ganzhi users add|token|list`: accounts of the web platform and their API tokens."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from ganzhi.cli._common import FORMAT_HELP, OutputFormat, check_format, console, fail, open_store
from ganzhi.errors import StoreError


class RoleName(StrEnum):
    """The roles `users add` accepts: the values of `ganzhi.accounts.users.Role` (kept here so the help
    does not load the store; tests/cli/test_cli_startup.py checks the two agree)."""

    regulator_admin = "regulator_admin"
    regulator_inspector = "regulator_inspector"
    enterprise = "enterprise"
    app_store = "app_store"
    public = "public"


app = typer.Typer(help="平台用户与 API 令牌 / web platform users and API tokens.", no_args_is_help=True)


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="user name (a-z 0-9 . _ -)")],
    role: Annotated[RoleName, typer.Option(help="regulator_admin | regulator_inspector | enterprise | app_store")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    scope: Annotated[str | None, typer.Option(help="enterprise id (enterprise) or store id (app_store)")] = None,
    name: Annotated[str | None, typer.Option(help="display name")] = None,
) -> None:
    """添加用户 / add a user (app-store users get a webhook secret, printed once)."""
    from ganzhi.accounts import users as accounts
    from ganzhi.store.db import session_scope

    try:
        with session_scope(open_store()) as session:
            user = accounts.create_user(
                session, username, password, accounts.Role(role.value), scope_id=scope, display_name=name
            )
    except (StoreError, ValueError) as exc:
        raise fail(f"users add: {exc}") from None
    console.print(f"added {user.username} ({user.role.value}{' @ ' + user.scope_id if user.scope_id else ''})")
    if user.webhook_secret:
        console.print(f"webhook secret (verify X-Ganzhi-Signature with it): {user.webhook_secret}", markup=False)


@app.command("token")
def token(
    username: Annotated[str, typer.Argument()],
    name: Annotated[str, typer.Option(help="what the token is for")] = "api",
) -> None:
    """签发 API 令牌 / issue an API token (shown once; only its hash is stored)."""
    from ganzhi.accounts import users as accounts
    from ganzhi.store.db import session_scope

    try:
        with session_scope(open_store()) as session:
            value = accounts.issue_token(session, username, name)
    except StoreError as exc:
        raise fail(f"users token: {exc}") from None
    typer.echo(value)


@app.command("list")
def list_(fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table) -> None:
    """列出用户 / list users."""
    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="users list")
    from rich.table import Table

    from ganzhi.accounts import users as accounts
    from ganzhi.store.db import session_scope

    with session_scope(open_store()) as session:
        users = accounts.list_users(session)
    if fmt is OutputFormat.json:
        typer.echo(
            json.dumps(
                [
                    {
                        "username": u.username,
                        "role": u.role.value,
                        "scope_id": u.scope_id,
                        "display_name": u.display_name,
                    }
                    for u in users
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Table(title="用户 / users")
    for column in ("username", "role", "scope", "name"):
        table.add_column(column)
    for u in users:
        table.add_row(u.username, u.role.value, u.scope_id or "", u.display_name)
    console.print(table)
