"""Scrapy downloader middlewares of the crawler: the destination guard and retries with exponential backoff.

`DestinationGuardMiddleware` runs before anything leaves the process (robots.txt requests and every redirect
hop included, since Scrapy sends each back through the middlewares): the host must be one the spec allows,
and every address it resolves to must be public unless the spec sets `allow_private`. The address rules
are the platform's one classification, `ganzhi.collect.transfer.guarded.OutboundPolicy` (IPv4 in every
`inet_aton` spelling, IPv4 carried in IPv6, `localhost` names), resolved in a thread and bounded in time.
Scrapy resolves the name again when it connects; that second answer is not pinned (the guarded HTTP client
pins it, Scrapy's downloader cannot), so a hostile DNS server could still rebind between the two lookups.

`BackoffRetryMiddleware` replaces Scrapy's RetryMiddleware: the same retryable statuses and exceptions, but
the n-th retry of a request waits `backoff_s * 2**(n-1)` seconds (at most `MAX_BACKOFF_S`) first.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response

from ganzhi.collect.transfer.guarded import DestinationRefused, NotDelivered, OutboundPolicy

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: Longest wait before one retry (configurable default).
MAX_BACKOFF_S = 60.0
#: How long a host's checked addresses are trusted before resolving again.
RESOLVE_TTL_S = 60.0
#: HTTP statuses retried (Scrapy's list).
RETRY_STATUSES = frozenset({500, 502, 503, 504, 522, 524, 408, 429})


class RefusedDestination(IgnoreRequest):
    """The request's host is not allowed or resolves to a refused address; the message says which and why."""


class DestinationGuardMiddleware:
    """Refuse requests to hosts outside the spec and to private/loopback addresses (see the module doc)."""

    def __init__(self, allowed_hosts: list[str], allow_private: bool, resolve_timeout_s: float) -> None:
        self.allowed = [host.lower() for host in allowed_hosts]
        self.policy = OutboundPolicy(allow_private=allow_private, resolve_timeout_s=resolve_timeout_s)
        self._checked: dict[tuple[str, int], float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DestinationGuardMiddleware:
        hosts = crawler.settings.getlist("GANZHI_ALLOWED_HOSTS")
        if not hosts:
            raise NotConfigured("GANZHI_ALLOWED_HOSTS is empty")
        return cls(
            hosts, crawler.settings.getbool("GANZHI_ALLOW_PRIVATE"), crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
        )

    def host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(
            host == allowed[1:] or host.endswith(allowed) if allowed.startswith(".") else host == allowed
            for allowed in self.allowed
        )

    async def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host:
            raise RefusedDestination(f"{request.url[:200]}: not an http(s) URL")
        if not self.host_allowed(host):
            raise RefusedDestination(f"{request.url[:200]}: host {host!r} is not in the spec's allowed_hosts")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (host, port)
        now = time.monotonic()
        if self._checked.get(key, 0.0) > now:
            return
        try:
            await asyncio.to_thread(self.policy.addresses, request.url)
        except DestinationRefused as exc:
            raise RefusedDestination(f"{request.url[:200]}: refused: {exc}") from None
        except NotDelivered as exc:
            raise RefusedDestination(f"{request.url[:200]}: cannot resolve: {exc.detail}") from None
        self._checked[key] = now + RESOLVE_TTL_S
        return


class BackoffRetryMiddleware:
    """Retry 5xx/429/408 answers and connection failures with exponential backoff."""

    EXCEPTIONS: tuple[str, ...] = (
        "TimeoutError",
        "CannotResolveHostError",
        "DNSLookupError",
        "ConnectionRefusedError",
        "ConnectionDone",
        "ConnectError",
        "ConnectionLost",
        "TCPTimedOutError",
        "ResponseFailed",
        "ResponseNeverReceived",
        "DownloadTimeoutError",
        "DownloadConnectionRefusedError",
        "DownloadFailedError",
        "ResponseDataLossError",
    )

    def __init__(self, crawler: Crawler, retries: int, backoff_s: float) -> None:
        self.crawler = crawler
        self.retries = retries
        self.backoff_s = backoff_s

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        return cls(crawler, crawler.settings.getint("GANZHI_RETRIES"), crawler.settings.getfloat("GANZHI_BACKOFF_S"))

    def _delay(self, request: Request) -> float:
        attempt = int(request.meta.get("retry_times", 0)) + 1
        return float(min(MAX_BACKOFF_S, self.backoff_s * 2 ** (attempt - 1)))

    async def _retry(self, request: Request, reason: str) -> Request | None:
        if request.meta.get("dont_retry"):
            return None
        delay = self._delay(request)
        spider = self.crawler.spider
        if spider is None:
            return None
        retry = get_retry_request(request, spider=spider, reason=reason, max_retry_times=self.retries)
        if retry is not None and delay > 0:
            await asyncio.sleep(delay)
        return retry

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status in RETRY_STATUSES:
            retry = await self._retry(request, f"HTTP {response.status}")
            if retry is not None:
                return retry
        return response

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        names = {cls.__name__ for cls in type(exception).__mro__}
        if names & set(self.EXCEPTIONS):
            return await self._retry(request, type(exception).__name__)
        return None


def guard_settings(allowed_hosts: list[str], allow_private: bool) -> dict[str, Any]:
    """The settings the two middlewares read, and their places in Scrapy's middleware order."""
    return {
        "GANZHI_ALLOWED_HOSTS": allowed_hosts,
        "GANZHI_ALLOW_PRIVATE": allow_private,
        "DOWNLOADER_MIDDLEWARES": {
            # before robots.txt (100) so even robots.txt requests are checked
            f"{__name__}.DestinationGuardMiddleware": 50,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            f"{__name__}.BackoffRetryMiddleware": 550,
        },
    }
