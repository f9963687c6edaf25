"""The Scrapy side of a collection: one spider per spec, fed from and reporting to a `PageSink`.

The frontier is not Scrapy's: it lives in the database above this layer (`ganzhi.usecases.crawl`), behind
the `PageSink` protocol. A spider asks the sink for the pending pages of its site, fetches them, hands every
page (or why it failed) back, and offers the links its rules select; the sink keeps the new ones (within the
site's page limit) and returns those this process should fetch. So a killed crawl resumes from the sink's
pending pages and never fetches a page the sink already has.

`run_partition` runs the spiders of a partition (sites whose hosts no other partition touches) in one Twisted
reactor and returns when they are all closed; call it in a fresh process (a reactor cannot restart).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urldefrag, urljoin, urlsplit

import scrapy
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from ganzhi.collect.crawl.middlewares import guard_settings
from ganzhi.collect.crawl.spec import CrawlSpec, Follow, Rule

#: Identifies the crawler to site operators (with the contact a deployment sets in `GANZHI_CRAWL_CONTACT`).
USER_AGENT = "ganzhi-524-inspector/1.0 (+MIIT 524 action inspection; {contact})"
DEFAULT_CONTACT = "operated by the inspecting regulator"
#: Frontier rows asked from the sink at a time when starting or resuming.
START_BATCH = 500
#: Statuses delivered to the callback (recorded as pages) instead of being dropped by Scrapy.
RECORDED_STATUSES = list(range(400, 600))
MAX_URL_CHARS = 2048


@dataclass(frozen=True, slots=True)
class FrontierItem:
    """One page to fetch: frontier row id, site (spec name), URL, the rule it was reached by, link depth."""

    id: int
    site: str
    url: str
    rule: str
    depth: int


@dataclass(frozen=True, slots=True)
class Link:
    """A link a rule selected: where it leads, the rule for that page, and the page it was found on."""

    site: str
    url: str
    rule: str
    depth: int
    parent_id: int


@dataclass(slots=True)
class FetchedPage:
    """A page as received, with its provenance."""

    item: FrontierItem
    url: str
    final_url: str
    status: int
    headers: dict[str, list[str]]
    body: bytes
    media_type: str
    fetched_at: dt.datetime
    elapsed_s: float
    rendered: bool = False
    cached: bool = False
    screenshot: bytes | None = None
    redirects: list[str] = field(default_factory=list)


class PageSink(Protocol):
    """Where a spider's frontier lives and its pages go (implemented over the database by the use case)."""

    def pending(self, site: str, after_id: int, limit: int) -> list[FrontierItem]:
        """Pending pages of `site` with id > `after_id`, by id; at most `limit`."""
        ...

    def discovered(self, links: Sequence[Link]) -> list[FrontierItem]:
        """Keep new links (within limits); return those this process fetches now."""
        ...

    def fetched(self, page: FetchedPage) -> None:
        """Store a page and mark its frontier row done (or failed for 4xx/5xx)."""
        ...

    def failed(self, item: FrontierItem, reason: str) -> None:
        """Mark a frontier row failed (refused, robots.txt, timeout, too large, redirect loop...)."""
        ...

    def flush(self) -> None:
        """Commit what is buffered."""
        ...


def user_agent(spec: CrawlSpec, contact: str | None) -> str:
    """The spec's User-Agent, or ganzhi's identifying one."""
    return spec.user_agent or USER_AGENT.format(contact=contact or DEFAULT_CONTACT)


