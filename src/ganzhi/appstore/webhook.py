"""Webhook delivery of store verdicts: a JSON body signed with HMAC-SHA256, posted with httpx.

The receiver recomputes `sha256=<hex HMAC of the raw body>` with its shared secret and compares it
with the `X-Ganzhi-Signature` header; `X-Ganzhi-Delivery` names the submission so a receiver can
drop duplicates (delivery is retried, so it is at-least-once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlsplit

import httpx


def sign_body(secret: str, body: bytes) -> str:
    """The `X-Ganzhi-Signature` header value: `sha256=<hex HMAC-SHA256 of the raw body>`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


SIGNATURE_HEADER = "X-Ganzhi-Signature"
DELIVERY_HEADER = "X-Ganzhi-Delivery"
#: Seconds between attempts grow as 0.5, 1, 2 ... (configurable default).
BACKOFF_S = 0.5


def validate_callback_url(url: str) -> str:
    """An absolute http(s) URL with a host; ValueError naming the URL otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"callback_url must be an absolute http(s) URL (got {url[:200]!r})")
    if len(url) > 1024:
        raise ValueError(f"callback_url must be at most 1024 characters (got {len(url)})")
    return url


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def deliver(
    url: str,
    payload: dict[str, Any],
    *,
    secret: str,
    delivery_id: str,
    timeout_s: float,
    attempts: int,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """POST the signed payload; returns a status line such as `delivered 200` or `failed: <reason>`."""
    body = encode(payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign_body(secret, body),
        DELIVERY_HEADER: delivery_id,
        "User-Agent": "ganzhi-webhook/1",
    }
    last = "failed: no attempt made"
    with httpx.Client(timeout=timeout_s, transport=transport, follow_redirects=False) as client:
        for attempt in range(max(attempts, 1)):
            try:
                response = client.post(url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                last = f"failed: {type(exc).__name__}: {exc}"[:128]
            else:
                if response.status_code < 300:
                    return f"delivered {response.status_code}"
                last = f"failed: HTTP {response.status_code}"
            if attempt + 1 < attempts:
                time.sleep(BACKOFF_S * (2**attempt))
    return last
