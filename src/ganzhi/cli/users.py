"""`ganzhi users add|token|list`: accounts of the web platform and their API tokens."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from ganzhi.accounts import users as accounts
from ganzhi.accounts.users import Role
from ganzhi.cli._common import OutputFormat, console, fail, open_store
from ganzhi.errors import StoreError
from ganzhi.store.db import session_scope

app = typer.Typer(help="平台用户与 API 令牌 / web platform users and API tokens.", no_args_is_help=True)


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="user name (a-z 0-9 . _ -)")],
    role: Annotated[Role, typer.Option(help="regulator_admin | regulator_inspector | enterprise | app_store")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    scope: Annotated[str | None, typer.Option(help="enterprise id (enterprise) or store id (app_store)")] = None,
    name: Annotated[str | None, typer.Option(help="display name")] = None,
) -> None:
    """添加用户 / add a user (app-store users get a webhook secret, printed once)."""
    try:
        with session_scope(open_store()) as session:
            user = accounts.create_user(session, username, password, role, scope_id=scope, display_name=name)
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
    try:
        with session_scope(open_store()) as session:
            value = accounts.issue_token(session, username, name)
    except StoreError as exc:
        raise fail(f"users token: {exc}") from None
    typer.echo(value)


@app.command("list")
def list_(fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table) -> None:
    """列出用户 / list users."""
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
