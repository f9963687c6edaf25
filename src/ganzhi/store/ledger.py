"""The job ledger: durable per-item progress so a large run that crashed resumes where it stopped.

Dask and process pools keep their state in memory only, so durability lives here. A job is opened
under a caller-chosen `key` (opening it again returns the same job and only adds new items); each
item moves pending → running → done | error. `pending()` lists what still has to run: never-run
items, errors with attempts left, and running items whose worker went silent (stale). Claiming and
finishing are conditional UPDATEs, so two workers never both claim an item and finishing twice
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, Update, and_, case, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.errors import StoreError
from ganzhi.store._upsert import chunked, insert_ignoring_conflicts
from ganzhi.store.db import session_scope
from ganzhi.store.tables import KEY_LEN, NAME_LEN, JobItemRow, JobRow

#: Attempts an item gets before `pending()` stops offering it (configurable default).
DEFAULT_MAX_ATTEMPTS = 3
#: A running item not finished after this long is taken as abandoned by a dead worker (configurable default).
DEFAULT_STALE_AFTER = dt.timedelta(minutes=30)
#: Longest error text kept per item; longer messages are cut (configurable default).
DEFAULT_MAX_ERROR_CHARS = 4000


class ItemStatus(StrEnum):
    """Where one job item stands."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    ERROR = "error"


class JobStatus(StrEnum):
    """Where a job stands; items carry the detail."""

    OPEN = "open"
    CLOSED = "closed"


