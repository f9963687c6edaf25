"""`ganzhi users add|token|tokens|revoke-token|disable|enable|reset-password|provinces|list`: accounts, API tokens.

Every change made here is written to the web platform's audit log (actor `regulator_admin:cli`), like
the same change made through the admin API.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ganzhi.accounts.roles import Role
from ganzhi.cli._common import FORMAT_HELP, OutputFormat, check_format, console, fail, open_store
from ganzhi.errors import StoreError

app = typer.Typer(help="平台用户与 API 令牌 / web platform users and API tokens.", no_args_is_help=True)


def _audit(session: object, action: str, username: str, detail: dict[str, object] | None = None) -> None:
    """Record a CLI change in the web audit log (the operator at the console acts as an admin)."""
    import getpass

    from sqlalchemy.orm import Session

    from ganzhi.accounts.roles import Role
    from ganzhi.accounts.users import Principal
    from ganzhi.web import audit

    if not isinstance(session, Session):
        raise TypeError(f"expected a database session, got {type(session).__name__}")
    operator = Principal(role=Role.REGULATOR_ADMIN, username="cli", display_name="命令行 / command line")
    audit.record(session, operator, action, f"user:{username}", detail, client=f"cli:{getpass.getuser()}")


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="用户名（a-z 0-9 . _ -）/ user name")],
    role: Annotated[
        Role, typer.Option(help="角色 / role: regulator_admin | regulator_inspector | enterprise | app_store")
    ],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="密码（交互输入）/ password")
    ],
    scope: Annotated[
        str | None, typer.Option(help="所属企业或应用商店编号 / enterprise id (enterprise) or store id (app_store)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="显示名称 / display name")] = None,
    province: Annotated[
        list[str] | None,
        typer.Option(help="省级监管账户所辖省份（可重复）/ province a regulator account is limited to (repeatable)"),
    ] = None,
) -> None:
    """添加用户 / add a user (app-store users get a webhook secret, printed once)."""
    from ganzhi.accounts import users as accounts
    from ganzhi.store.db import session_scope

    try:
        with session_scope(open_store()) as session:
            user = accounts.create_user(
                session,
                username,
                password,
                role,
                scope_id=scope,
                display_name=name,
                provinces=province or None,
            )
    except (StoreError, ValueError) as exc:
        raise fail(f"users add: {exc}") from None
    console.print(f"added {user.username} ({user.role.value}{' @ ' + user.scope_id if user.scope_id else ''})")
    if user.webhook_secret:
        console.print(f"webhook secret (verify X-Ganzhi-Signature with it): {user.webhook_secret}", markup=False)


@app.command("token")
def token(
    username: Annotated[str, typer.Argument(help="用户名 / user name")],
    name: Annotated[str, typer.Option(help="令牌用途 / what the token is for")] = "api",
    days: Annotated[
        float | None,
        typer.Option(help="有效天数（默认 GANZHI_WEB_TOKEN_TTL_DAYS）/ lifetime in days (default: TOKEN_TTL_DAYS)"),
    ] = None,
) -> None:
    """签发 API 令牌（仅显示一次，到期失效）/ issue an API token (shown once; it expires)."""
    import datetime as dt

    from ganzhi.accounts import users as accounts
    from ganzhi.settings import load_settings
    from ganzhi.store.db import session_scope
    from ganzhi.web.config import load_web_config

    lifetime = days if days is not None else load_web_config(load_settings()).token_ttl_days
    if lifetime <= 0:
        raise fail(f"users token: --days must be positive (got {lifetime:g})")
    try:
        with session_scope(open_store()) as session:
            value = accounts.issue_token(session, username, name, ttl=dt.timedelta(days=lifetime))
            _audit(session, "token.issue", username, {"prefix": value[:12], "name": name, "days": lifetime})
    except StoreError as exc:
        raise fail(f"users token: {exc}") from None
    typer.echo(value)


@app.command("tokens")
def tokens(
    username: Annotated[str, typer.Argument(help="用户名 / user name")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
) -> None:
    """列出用户的令牌（不含密文）/ list a user's tokens (ids and prefixes, never the secrets)."""
    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="users tokens")
    import datetime as dt

    from rich.table import Table

    from ganzhi.accounts import users as accounts
    from ganzhi.store.db import session_scope

    try:
        with session_scope(open_store()) as session:
            found = accounts.list_tokens(session, username)
    except StoreError as exc:
        raise fail(f"users tokens: {exc}") from None
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "id": t.id,
            "prefix": t.prefix,
            "name": t.name,
            "created_at": t.created_at.isoformat(),
            "expires_at": t.expires_at.isoformat() if t.expires_at else None,
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            "live": t.live(now),
        }
        for t in found
    ]
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"令牌 / tokens of {username}")
    for column in ("id", "prefix", "name", "expires", "state"):
        table.add_column(column)
    for row in rows:
        state = "live" if row["live"] else ("revoked" if row["revoked_at"] else "expired")
        table.add_row(str(row["id"]), str(row["prefix"]), str(row["name"]), str(row["expires_at"] or "never"), state)
    console.print(table)


