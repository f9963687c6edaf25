"""Secrets at rest: scrypt password hashes and hashed API tokens.

Passwords use the standard library's scrypt (memory-hard, no extra dependency) with a random salt
and the parameters stored next to the hash, so they can be raised later without breaking old
hashes. API tokens are long random strings kept only as their sha256 (a token is already
high-entropy, so a fast hash is enough and lookups stay O(1)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

#: scrypt cost parameters (configurable defaults). N=2^14, r=8 is the cost scrypt's author gives for
#: interactive logins; it keeps one login near 100 ms on a shared 2-core machine. The parameters are
#: stored with each hash, so raising them later leaves old hashes valid.
SCRYPT_N = 1 << 14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
TOKEN_PREFIX = "gzk_"
MIN_PASSWORD_LENGTH = 10


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 << 20, dklen=32)


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$digest` for a password of at least MIN_PASSWORD_LENGTH characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters (got {len(password)})")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash; a malformed hash never matches."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, expected = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return False
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), expected)


#: A hash to verify against when the user does not exist, so timing does not reveal user names.
DUMMY_HASH = f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(b'0' * SALT_BYTES)}${_b64(b'0' * 32)}"


def new_api_token() -> str:
    """A fresh bearer token (shown once; only its hash is stored)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_session_id() -> str:
    """A fresh browser-session id (256 random bits; the signed cookie carries it)."""
    return secrets.token_hex(32)


def token_hash(token: str) -> str:
    """The stored form of a bearer token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_webhook_secret() -> str:
    """The shared secret an app store uses to verify our webhook signatures."""
    return secrets.token_urlsafe(32)