class JobItem(BaseModel):
    """One item as stored in the ledger."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_key: str
    status: ItemStatus
    attempts: int
    last_error: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    worker: str | None = None
    output: dict[str, Any] | None = None


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class JobLedger:
    """Durable job/item progress over any database the store supports."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        stale_after: dt.timedelta = DEFAULT_STALE_AFTER,
        max_error_chars: int = DEFAULT_MAX_ERROR_CHARS,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1 (got {max_attempts})")
        if stale_after <= dt.timedelta(0):
            raise ValueError(f"stale_after must be positive (got {stale_after})")
        self._sessions = sessions
        self.max_attempts = max_attempts
        self.stale_after = stale_after
        self.max_error_chars = max_error_chars
        self._clock = clock

    # --- jobs ----------------------------------------------------------------------------------

    def open_job(self, kind: str, key: str, item_keys: Iterable[str], meta: dict[str, Any] | None = None) -> str:
        """Open (or re-open) the job named `key` and add the item keys it does not have yet.

        Existing items keep their status, attempts and output; `meta` is only stored on creation.

        Raises:
            StoreError: `key` names a job of another kind, or an item key is empty or too long.
        """
        _check_text("job kind", kind, NAME_LEN)
        _check_text("job key", key, KEY_LEN)
        keys = list(dict.fromkeys(item_keys))
        for item_key in keys:
            _check_text(f"item key of job {key!r}", item_key, KEY_LEN)
        with session_scope(self._sessions) as session:
            job = {
                "id": uuid.uuid4().hex,
                "kind": kind,
                "key": key,
                "created_at": self._clock(),
                "status": JobStatus.OPEN.value,
                "meta": meta or {},
            }
            insert_ignoring_conflicts(session, JobRow, [job], ["key"])
            row = session.scalars(select(JobRow).where(JobRow.key == key)).one()
            if row.kind != kind:
                raise StoreError(f"job key {key!r} belongs to a job of kind {row.kind!r}, not {kind!r}")
            items = [{"job_id": row.id, "item_key": k, "status": ItemStatus.PENDING.value, "attempts": 0} for k in keys]
            insert_ignoring_conflicts(session, JobItemRow, items, ["job_id", "item_key"])
            return row.id

    def find_job(self, key: str) -> str | None:
        """The id of the job opened under `key`, or None."""
        with session_scope(self._sessions) as session:
            return session.scalars(select(JobRow.id).where(JobRow.key == key)).one_or_none()

    def close_job(self, job_id: str) -> None:
        """Mark the job closed (its items stay readable)."""
        with session_scope(self._sessions) as session:
            self._job(session, job_id).status = JobStatus.CLOSED.value

    # --- items ---------------------------------------------------------------------------------

    def _runnable(self) -> ColumnElement[bool]:
        """Items `pending()` offers and `start()` may claim."""
        cutoff = self._clock() - self.stale_after
        return or_(
            JobItemRow.status == ItemStatus.PENDING.value,
            and_(JobItemRow.status == ItemStatus.ERROR.value, JobItemRow.attempts < self.max_attempts),
            and_(
                JobItemRow.status == ItemStatus.RUNNING.value,
                or_(JobItemRow.started_at.is_(None), JobItemRow.started_at < cutoff),
            ),
        )

    def pending(self, job_id: str, *, limit: int | None = None) -> list[str]:
        """Item keys still to run, in the order they were added."""
        with session_scope(self._sessions) as session:
            self._job(session, job_id)
            query = (
                select(JobItemRow.item_key).where(JobItemRow.job_id == job_id, self._runnable()).order_by(JobItemRow.id)
            )
            if limit is not None:
                query = query.limit(limit)
            return list(session.scalars(query))

    def start(self, job_id: str, item_key: str, worker: str) -> bool:
        """Claim an item for `worker`; False when it is done or another live worker holds it."""
        now = self._clock()
        stmt = (
            update(JobItemRow)
            .where(JobItemRow.job_id == job_id, JobItemRow.item_key == item_key, self._runnable())
            .values(
                status=ItemStatus.RUNNING.value,
                attempts=JobItemRow.attempts + 1,
                started_at=now,
                finished_at=None,
                worker=worker[:NAME_LEN],
            )
        )
        return self._apply(job_id, item_key, stmt)

    def finish(self, job_id: str, item_key: str, output: dict[str, Any] | None = None) -> bool:
        """Mark an item done with its output; False (and nothing changed) when it was done already."""
        stmt = (
            update(JobItemRow)
            .where(
                JobItemRow.job_id == job_id,
                JobItemRow.item_key == item_key,
                JobItemRow.status != ItemStatus.DONE.value,
            )
            .values(status=ItemStatus.DONE.value, finished_at=self._clock(), output=output, last_error=None)
        )
        return self._apply(job_id, item_key, stmt)

    def finish_many(self, session: Session, job_id: str, item_keys: Iterable[str]) -> int:
        """Mark many items done inside the caller's transaction (so results and ledger commit together).

        Items already done are left as they are; returns how many changed.
        """
        changed = 0
        for part in chunked(sorted(set(item_keys))):
            stmt = (
                update(JobItemRow)
                .where(
                    JobItemRow.job_id == job_id,
                    JobItemRow.item_key.in_(part),
                    JobItemRow.status != ItemStatus.DONE.value,
                )
                .values(status=ItemStatus.DONE.value, finished_at=self._clock(), last_error=None)
            )
            changed += session.connection().execute(stmt).rowcount
        return changed

    def fail(self, job_id: str, item_key: str, error: str) -> bool:
        """Record an error for an item (kept for a retry while attempts remain); ignored once done."""
        text = error if len(error) <= self.max_error_chars else error[: self.max_error_chars - 1] + "…"
        stmt = (
            update(JobItemRow)
            .where(
                JobItemRow.job_id == job_id,
                JobItemRow.item_key == item_key,
                JobItemRow.status != ItemStatus.DONE.value,
            )
            .values(
                status=ItemStatus.ERROR.value,
                last_error=text,
                finished_at=self._clock(),
                attempts=case((JobItemRow.attempts < 1, 1), else_=JobItemRow.attempts),
            )
        )
        return self._apply(job_id, item_key, stmt)

    def _apply(self, job_id: str, item_key: str, stmt: Update) -> bool:
        """Run a conditional item UPDATE; an unknown job or item is a StoreError, a no-op is False."""
        with session_scope(self._sessions) as session:
            changed = session.connection().execute(stmt).rowcount
            if changed:
                return True
            exists = session.scalars(
                select(JobItemRow.id).where(JobItemRow.job_id == job_id, JobItemRow.item_key == item_key)
            ).one_or_none()
            if exists is None:
                self._job(session, job_id)
                raise StoreError(f"job {job_id!r} has no item {item_key!r}; open_job must list it")
            return False

    def items(self, job_id: str, *, statuses: Iterable[ItemStatus] | None = None) -> list[JobItem]:
        """The items of a job (optionally only some statuses), in the order they were added."""
        with session_scope(self._sessions) as session:
            self._job(session, job_id)
            query = select(JobItemRow).where(JobItemRow.job_id == job_id).order_by(JobItemRow.id)
            if statuses is not None:
                query = query.where(JobItemRow.status.in_(sorted(ItemStatus(s).value for s in statuses)))
            return [
                JobItem(
                    item_key=row.item_key,
                    status=ItemStatus(row.status),
                    attempts=row.attempts,
                    last_error=row.last_error,
                    started_at=row.started_at,
                    finished_at=row.finished_at,
                    worker=row.worker,
                    output=row.output,
                )
                for row in session.scalars(query)
            ]

    def summary(self, job_id: str) -> dict[str, int]:
        """Item counts per status (every status present, zeros included) plus `total`."""
        with session_scope(self._sessions) as session:
            self._job(session, job_id)
            counts = {status.value: 0 for status in ItemStatus}
            query = (
                select(JobItemRow.status, func.count()).where(JobItemRow.job_id == job_id).group_by(JobItemRow.status)
            )
            for status, count in session.execute(query):
                counts[status] = count
            counts["total"] = sum(counts.values())
            return counts

    @staticmethod
    def _job(session: Session, job_id: str) -> JobRow:
        row = session.get(JobRow, job_id)
        if row is None:
            raise StoreError(f"no job with id {job_id!r}")
        return row


def _check_text(what: str, value: str, max_len: int) -> None:
    if not value or len(value) > max_len:
        raise StoreError(f"{what} must be 1..{max_len} characters (got {len(value)}: {value[:80]!r})")