def scrapy_settings(spec: CrawlSpec, *, cache_dir: str | None, contact: str | None = None) -> dict[str, Any]:
    """Scrapy settings that carry out the spec's politeness and limits."""
    polite, limits = spec.politeness, spec.limits
    settings: dict[str, Any] = {
        "BOT_NAME": "ganzhi",
        "USER_AGENT": user_agent(spec, contact),
        "ROBOTSTXT_OBEY": polite.obey_robots,
        "ROBOTSTXT_USER_AGENT": "ganzhi-524-inspector",
        "DOWNLOAD_DELAY": polite.delay_s,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency_per_host,
        "CONCURRENT_REQUESTS": max(16, polite.concurrency_per_host * len(spec.allowed_hosts)),
        "AUTOTHROTTLE_ENABLED": polite.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(polite.delay_s, 0.01),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(polite.concurrency_per_host),
        "GANZHI_RETRIES": polite.retries,
        "GANZHI_BACKOFF_S": polite.backoff_s,
        "DOWNLOAD_MAXSIZE": limits.max_response_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_TIMEOUT": limits.timeout_s,
        "REDIRECT_MAX_TIMES": limits.max_redirects,
        "DEPTH_LIMIT": 0,
        "CLOSESPIDER_TIMEOUT": limits.max_seconds,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "ERROR",
        "LOG_ENABLED": True,
        "HTTPERROR_ALLOW_ALL": False,
        "DOWNLOAD_HANDLERS": {
            "http": "ganzhi.collect.crawl.render.RenderingDownloadHandler",
            "https": "ganzhi.collect.crawl.render.RenderingDownloadHandler",
        },
        **guard_settings(list(spec.allowed_hosts), spec.allow_private),
    }
    if polite.http_cache and cache_dir:
        settings.update(
            {
                "HTTPCACHE_ENABLED": True,
                "HTTPCACHE_DIR": cache_dir,
                "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
                "HTTPCACHE_IGNORE_HTTP_CODES": RECORDED_STATUSES,
            }
        )
    return settings


def _clean(url: str) -> str | None:
    url = urldefrag(url.strip())[0]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL_CHARS:
        return None
    return url


def _hrefs(response: TextResponse, follow: Follow) -> Iterator[str]:
    """Link targets a follow directive selects on a page."""
    if follow.css:
        selected = response.css(follow.css)
        for node in selected:
            href = node.attrib.get("href") if hasattr(node, "attrib") else None
            yield href if href else node.get()
    elif follow.xpath:
        for node in response.xpath(follow.xpath):
            href = node.attrib.get("href") if hasattr(node, "attrib") else None
            yield href if href else node.get()
    else:
        pattern = re.compile(follow.text or follow.url or "")
        for anchor in response.css("a[href]"):
            href = anchor.attrib.get("href", "")
            if follow.text:
                label = " ".join(anchor.css("::text").getall()).strip() or anchor.attrib.get("title", "")
                if pattern.search(label):
                    yield href
            elif pattern.search(urljoin(response.url, href)):
                yield href


def select_links(spec: CrawlSpec, rule: Rule, response: TextResponse, item: FrontierItem) -> list[Link]:
    """Links the page's rule follows: absolute, on allowed hosts, within the depth limit, each with its rule."""
    if item.depth + 1 > spec.limits.max_depth:
        return []
    found: dict[str, Link] = {}
    for follow in rule.follow:
        taken = 0
        for href in _hrefs(response, follow):
            if taken >= follow.max_links:
                break
            url = _clean(urljoin(response.url, str(href or "")))
            if url is None or url in found or not spec.host_allowed(urlsplit(url).hostname or ""):
                continue
            target = spec.rule(follow.to) if follow.to else spec.rule_for(url)
            if target is None:
                continue
            found[url] = Link(site=spec.name, url=url, rule=target.name, depth=item.depth + 1, parent_id=item.id)
            taken += 1
    return list(found.values())


def failure_reason(failure: Failure) -> str:
    """A short reason for a failed request, naming what limit or rule stopped it."""
    exc = failure.value
    name = type(exc).__name__
    text = str(exc).strip() or name
    if name == "IgnoreRequest" and "robots" in text.lower():
        return "robots.txt disallows this URL"
    if name == "IgnoreRequest" and "Forbidden by robots.txt" in text:
        return "robots.txt disallows this URL"
    if name == "DownloadCancelledError" or "maxsize" in text.lower() or "max size" in text.lower():
        return f"response too large: {text[:300]}"
    if "redirect" in text.lower():
        return f"redirects: {text[:300]}"
    return f"{name}: {text[:300]}"


