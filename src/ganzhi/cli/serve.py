"""`ganzhi serve`: the web platform (REST API v1, pages, the app-store detection service)."""

from __future__ import annotations

from typing import Annotated

import typer

from ganzhi.cli._common import console, open_store
from ganzhi.settings import load_settings
from ganzhi.store.db import session_scope

app = typer.Typer(help="启动 Web 平台 / run the web platform.", invoke_without_command=True)


@app.callback()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8524,
    demo: Annotated[bool, typer.Option(help="load the demo campaign and demo users first, print their logins")] = False,
) -> None:
    """启动服务 / serve on http://HOST:PORT (API docs at /api/v1/docs)."""
    import uvicorn

    from ganzhi.web.app import create_app

    sessions = open_store()
    if demo:
        from ganzhi.demo.run import run_demo
        from ganzhi.store.repositories import list_runs
        from ganzhi.web.demo_users import install_demo_users

        with session_scope(sessions) as session:
            fresh = not list_runs(session, limit=1)
        if fresh:
            console.print("loading the demo campaign …")
            run_demo(sessions)
        with session_scope(sessions) as session:
            logins = install_demo_users(session)
        for login in logins:
            scope = f" @ {login.scope_id}" if login.scope_id else ""
            console.print(f"demo login: {login.username} / {login.password}  ({login.role}{scope})", markup=False)
        if not logins:
            console.print("demo users exist already (passwords were printed when they were created)")
    console.print(f"ganzhi web on http://{host}:{port}  (API docs: /api/v1/docs)")
    uvicorn.run(create_app(load_settings()), host=host, port=port, log_level="warning")
