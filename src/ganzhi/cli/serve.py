"""`ganzhi serve`: the web platform (REST API v1, pages, the app-store detection service).

uvicorn's own proxy-header handling is off: the app believes `X-Forwarded-For` / `X-Forwarded-Proto`
only from `GANZHI_WEB_TRUSTED_PROXIES` (see `ganzhi.web.security`). SIGTERM stops accepting, gives open
requests and running scans `GANZHI_WEB_SHUTDOWN_TIMEOUT_S` each, then stops the scan workers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ganzhi.cli._common import console, open_store, require_extra

app = typer.Typer(help="启动 Web 平台 / run the web platform.", invoke_without_command=True)


def _load_demo() -> None:
    from ganzhi.appstore.service import SubmissionService
    from ganzhi.demo.platform import load_demo
    from ganzhi.settings import load_settings
    from ganzhi.store.blobs import BlobStore
    from ganzhi.web.config import load_web_config

    settings = load_settings()
    config = load_web_config(settings)
    sessions = open_store()
    service = SubmissionService(sessions, BlobStore(settings.blob_dir), config)
    try:
        loaded = load_demo(
            sessions,
            service,
            Path(config.halls_file or settings.home / "halls.csv"),
            say=lambda text: console.print(f"demo: {text}", markup=False),
        )
    finally:
        service.close()
    for login in loaded.logins:
        scope = f" @ {login.scope_id}" if login.scope_id else ""
        console.print(f"demo login: {login.username} / {login.password}  ({login.role}{scope})", markup=False)
    if loaded.logins:
        console.print(
            "以上演示密码仅供首次登录：首次登录时须修改密码（网页 /account，或 POST /api/v1/auth/password），"
            "修改前接口一律返回 403。 / These demo passwords are for the first sign-in only: each account must "
            "change its password at first sign-in (page /account, or POST /api/v1/auth/password); until then "
            "the API answers 403.",
            markup=False,
        )
    else:
        console.print(
            "演示用户已存在（密码已在创建时打印过；忘记时用 `ganzhi users reset-password`）。 / demo users exist "
            "already (passwords were printed when they were created; `ganzhi users reset-password` sets a new one)."
        )


@app.callback()
def serve(
    host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port")] = 8524,
    demo: Annotated[
        bool, typer.Option(help="先载入演示平台和演示用户并打印登录信息 / load the demo platform and users first")
    ] = False,
    workers: Annotated[int, typer.Option(help="服务进程数（0：每核一个）/ server processes (0: one per CPU core)")] = 1,
) -> None:
    """启动服务 / serve on http://HOST:PORT (API docs at /api/v1/docs)."""
    require_extra("web")
    import uvicorn

    from ganzhi.settings import load_settings
    from ganzhi.web.config import load_web_config

    open_store()  # migrates the database, so the workers start on the current schema
    config = load_web_config(load_settings())  # a malformed GANZHI_WEB_* setting fails here, before binding
    if demo:
        _load_demo()
    count = workers if workers > 0 else (os.cpu_count() or 1)
    console.print(f"ganzhi web on http://{host}:{port}  (API docs: /api/v1/docs, {count} worker(s))")
    fast = _fast_server()
    uvicorn.run(
        "ganzhi.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=count,
        log_level="warning",
        loop=fast.get("loop", "auto"),
        http=fast.get("http", "auto"),
        proxy_headers=False,  # forwarded headers: only from GANZHI_WEB_TRUSTED_PROXIES, decided by the app
        server_header=False,
        timeout_graceful_shutdown=max(1, round(config.shutdown_timeout_s)),
    )


def _fast_server() -> dict[str, str]:
    """uvloop and httptools when installed (the `web` extra's optional speed-ups), else uvicorn's defaults."""
    options: dict[str, str] = {}
    try:
        import uvloop  # noqa: F401

        options["loop"] = "uvloop"
    except ImportError:
        pass
    try:
        import httptools  # noqa: F401

        options["http"] = "httptools"
    except ImportError:
        pass
    return options
