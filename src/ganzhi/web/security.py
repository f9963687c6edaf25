"""Browser sessions: cookies signed with itsdangerous that carry their own CSRF token.

Password and token hashing live in `ganzhi.accounts.credentials` (no HTTP there).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "ganzhi_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True, slots=True)
class BrowserSession:
    """What the signed session cookie carries."""

    user_id: int
    csrf: str
    lang: str = "zh"


class SessionCodec:
    """Signs and reads session cookies; a tampered or expired cookie reads as None."""

    def __init__(self, secret_key: str, max_age_s: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="ganzhi.session")
        self.max_age_s = max_age_s

    def dump(self, session: BrowserSession) -> str:
        return self._serializer.dumps({"u": session.user_id, "c": session.csrf, "l": session.lang})

    def load(self, cookie: str | None) -> BrowserSession | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age_s)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        uid, csrf, lang = data.get("u"), data.get("c"), data.get("l", "zh")
        if not isinstance(uid, int) or not isinstance(csrf, str) or lang not in ("zh", "en"):
            return None
        return BrowserSession(user_id=uid, csrf=csrf, lang=lang)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one the request sent."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())
