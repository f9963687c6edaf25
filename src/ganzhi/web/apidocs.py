"""Swagger UI and ReDoc for the REST API, served from this server (offline deployments see them too).

The assets come from the `fastapi-offline` package (Swagger UI bundle + CSS, ReDoc standalone),
mounted under `/static/apidocs/`; the pages carry no inline script (`static/apidocs.js` starts them).
Without the package the pages say which package to install instead of loading a CDN.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

ASSET_PREFIX = "/static/apidocs"


def _assets() -> Path | None:
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


#: The folder holding swagger-ui-bundle.js, swagger-ui.css and redoc.standalone.js, or None.
ASSETS = _assets()

_MISSING = (
    "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>接口文档 / API docs</title>"
    "<p>接口文档需要安装 fastapi-offline（pip install 'ganzhi[web]'）；规范文件见 "
    "<a href='{spec}'>{spec}</a>。 / The API docs need the fastapi-offline package; the spec is at "
    "<a href='{spec}'>{spec}</a>.</p></html>"
)


def _swagger(spec: str) -> str:
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>感知 API · Swagger UI</title>"
        f"<link rel='stylesheet' href='{ASSET_PREFIX}/swagger-ui.css'></head><body>"
        f"<div id='swagger-ui' data-spec='{spec}'></div>"
        f"<script src='{ASSET_PREFIX}/swagger-ui-bundle.js'></script>"
        "<script src='/static/apidocs.js'></script></body></html>"
    )


def _redoc(spec: str) -> str:
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>感知 API · ReDoc</title></head><body>"
        f"<div id='redoc' data-spec='{spec}'></div>"
        f"<script src='{ASSET_PREFIX}/redoc.standalone.js'></script>"
        "<script src='/static/apidocs.js'></script></body></html>"
    )


def router(prefix: str) -> APIRouter:
    """`{prefix}/docs` (Swagger UI) and `{prefix}/redoc` (ReDoc) for `{prefix}/openapi.json`."""
    spec = f"{prefix}/openapi.json"
    pages = APIRouter(include_in_schema=False)

    @pages.get(f"{prefix}/docs", response_class=HTMLResponse)
    def swagger() -> HTMLResponse:
        return HTMLResponse(_swagger(spec) if ASSETS is not None else _MISSING.format(spec=spec))

    @pages.get(f"{prefix}/redoc", response_class=HTMLResponse)
    def redoc() -> HTMLResponse:
        return HTMLResponse(_redoc(spec) if ASSETS is not None else _MISSING.format(spec=spec))

    return pages
