"""Webhook delivery of store verdicts: a JSON body signed with HMAC-SHA256, posted with httpx.

The receiver recomputes `sha256=<hex HMAC of the raw body>` with its shared secret and compares it
with the `X-Ganzhi-Signature` header; `X-Ganzhi-Delivery` names the submission so a receiver can
drop duplicates (delivery is retried, so it is at-least-once).

Delivery goes through the guarded outbound client (`ganzhi.collect.transfer.guarded`): the callback
host must be (and resolve to) a public address, checked again at every attempt and redirect, and a
host that cannot be reached gives the one status `failed: not delivered` — whether its port is
closed, filtered or silent — so the recorded `callback_status` is no port scanner.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from ganzhi.collect.transfer.guarded import (
    DestinationRefused,
    GuardedClient,
    NotDelivered,
    OutboundError,
    OutboundPolicy,
)


def sign_body(secret: str, body: bytes) -> str:
    """The `X-Ganzhi-Signature` header value: `sha256=<hex HMAC-SHA256 of the raw body>`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


SIGNATURE_HEADER = "X-Ganzhi-Signature"
DELIVERY_HEADER = "X-Ganzhi-Delivery"
#: Seconds between attempts grow as 0.5, 1, 2 ... (configurable default).
BACKOFF_S = 0.5


#: The one status of a delivery that did not reach the receiver (no port-scan oracle).
NOT_DELIVERED = "failed: not delivered"


def validate_callback_url(url: str, policy: OutboundPolicy | None = None) -> str:
    """An absolute http(s) URL whose host is, and resolves to, a public address; ValueError naming the URL otherwise.

    A literal private/loopback/link-local/reserved IP (in any spelling) or a name resolving to one is
    refused. A name that does not resolve right now is accepted: delivery checks it again each time.
    `policy` defaults to `OutboundPolicy.from_env()` (`GANZHI_ALLOW_PRIVATE_NETWORK=1` allows loopback).
    """
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        hostname = None
    if parts.scheme not in ("http", "https") or not hostname:
        raise ValueError(f"callback_url must be an absolute http(s) URL (got {url[:200]!r})")
    if len(url) > 1024:
        raise ValueError(f"callback_url must be at most 1024 characters (got {len(url)})")
    try:
        (policy or OutboundPolicy.from_env()).addresses(url)
    except DestinationRefused as exc:
        raise ValueError(f"callback_url {url[:200]!r} is refused: {exc}") from None
    except NotDelivered:
        pass  # not resolvable now; refused at delivery if it still is not (or resolves to a private address)
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
    policy: OutboundPolicy | None = None,
) -> str:
    """POST the signed payload through the guarded client; returns the status line to record.

    `delivered <code>` for a 1xx/2xx answer, `failed: HTTP <code>` for another answer of a public
    host, `failed: not delivered` when the host could not be reached (refused, timed out, DNS), and
    `failed: refused: <why>` when the URL or its address is not allowed (never retried).
    `transport` replaces the network below the address checks (tests).
    """
    body = encode(payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign_body(secret, body),
        DELIVERY_HEADER: delivery_id,
        "User-Agent": "ganzhi-webhook/1",
    }
    last = "failed: no attempt made"
    with GuardedClient(
        policy, timeout_s=timeout_s, max_response_bytes=64 << 10, max_redirects=3, transport=transport
    ) as client:
        for attempt in range(max(attempts, 1)):
            try:
                response = client.post(url, content=body, headers=headers)
            except DestinationRefused as exc:
                return f"failed: refused: {exc}"[:128]
            except OutboundError:
                last = NOT_DELIVERED
            else:
                if response.status_code < 300:
                    return f"delivered {response.status_code}"
                last = f"failed: HTTP {response.status_code}"
            if attempt + 1 < attempts:
                time.sleep(BACKOFF_S * (2**attempt))
    return last
