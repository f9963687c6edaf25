"""Settings of the web platform: secrets, limits and the store verdict rule, in one place.

Every number here is a configurable default (no rule fixes it); each can be overridden by an
environment variable `GANZHI_WEB_<NAME>` so a deployment tunes limits without code changes.
The signing secret is read from `GANZHI_SECRET_KEY` or generated once and kept in the data
directory (`web_secret`, mode 0600), so sessions survive a restart.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from ganzhi.appstore.verdict import VerdictRule, load_verdict_rule
from ganzhi.errors import GanzhiError
from ganzhi.settings import Settings
from ganzhi.web.security import parse_networks

SECRET_FILE_NAME = "web_secret"


class WebConfigError(GanzhiError):
    """A web setting is malformed; the message names the setting and the value."""


@dataclass(frozen=True, slots=True)
class WebConfig:
    """Limits and secrets of one server process (all numbers are configurable defaults)."""

    secret_key: str
    #: Largest APK accepted by the store service: 1 GiB (large games exceed 500 MB).
    max_apk_bytes: int = 1 << 30
    #: Largest other evidence upload (policy, list, capture bundle, CSV): 256 MiB.
    max_evidence_bytes: int = 256 << 20
    #: Largest request body on any other route (JSON, login form): 1 MiB.
    max_body_bytes: int = 1 << 20
    #: Browser session lifetime in seconds: one working day.
    session_max_age_s: int = 8 * 3600
    #: Failed logins per (user name, client address) answered at once; each further failure doubles the
    #: wait before the next attempt of that pair, from `login_base_delay_s` up to `login_max_delay_s`.
    #: Other addresses are never slowed down, so nobody can lock a known user out.
    login_attempts: int = 5
    #: Seconds after its last failure that a pair's (or an address's) failures are forgotten.
    login_window_s: float = 300.0
    login_base_delay_s: float = 2.0
    login_max_delay_s: float = 300.0
    #: Failed logins one client address may make within the window, over all user names (password spraying).
    login_client_attempts: int = 50
    #: Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (IPs or networks; none by default).
    trusted_proxies: tuple[str, ...] = ()
    #: Default lifetime of a new API token in days (`ganzhi users token --days` and the API may choose another).
    token_ttl_days: float = 90.0
    #: Seconds SIGTERM waits for running scans and open requests before stopping the workers.
    shutdown_timeout_s: float = 20.0
    #: Background scan workers of the store service.
    scan_workers: int = 2
    #: Run APK analysis in child processes ("process") or in the worker threads ("thread").
    scan_mode: str = "process"
    #: Webhook delivery: seconds per attempt and attempts.
    webhook_timeout_s: float = 10.0
    webhook_attempts: int = 3
    #: Always set the Secure flag on cookies; without it they get it whenever the request came over HTTPS
    #: (directly, or through a trusted proxy that says `X-Forwarded-Proto: https`).
    cookie_secure: bool = False
    #: Hall registry (CSV/XLSX/JSON) behind the public nearest-hall finder; default `$GANZHI_HOME/halls.csv`.
    halls_file: str | None = None
    #: Seconds a verified bearer token and a finished verdict stay cached on the verdict-lookup route.
    #: Bounds how long a token revoked from another process still reads verdicts (configurable default).
    lookup_cache_s: float = 2.0
    #: Largest upload accepted by the browser speed test per request (the page sends 16 MiB blobs).
    speedtest_max_upload_bytes: int = 64 << 20
    #: Largest download the browser speed test serves per request.
    speedtest_max_download_bytes: int = 1 << 30
    #: Concurrent speed-test streams across all visitors (each stream holds a connection).
    speedtest_max_streams: int = 16
    #: Concurrent speed-test streams of one client address (so one visitor cannot take every slot).
    speedtest_max_streams_per_client: int = 6
    #: Days ahead the dashboard counts an open issue as "due soon" (7: one working week plus the weekend).
    due_soon_days: int = 7
    #: Rows per page of the regulator's lists, and the most a visitor may ask for (`?per=`).
    page_rows: int = 50
    max_page_rows: int = 500
    #: Most rows one CSV/XLSX export of a filtered list may hold (a larger selection is refused, not cut).
    max_export_rows: int = 50_000
    verdict_rule: VerdictRule = field(default_factory=load_verdict_rule)

    def with_overrides(self, **changes: Any) -> WebConfig:
        """A copy with some settings changed (tests, CLI flags)."""
        return replace(self, **changes)


_INT_SETTINGS = (
    "max_apk_bytes",
    "max_evidence_bytes",
    "max_body_bytes",
    "session_max_age_s",
    "login_attempts",
    "scan_workers",
    "webhook_attempts",
    "speedtest_max_upload_bytes",
    "speedtest_max_download_bytes",
    "speedtest_max_streams",
    "speedtest_max_streams_per_client",
    "login_client_attempts",
    "due_soon_days",
    "page_rows",
    "max_page_rows",
    "max_export_rows",
)
_FLOAT_SETTINGS = (
    "login_window_s",
    "login_base_delay_s",
    "login_max_delay_s",
    "webhook_timeout_s",
    "lookup_cache_s",
    "token_ttl_days",
    "shutdown_timeout_s",
)


def _secret(settings: Settings, env: dict[str, str]) -> str:
    given = env.get("GANZHI_SECRET_KEY")
    if given:
        if len(given) < 32:
            raise WebConfigError(f"GANZHI_SECRET_KEY: expected at least 32 characters, got {len(given)}")
        return given
    path = settings.home / SECRET_FILE_NAME
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    settings.home.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


def load_web_config(settings: Settings, environ: dict[str, str] | None = None) -> WebConfig:
    """The web config from the environment (`GANZHI_WEB_<NAME>` overrides each default)."""
    env = dict(os.environ if environ is None else environ)
    changes: dict[str, Any] = {}
    for name in (*_INT_SETTINGS, *_FLOAT_SETTINGS, "scan_mode", "cookie_secure", "halls_file", "trusted_proxies"):
        raw = env.get(f"GANZHI_WEB_{name.upper()}")
        if raw is None:
            continue
        try:
            if name in _INT_SETTINGS:
                value: Any = int(raw)
            elif name in _FLOAT_SETTINGS:
                value = float(raw)
            elif name == "halls_file":
                value = raw.strip()
            elif name == "trusted_proxies":
                value = tuple(part.strip() for part in raw.split(",") if part.strip())
                parse_networks(value)
            elif name == "cookie_secure":
                value = raw.strip().lower() in ("1", "true", "yes")
            else:
                value = raw.strip()
        except ValueError as exc:
            expected = "IP addresses or networks, comma-separated" if name == "trusted_proxies" else "a number"
            raise WebConfigError(f"GANZHI_WEB_{name.upper()}: expected {expected}, got {raw!r} ({exc})") from None
        if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
            raise WebConfigError(f"GANZHI_WEB_{name.upper()}: expected a positive number, got {raw!r}")
        changes[name] = value
    if changes.get("scan_mode", "process") not in ("process", "thread"):
        raise WebConfigError(f"GANZHI_WEB_SCAN_MODE: expected 'process' or 'thread', got {changes['scan_mode']!r}")
    changes.setdefault("halls_file", str(settings.home / "halls.csv"))
    return WebConfig(secret_key=_secret(settings, env), **changes)
