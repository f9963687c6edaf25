"""Pages rendered by JavaScript: Debian's Chromium driven by Playwright, as a Scrapy download handler.

Requests whose meta has `ganzhi_render` go to Chromium; all others to Scrapy's HTTP/1.1 handler. Because
rendering happens inside the download handler, a rendered page takes a downloader slot like any other: the
per-host delay, concurrency, AutoThrottle, robots.txt and the destination guard apply to it unchanged.
Chromium's own sub-requests (the XHR that fills a table, scripts, images) are checked by a route handler
against the spec's hosts and the same address rules, and refused otherwise.

The browser is Debian's `/usr/bin/chromium` (setting `GANZHI_CHROMIUM`), launched through
`chromium.launch(executable_path=...)`; Playwright never downloads a browser. It starts on the first
rendered page, and a screenshot (PNG, height bounded) of every rendered page is kept in the request meta
(`ganzhi_screenshot`) so the page can be proven later as it looked.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import HtmlResponse, Request, Response

from ganzhi.collect.transfer.guarded import DestinationRefused, NotDelivered, OutboundPolicy

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: Screenshot size: width of the viewport and the tallest part of the page kept (pixels).
VIEWPORT = {"width": 1280, "height": 900}
MAX_SCREENSHOT_HEIGHT = 8_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


class RenderError(Exception):
    """Chromium could not render a page; the message names the URL and why."""


class RenderingDownloadHandler(HTTP11DownloadHandler):
    """HTTP/1.1 for plain requests, Chromium for `ganzhi_render` ones (see the module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.executable = settings.get("GANZHI_CHROMIUM") or DEFAULT_CHROMIUM
        self.allowed = [h.lower() for h in settings.getlist("GANZHI_ALLOWED_HOSTS")]
        self.policy = OutboundPolicy(allow_private=settings.getbool("GANZHI_ALLOW_PRIVATE"))
        self.max_bytes = settings.getint("DOWNLOAD_MAXSIZE")
        self.timeout_s = settings.getfloat("DOWNLOAD_TIMEOUT")
        self.user_agent = settings.get("USER_AGENT")
        self._lock = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._context: Any = None
        self._checked: dict[str, bool] = {}

    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("ganzhi_render"):
            return await super().download_request(request)
        return await self._render(request)

    async def _context_ready(self) -> Any:
        async with self._lock:
            if self._context is None:
                if not Path(self.executable).is_file():
                    raise RenderError(
                        f"Chromium not found at {self.executable}: install Debian's chromium (apt-get install chromium)"
                    )
                from playwright.async_api import async_playwright

                self._playwright = await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.executable, headless=True, args=CHROMIUM_ARGS
                )
                self._context = await self._browser.new_context(
                    user_agent=self.user_agent, viewport=VIEWPORT, service_workers="block"
                )
            return self._context

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            return False
        if not any(host == a[1:] or host.endswith(a) if a.startswith(".") else host == a for a in self.allowed):
            return False
        key = f"{host}:{parts.port}"
        if key not in self._checked:
            try:
                self.policy.addresses(url)
                self._checked[key] = True
            except (DestinationRefused, NotDelivered):
                self._checked[key] = False
        return self._checked[key]

    async def _route(self, route: Any) -> None:
        if await asyncio.to_thread(self._allowed, route.request.url):
            await route.continue_()
        else:
            await route.abort("blockedbyclient")

    async def _render(self, request: Request) -> Response:
        context = await self._context_ready()
        timeout_ms = float(request.meta.get("download_timeout") or self.timeout_s) * 1000
        page = await context.new_page()
        started = time.monotonic()
        try:
            await page.route("**/*", self._route)
            answer = await page.goto(request.url, timeout=timeout_ms, wait_until="networkidle")
            wait_for = request.meta.get("ganzhi_wait_for")
            if wait_for:
                left = max(1000.0, timeout_ms - (time.monotonic() - started) * 1000)
                await page.wait_for_selector(str(wait_for), timeout=left)
            html: str = await page.content()
            body = html.encode("utf-8")
            if len(body) > self.max_bytes:
                raise RenderError(f"{request.url}: rendered page is {len(body)} bytes, above {self.max_bytes}")
            height = int(await page.evaluate("document.documentElement.scrollHeight") or VIEWPORT["height"])
            clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": max(1, min(height, MAX_SCREENSHOT_HEIGHT))}
            request.meta["ganzhi_screenshot"] = await page.screenshot(full_page=True, clip=clip, type="png")
            request.meta["ganzhi_final_url"] = page.url
            status = answer.status if answer is not None else 200
            headers = await answer.all_headers() if answer is not None else {}
        except RenderError:
            raise
        except Exception as exc:  # Playwright's errors carry the reason (timeout, net::ERR_...)
            raise RenderError(f"{request.url}: rendering failed: {str(exc).splitlines()[0][:300]}") from None
        finally:
            await page.close()
        headers = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "content-encoding")}
        headers["content-type"] = "text/html; charset=utf-8"
        return HtmlResponse(
            url=request.url, status=status, headers=headers, body=body, encoding="utf-8", request=request,
            flags=["rendered"],
        )  # fmt: skip

    async def close(self) -> None:
        try:
            if self._context is not None:
                await self._context.close()
            if self._browser is not None:
                await self._browser.close()
            if self._playwright is not None:
                await self._playwright.stop()
        finally:
            self._context = self._browser = self._playwright = None
            await super().close()
