"""The cheap path for verdict lookups: the store's most frequent call (`GET /store/submissions/{sha256}`).

An app store polls verdicts far more often than it submits, so this path skips the per-request ORM
session and the dependency chain: a bearer token is verified by its sha256 and the answer kept for
`lookup_cache_s` seconds; a finished verdict is read with one indexed SELECT and kept as ready JSON
bytes. The store service drops a verdict from the cache when it changes (`invalidate`); in another
worker process the entry expires after the same few seconds, which bounds staleness everywhere.
Queued or running submissions are never cached, so a poller sees the verdict as soon as it exists.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.accounts import users as accounts
from ganzhi.accounts.credentials import token_hash
from ganzhi.accounts.roles import Role
from ganzhi.accounts.users import Principal
from ganzhi.appstore.submissions import SubmissionStatus, view
from ganzhi.store.web_tables import SubmissionRow

K = TypeVar("K")
V = TypeVar("V")

#: Most entries each cache holds (configurable default: a store's hot catalogue fits; memory stays small).
MAX_ENTRIES = 50_000
_FINAL = frozenset({SubmissionStatus.DONE.value, SubmissionStatus.ERROR.value})


class TtlCache(Generic[K, V]):
    """A bounded, thread-safe map whose entries expire `ttl_s` seconds after they were stored."""

    def __init__(self, ttl_s: float, max_entries: int = MAX_ENTRIES, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if found[0] < self._clock():
                del self._items[key]
                return None
            return found[1]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = (self._clock() + self.ttl_s, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def drop(self, match: Callable[[K], bool]) -> int:
        """Remove every entry whose key matches; returns how many."""
        with self._lock:
            doomed = [key for key in self._items if match(key)]
            for key in doomed:
                del self._items[key]
            return len(doomed)

    def __len__(self) -> int:
        return len(self._items)


class VerdictLookup:
    """Token → principal and (store, sha256) → verdict JSON, each cached briefly."""

    def __init__(self, sessions: sessionmaker[Session], ttl_s: float) -> None:
        self.sessions = sessions
        self.tokens: TtlCache[str, Principal] = TtlCache(ttl_s)
        self.verdicts: TtlCache[tuple[str, str], bytes] = TtlCache(ttl_s)
        #: One refresh at a time: when an entry expires under load, one thread queries, the rest wait
        #: for its answer instead of all hitting the database at once.
        self._refresh = threading.Lock()

    def principal(self, token: str) -> Principal | None:
        """The live token's principal (unknown and revoked tokens are never cached)."""
        key = token_hash(token)
        found = self.tokens.get(key)
        if found is not None:
            return found
        with self._refresh:
            found = self.tokens.get(key)
            if found is not None:
                return found
            with self.sessions() as session:
                principal = accounts.principal_for_token(session, token)
                session.commit()  # last_used_at, written at most every few minutes
            if principal is not None:
                self.tokens.put(key, principal)
        return principal

    def verdict(self, principal: Principal, sha256: str) -> bytes | None:
        """The submission JSON visible to the principal: a store's own; the first of any store for regulators."""
        if principal.role in (Role.APP_STORE, Role.ENTERPRISE) and principal.scope_id:
            key = (principal.scope_id, sha256)
            query = select(SubmissionRow).where(
                SubmissionRow.store_id == principal.scope_id, SubmissionRow.sha256 == sha256
            )
        elif principal.is_regulator:
            key = ("*", sha256)
            query = select(SubmissionRow).where(SubmissionRow.sha256 == sha256).order_by(SubmissionRow.id).limit(1)
        else:
            return None
        cached = self.verdicts.get(key)
        if cached is not None:
            return cached
        with self._refresh:
            cached = self.verdicts.get(key)
            if cached is not None:
                return cached
            with self.sessions() as session:
                row = session.scalar(query)
                if row is None:
                    return None
                body = view(row).model_dump_json().encode("utf-8")
                final = row.status in _FINAL
            if final:
                self.verdicts.put(key, body)
        return body

    def invalidate(self, sha256: str) -> None:
        """Forget every cached answer about this APK (called when its verdict changes)."""
        self.verdicts.drop(lambda key: key[1] == sha256)
