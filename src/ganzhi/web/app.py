"""The application factory: one FastAPI app with the REST API v1, the pages and the static files.

`create_app` wires the database, blob store, web config, the store service and the limits into
`app.state`, so tests build an app on a temporary database and the server builds one from settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ganzhi.appstore.lookup import VerdictLookup
from ganzhi.appstore.service import SubmissionService
from ganzhi.collect.halls.finder import HallFinder
from ganzhi.settings import Settings
from ganzhi.store.blobs import BlobStore
from ganzhi.store.db import make_engine, session_factory
from ganzhi.web import apidocs, errors
from ganzhi.web.api.v1 import router as api_v1
from ganzhi.web.config import WebConfig, load_web_config
from ganzhi.web.limits import BodyLimitMiddleware, LoginLimiter
from ganzhi.web.pages import router as pages
from ganzhi.web.pages.speedtest import SpeedtestEndpoints
from ganzhi.web.security import SecurityHeadersMiddleware, SessionCodec, TrustedProxyMiddleware, parse_networks

STATIC_DIR = Path(__file__).resolve().parent / "static"
API_PREFIX = "/api/v1"


def create_app(
    settings: Settings,
    config: WebConfig | None = None,
    *,
    webhook_transport: httpx.BaseTransport | None = None,
) -> FastAPI:
    """Build the app for a migrated database (`ganzhi db upgrade` first); OpenAPI at /api/v1/openapi.json."""
    config = config or load_web_config(settings)
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    blobs = BlobStore(settings.blob_dir)
    service = SubmissionService(sessions, blobs, config, webhook_transport=webhook_transport)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            service.close(timeout_s=config.shutdown_timeout_s)
            engine.dispose()

    app = FastAPI(
        title="ganzhi 感知 API",
        version="1",
        description="524 行动检查与监管平台 / inspection and supervision platform for MIIT's 524 action.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.config = config
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.blobs = blobs
    app.state.submissions = service
    app.state.session_codec = SessionCodec(config.secret_key, config.session_max_age_s)
    app.state.login_limiter = LoginLimiter(
        config.login_attempts,
        config.login_window_s,
        base_delay_s=config.login_base_delay_s,
        max_delay_s=config.login_max_delay_s,
        client_attempts=config.login_client_attempts,
    )
    app.state.verdict_lookup = lookup = VerdictLookup(sessions, config.lookup_cache_s)
    service.on_change = lookup.invalidate
    app.state.halls = HallFinder(Path(config.halls_file) if config.halls_file else None)
    app.state.speedtest = SpeedtestEndpoints(
        config.speedtest_max_download_bytes,
        config.speedtest_max_upload_bytes,
        config.speedtest_max_streams,
        config.speedtest_max_streams_per_client,
    )
    app.include_router(api_v1, prefix=API_PREFIX)
    app.include_router(pages)
    app.include_router(apidocs.router(API_PREFIX))
    if apidocs.ASSETS is not None:
        app.mount(apidocs.ASSET_PREFIX, StaticFiles(directory=apidocs.ASSETS), name="apidocs")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    errors.install(app)
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=config.max_body_bytes,
        prefixes={
            f"{API_PREFIX}/store/submissions": config.max_apk_bytes + (1 << 20),
            f"{API_PREFIX}/evidence": config.max_evidence_bytes + (1 << 20),
            "/portal/self-check": config.max_apk_bytes + (1 << 20),
            "/portal/rectification": config.max_evidence_bytes + (1 << 20),
            "/speedtest/upload": config.speedtest_max_upload_bytes,
        },
    )
    # Added last = outermost: the real client address and scheme are settled before anything else runs.
    app.add_middleware(SecurityHeadersMiddleware, docs_paths=frozenset({f"{API_PREFIX}/docs", f"{API_PREFIX}/redoc"}))
    app.add_middleware(TrustedProxyMiddleware, trusted=parse_networks(config.trusted_proxies))
    return app


def app_from_environment() -> FastAPI:
    """The app for `GANZHI_HOME` (uvicorn's `--factory` target).

    In a worker process of uvicorn's supervisor (`ganzhi serve --workers N`) the process asks to get
    SIGTERM when the supervisor dies, so a killed supervisor leaves no worker holding the port.
    """
    import multiprocessing
    import signal

    from ganzhi.appstore.service import die_with_parent
    from ganzhi.settings import load_settings

    parent = multiprocessing.parent_process()
    if parent is not None and parent.pid is not None:
        die_with_parent(signal.SIGTERM, parent_pid=parent.pid)
    return create_app(load_settings())
