"""The job ledger on every backend: resume after a crash, retries, stale claims and idempotence."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.errors import StoreError
from ganzhi.store.ledger import ItemStatus, JobLedger


class Clock:
    """A hand-driven clock so staleness is tested without sleeping."""

    def __init__(self) -> None:
        self.now = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(sessions: sessionmaker[Session], clock: Clock) -> JobLedger:
    return JobLedger(sessions, max_attempts=2, stale_after=dt.timedelta(minutes=10), clock=clock)


APPS = [f"app-{i:03d}.apk" for i in range(10)]


def test_resume_after_a_crash_lists_only_unfinished_items(
    sessions: sessionmaker[Session], clock: Clock, ledger: JobLedger
) -> None:
    job = ledger.open_job("scan", "campaign-2025Q1", APPS, meta={"campaign": "2025Q1"})
    assert ledger.pending(job) == APPS
    for key in APPS[:4]:
        assert ledger.start(job, key, "worker-1")
        ledger.finish(job, key, {"results": 3})
    assert ledger.start(job, APPS[4], "worker-1")  # the process dies while this one runs

    # A new process re-opens the same job: same id, nothing redone, the in-flight item waits until stale.
    resumed = JobLedger(sessions, max_attempts=2, stale_after=dt.timedelta(minutes=10), clock=clock)
    assert resumed.open_job("scan", "campaign-2025Q1", APPS) == job
    assert resumed.pending(job) == APPS[5:]
    clock.advance(minutes=11)
    assert resumed.pending(job) == APPS[4:]
    assert resumed.summary(job) == {"pending": 5, "running": 1, "done": 4, "error": 0, "total": 10}
    for key in resumed.pending(job):
        assert resumed.start(job, key, "worker-2")
        resumed.finish(job, key, {"results": 1})
    assert resumed.pending(job) == []
    assert resumed.summary(job)["done"] == 10
    redone = {item.item_key: item for item in resumed.items(job)}[APPS[4]]
    assert (redone.attempts, redone.worker) == (2, "worker-2")


def test_reopening_adds_new_items_and_keeps_old_ones(ledger: JobLedger) -> None:
    job = ledger.open_job("scan", "k", ["a", "b", "a"])
    ledger.start(job, "a", "w")
    ledger.finish(job, "a", {"n": 1})
    assert ledger.open_job("scan", "k", ["a", "b", "c"], meta={"ignored": True}) == job
    items = {item.item_key: item for item in ledger.items(job)}
    assert list(items) == ["a", "b", "c"]
    assert items["a"].status is ItemStatus.DONE
    assert items["a"].output == {"n": 1}
    assert ledger.find_job("k") == job
    assert ledger.find_job("other") is None
    with pytest.raises(StoreError, match="kind 'scan', not 'report'"):
        ledger.open_job("report", "k", [])


def test_errors_are_retried_until_attempts_run_out(ledger: JobLedger) -> None:
    job = ledger.open_job("scan", "k", ["bad", "good"])
    assert ledger.start(job, "bad", "w")
    assert ledger.fail(job, "bad", "ZIP central directory is truncated")
    assert ledger.pending(job) == ["bad", "good"]
    assert ledger.start(job, "bad", "w")
    ledger.fail(job, "bad", "x" * 10_000)
    assert ledger.pending(job) == ["good"]
    [bad] = ledger.items(job, statuses=[ItemStatus.ERROR])
    assert bad.attempts == 2
    assert bad.last_error is not None
    assert len(bad.last_error) == ledger.max_error_chars
    assert not ledger.start(job, "bad", "w")


def test_fail_without_start_counts_one_attempt(ledger: JobLedger) -> None:
    job = ledger.open_job("scan", "k", ["x"])
    assert ledger.fail(job, "x", "could not read the file")
    [item] = ledger.items(job)
    assert (item.status, item.attempts) == (ItemStatus.ERROR, 1)


def test_finishing_twice_changes_nothing(ledger: JobLedger) -> None:
    job = ledger.open_job("scan", "k", ["x"])
    ledger.start(job, "x", "w1")
    assert ledger.finish(job, "x", {"first": True})
    assert not ledger.finish(job, "x", {"second": True})
    assert not ledger.fail(job, "x", "late error from a slow duplicate")
    assert not ledger.start(job, "x", "w2")
    [item] = ledger.items(job)
    assert (item.status, item.output, item.last_error, item.attempts) == (
        ItemStatus.DONE,
        {"first": True},
        None,
        1,
    )
    assert ledger.summary(job) == {"pending": 0, "running": 0, "done": 1, "error": 0, "total": 1}


def test_a_live_claim_cannot_be_taken_twice(ledger: JobLedger, clock: Clock) -> None:
    job = ledger.open_job("scan", "k", ["x"])
    assert ledger.start(job, "x", "w1")
    clock.advance(minutes=5)
    assert not ledger.start(job, "x", "w2")
    clock.advance(minutes=6)
    assert ledger.start(job, "x", "w2")


def test_unknown_jobs_and_items_are_named(ledger: JobLedger) -> None:
    job = ledger.open_job("scan", "k", ["x"])
    with pytest.raises(StoreError, match="no item 'y'"):
        ledger.start(job, "y", "w")
    with pytest.raises(StoreError, match="no job with id 'nope'"):
        ledger.finish("nope", "x")
    with pytest.raises(StoreError, match="no job with id 'nope'"):
        ledger.pending("nope")
    with pytest.raises(StoreError, match="item key of job 'k2' must be"):
        ledger.open_job("scan", "k2", ["ok", ""])
    ledger.close_job(job)
    assert ledger.summary(job)["total"] == 1


def test_bad_configuration_is_rejected(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        JobLedger(sessions, max_attempts=0)
    with pytest.raises(ValueError, match="stale_after"):
        JobLedger(sessions, stale_after=dt.timedelta(0))