@app.command("revoke-token")
def revoke_token(
    username: Annotated[str, typer.Argument(help="用户名 / user name")],
    token_ref: Annotated[
        str | None, typer.Argument(help="令牌 id 或前缀（见 users tokens）/ token id or prefix (see `users tokens`)")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="吊销该用户全部令牌 / revoke every token of the user")] = False,
) -> None:
    """吊销 API 令牌（立即失效，不可恢复）/ revoke API tokens (final, effective at once)."""
    if (token_ref is None) == (not all_):
        raise fail("users revoke-token: give a token id or prefix, or --all (not both)")
    from ganzhi.accounts import users as accounts
    from ganzhi.store.db import session_scope

    try:
        with session_scope(open_store()) as session:
            if token_ref is not None:
                info = accounts.revoke_token(session, username, token_ref)
                _audit(session, "token.revoke", username, {"token_id": info.id, "prefix": info.prefix})
                message = f"已吊销 / revoked token {info.id} ({info.prefix}…) of {username}"
            else:
                count = accounts.revoke_tokens(session, username)
                _audit(session, "token.revoke_all", username, {"revoked": count})
                message = f"已吊销 / revoked {count} token(s) of {username}"
    except StoreError as exc:
        raise fail(f"users revoke-token: {exc}") from None
    console.print(message, markup=False)


def _set_disabled(username: str, disabled: bool) -> None:
    from ganzhi.accounts import users as accounts
    from ganzhi.store.db import session_scope

    command = "disable" if disabled else "enable"
    try:
        with session_scope(open_store()) as session:
            accounts.set_disabled(session, username, disabled)
            _audit(session, f"user.{command}", username)
    except StoreError as exc:
        raise fail(f"users {command}: {exc}") from None
    state = "已停用 / disabled (sessions ended, tokens refused)" if disabled else "已启用 / enabled"
    console.print(f"{username}: {state}", markup=False)


@app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="用户名 / user name")]) -> None:
    """停用用户：会话立即结束，令牌被拒 / disable a user: sessions end now, tokens are refused."""
    _set_disabled(username, True)


@app.command("enable")
def enable(username: Annotated[str, typer.Argument(help="用户名 / user name")]) -> None:
    """重新启用用户 / enable a disabled user again."""
    _set_disabled(username, False)


@app.command("reset-password")
def reset_password(
    username: Annotated[str, typer.Argument(help="用户名 / user name")],
    password: Annotated[
        str | None,
        typer.Option(help="新密码；省略则生成随机密码并打印一次 / new password; omitted: a random one, printed once"),
    ] = None,
    keep: Annotated[
        bool,
        typer.Option("--no-force-change", help="不要求下次登录修改密码 / do not ask for a change at the next sign-in"),
    ] = False,
) -> None:
    """重置密码：结束会话，下次登录须修改 / reset a password: ends the user's sessions; next sign-in must change it."""
    import secrets

    from ganzhi.accounts import users as accounts
    from ganzhi.store.db import session_scope

    chosen = password or secrets.token_urlsafe(12)
    try:
        with session_scope(open_store()) as session:
            accounts.set_password(session, username, chosen, must_change=not keep)
            _audit(session, "user.reset_password", username, {"must_change": not keep})
    except (StoreError, ValueError) as exc:
        raise fail(f"users reset-password: {exc}") from None
    console.print(
        f"已重置 / password reset: {username}" + ("" if keep else "（下次登录须修改 / must change at next sign-in）")
    )
    if password is None:
        console.print(f"新密码 / new password: {chosen}", markup=False)
    console.print(accounts.PASSWORD_POLICY, markup=False)


@app.command("provinces")
def provinces(
    username: Annotated[str, typer.Argument(help="用户名 / user name")],
    province: Annotated[list[str] | None, typer.Argument(help="省份；不填则为全国 / provinces; none: national")] = None,
) -> None:
    """设置监管账户所辖省份 / limit a regulator account to provinces (none: national)."""
    from ganzhi.accounts import users as accounts
    from ganzhi.store.db import session_scope

    try:
        with session_scope(open_store()) as session:
            user = accounts.set_provinces(session, username, list(province or []))
            _audit(session, "user.provinces", username, {"provinces": list(user.provinces)})
    except StoreError as exc:
        raise fail(f"users provinces: {exc}") from None
    console.print(f"{username}: {'、'.join(user.provinces) or '全国 / national'}")


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
                        "disabled": u.disabled,
                        "provinces": list(u.provinces),
                        "must_change_password": u.must_change_password,
                    }
                    for u in users
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Table(title="用户 / users")
    for column in ("username", "role", "scope", "name", "state"):
        table.add_column(column)
    for u in users:
        scope_text = u.scope_id or "、".join(u.provinces)
        table.add_row(u.username, u.role.value, scope_text, u.display_name, "disabled" if u.disabled else "")
    console.print(table)
