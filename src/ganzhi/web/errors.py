"""Errors as a person reads them: Chinese-first HTML pages for page routes, JSON for `/api/`.

FastAPI answers every error with English JSON; a browser on `/issues?task=T99` or an unknown URL
should get the site's page instead, with the reason in words. API clients keep the JSON they parse.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ganzhi.accounts.users import PUBLIC, Principal
from ganzhi.web.pages.render import LABELS, language, page

API_PREFIX = "/api/"

#: Titles of the error pages by status (zh, en).
TITLES: dict[int, tuple[str, str]] = {
    400: ("请求有误", "Bad request"),
    401: ("请先登录", "Please sign in"),
    403: ("无权访问", "Access denied"),
    404: ("页面不存在", "Page not found"),
    405: ("不支持的操作", "Method not allowed"),
    409: ("操作冲突", "Conflict"),
    413: ("上传内容过大", "Upload too large"),
    422: ("提交的内容有误", "The submitted data is not valid"),
    429: ("请求过于频繁", "Too many requests"),
}
#: Field errors listed on a 422 page (the rest are counted).
MAX_FIELD_ERRORS = 20


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX) or (
        request.url.path.startswith("/speedtest/") and (request.url.path not in ("/speedtest/", "/speedtest/diagnose"))
    )


def _principal(request: Request) -> Principal:
    """Who is asking, for the page header; an error page never fails because the session cannot be read."""
    try:
        from ganzhi.accounts import users as accounts
        from ganzhi.web.deps import browser_session

        browser = browser_session(request)
        if browser is None:
            return PUBLIC
        with request.app.state.sessions() as session:
            return accounts.principal_for_session(session, browser.session_id) or PUBLIC
    except Exception:
        return PUBLIC


def error_page(request: Request, status: int, detail: Any, headers: dict[str, str] | None = None) -> Response:
    lang = language(request)
    zh, en = TITLES.get(status, ("出错了", "Something went wrong"))
    context = {"status": status, "title": zh if lang == "zh" else en, "detail": detail, "back": LABELS[lang]["back"]}
    response = page(request, "error.html", _principal(request), context, status_code=status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _field_errors(exc: RequestValidationError, lang: str) -> list[str]:
    lines = []
    for error in exc.errors()[:MAX_FIELD_ERRORS]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
        message = str(error.get("msg", ""))
        if error.get("type") == "missing":
            message = "必填项未填写" if lang == "zh" else "required field is missing"
        lines.append(f"{where}: {message}" if where else message)
    extra = len(exc.errors()) - MAX_FIELD_ERRORS
    if extra > 0:
        lines.append(f"… 另有 {extra} 处" if lang == "zh" else f"… {extra} more")
    return lines


def install(app: FastAPI) -> None:
    """Register the handlers: HTML for page routes, FastAPI's JSON for the API."""

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return await http_exception_handler(request, exc)
        detail = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else request.url.path
        return error_page(request, exc.status_code, detail, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return await request_validation_exception_handler(request, exc)
        return error_page(request, 422, _field_errors(exc, language(request)))