class SpecSpider(scrapy.Spider):
    """Collects one spec's site through a `PageSink`."""

    name = "ganzhi"

    def __init__(self, spec: CrawlSpec, sink: PageSink, **kwargs: Any) -> None:
        super().__init__(name=f"ganzhi-{spec.name}", **kwargs)
        self.spec = spec
        self.sink = sink
        self.fetched = 0
        self.failures = 0

    def request_for(self, item: FrontierItem) -> Request:
        rule = self.spec.rule(item.rule)
        meta: dict[str, Any] = {
            "ganzhi_item": item,
            "ganzhi_started": time.monotonic(),
            "handle_httpstatus_list": RECORDED_STATUSES,
            "download_timeout": rule.timeout_s or self.spec.limits.timeout_s,
        }
        if rule.render:
            meta["ganzhi_render"] = True
            meta["ganzhi_wait_for"] = rule.wait_for
        return Request(item.url, callback=self.parse_page, errback=self.on_error, meta=meta, dont_filter=True)

    async def start(self) -> AsyncIterator[Any]:
        after = 0
        while True:
            batch = self.sink.pending(self.spec.name, after, START_BATCH)
            if not batch:
                return
            for item in batch:
                after = max(after, item.id)
                yield self.request_for(item)

    def parse_page(self, response: Response) -> Iterator[Request]:
        item: FrontierItem = response.meta["ganzhi_item"]
        headers = {
            key.decode("latin-1").lower(): [v.decode("latin-1") for v in values]
            for key, values in response.headers.items()
        }
        content_type = (headers.get("content-type") or ["application/octet-stream"])[0]
        page = FetchedPage(
            item=item,
            url=item.url,
            final_url=str(response.meta.get("ganzhi_final_url") or response.url),
            status=response.status,
            headers=headers,
            body=response.body,
            media_type=content_type.split(";")[0].strip().lower() or "application/octet-stream",
            fetched_at=dt.datetime.now(dt.UTC),
            elapsed_s=time.monotonic() - float(response.meta.get("ganzhi_started", time.monotonic())),
            rendered="rendered" in response.flags,
            cached="cached" in response.flags,
            screenshot=response.meta.get("ganzhi_screenshot"),
            redirects=[str(u) for u in response.meta.get("redirect_urls", [])],
        )
        self.sink.fetched(page)
        self.fetched += 1
        if response.status >= 400 or not isinstance(response, TextResponse):
            return
        rule = self.spec.rule(item.rule)
        links = select_links(self.spec, rule, response, item)
        if links:
            for new in self.sink.discovered(links):
                yield self.request_for(new)

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        item = request.meta.get("ganzhi_item") if request is not None else None
        if item is None:
            return
        self.failures += 1
        self.sink.failed(item, failure_reason(failure))

    def closed(self, reason: str) -> None:
        self.sink.flush()


def run_partition(specs: Sequence[CrawlSpec], sinks: dict[str, PageSink], *, cache_dir: str | None,
                  contact: str | None = None) -> dict[str, str]:  # fmt: skip
    """Crawl `specs` (one spider each) in this process until all close; returns spec name → close reason."""
    from scrapy.crawler import CrawlerProcess

    reasons: dict[str, str] = {}
    process = CrawlerProcess(settings={"LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False}, install_root_handler=True)
    for spec in specs:
        settings = scrapy_settings(spec, cache_dir=cache_dir, contact=contact)
        spidercls = type(f"SpecSpider_{spec.name}", (SpecSpider,), {"custom_settings": settings})
        crawler = process.create_crawler(spidercls)

        def record(spider: scrapy.Spider, reason: str, _name: str = spec.name) -> None:
            reasons[_name] = reason

        crawler.signals.connect(record, signal=scrapy.signals.spider_closed)
        process.crawl(crawler, spec=spec, sink=sinks[spec.name])
    process.start()
    return reasons
