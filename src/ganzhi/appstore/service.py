"""The app-store pre-listing detection service: APK in, verdict and findings out.

A submission is streamed into the blob store (bounded by the APK size limit), recorded once per
(store, sha256) and scanned in the background: APK analysis runs in a child process (so the server's
event loop and GIL stay free), then the shared inspection spine (`engine.inspection.inspect`) stores
evidence, results and issues, and the verdict rule decides. Re-submitting the same APK returns the
existing record; an APK another store already had scanned reuses that verdict without rescanning.
When a callback URL was given, the verdict is posted as a signed webhook.

Process lifecycle: the scan workers are spawned (fork + exec), never forked from the server process, so
they inherit none of its descriptors (above all not the listening socket); each worker asks the kernel
to kill it when the server dies (`PR_SET_PDEATHSIG`) and takes SIGTERM's default action. So `kill -9` of the server
leaves no process holding the port. `close(timeout_s)` drains: running scans get `timeout_s`, then
queued work is dropped and the workers are killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import hashlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor as FuturesExecutor
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import BinaryIO, Protocol

import httpx
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.accounts.roles import Role
from ganzhi.accounts.users import Principal
from ganzhi.appstore import submissions as submission_repo
from ganzhi.appstore.submissions import SubmissionStatus, SubmissionView
from ganzhi.appstore.verdict import Verdict, VerdictRule, analysis_complete, decide, findings
from ganzhi.appstore.webhook import deliver
from ganzhi.collect.apk.analyze import analyze_apk
from ganzhi.collect.apk.reader import apk_evidence
from ganzhi.collect.transfer.guarded import OutboundPolicy
from ganzhi.engine.executors import SerialExecutor
from ganzhi.engine.registry import default_registry
from ganzhi.evidence.base import Evidence
from ganzhi.store.blobs import BlobStore
from ganzhi.store.db import session_scope
from ganzhi.usecases.apk_scan import apk_check_ids
from ganzhi.usecases.inspection import inspect

#: The first bytes of a ZIP local file header: every APK starts with them.
ZIP_MAGIC = b"PK\x03\x04"
#: linux/prctl.h: deliver a signal to this process when its parent dies.
PR_SET_PDEATHSIG = 1
#: Seconds scans interrupted by a shutdown get to record their error after the workers were killed.
KILL_GRACE_S = 2.0


def die_with_parent(sig: int = signal.SIGKILL, *, parent_pid: int | None = None) -> bool:
    """Ask Linux to send `sig` to this process when its parent dies (`prctl(PR_SET_PDEATHSIG)` via ctypes).

    When `parent_pid` is given and that process is already gone (it died before the request took
    effect), the process exits at once. Returns False where the call does not exist (not Linux).
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl(PR_SET_PDEATHSIG): {os.strerror(errno)}")
    if parent_pid is not None:
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass  # it exists (owned by someone else): nothing to do
    return True


def _scan_worker_init(server_pid: int) -> None:
    """First code of every scan worker: default SIGTERM, no SIGINT tracebacks, die with the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(signal.SIGKILL, parent_pid=server_pid)


def scan_pool(workers: int) -> ProcessPoolExecutor:
    """The scan worker pool, started with "spawn" (fork + exec of a fresh interpreter), never a plain fork.

    Why spawn and not the fork server: a spawned worker inherits only the descriptors multiprocessing
    passes it (never the listening socket), and its parent is the server itself, so `PR_SET_PDEATHSIG`
    fires when the server dies. Fork-server workers keep the fork server's liveness pipe open, so after
    `kill -9` of the server the fork server and its workers keep each other alive (measured: both
    orphaned). The death signal follows the thread that started the worker; the pool starts workers
    from the service's long-lived scan threads, which end only at `close()`.
    """
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_scan_worker_init, initargs=(os.getpid(),)
    )


class ServiceSettings(Protocol):
    """The settings the store service reads (the web platform's `WebConfig` provides them)."""

    @property
    def scan_workers(self) -> int: ...
    @property
    def max_apk_bytes(self) -> int: ...
    @property
    def scan_mode(self) -> str: ...
    @property
    def verdict_rule(self) -> VerdictRule: ...
    @property
    def webhook_timeout_s(self) -> float: ...
    @property
    def webhook_attempts(self) -> int: ...


class UploadRejected(Exception):
    """The upload is not acceptable (wrong type, wrong role); the message names the input and why."""


class _Prefixed:
    """A read-only stream that yields `head` and then the rest of `stream` (after peeking at the head)."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if self._head:
            chunk = self._head if size < 0 else self._head[:size]
            self._head = self._head[len(chunk) :]
            return chunk
        return self._stream.read(size)


def analyse_blob(path: str, source: str) -> Evidence:
    """Analyze one stored APK into `apk_static` evidence (picklable: runs in a child process)."""
    return apk_evidence(analyze_apk(path), source=source)


def scan_run_id(sha256: str, catalog_version: str) -> str:
    """The run id of the scan of one APK under one catalog version: a re-scan is idempotent per pair."""
    version = hashlib.sha256(catalog_version.encode("utf-8")).hexdigest()[:12]
    return f"store-{sha256[:40]}-{version}"


@dataclass(frozen=True, slots=True)
class Rescan:
    """What a catalogue re-scan did: submissions queued again, and those already current or still busy."""

    catalog_version: str
    queued: list[str]
    current: list[str]
    busy: list[str]


@dataclass(frozen=True, slots=True)
class Submitted:
    """The answer to a submission: the record, and whether this call created it."""

    submission: SubmissionView
    created: bool


class SubmissionService:
    """Accepts APKs, scans them in the background and records verdicts."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        blobs: BlobStore,
        config: ServiceSettings,
        *,
        webhook_transport: httpx.BaseTransport | None = None,
        outbound: OutboundPolicy | None = None,
    ) -> None:
        self.sessions = sessions
        self.blobs = blobs
        self.config = config
        self._transport = webhook_transport
        #: Where webhooks may go: public addresses only, unless `GANZHI_ALLOW_PRIVATE_NETWORK=1` (tests).
        self.outbound = outbound or OutboundPolicy.from_env()
        self._threads = ThreadPoolExecutor(max_workers=config.scan_workers, thread_name_prefix="ganzhi-scan")
        self._processes: FuturesExecutor | None = None
        self._lock = threading.Lock()
        self._futures: set[Future[None]] = set()
        #: Called with an APK's sha256 whenever one of its submissions changes (cache invalidation).
        self.on_change: Callable[[str], None] | None = None

    # --- intake ---------------------------------------------------------------------------------

    def submit(
        self,
        principal: Principal,
        stream: BinaryIO,
        filename: str,
        callback_url: str | None = None,
        *,
        self_check: bool = False,
    ) -> Submitted:
        """Store the APK and queue its scan (or return the existing record for the same APK).

        `self_check=True` lets an enterprise account check its own APK (the enterprise portal); its
        submissions are keyed by the enterprise id and visible to that enterprise only.

        Raises:
            UploadRejected: the caller is not an app store (or, for a self-check, an enterprise), or
                the file is not a ZIP/APK.
            BlobTooLargeError: the APK exceeds the configured size limit.
        """
        allowed = {Role.APP_STORE, Role.ENTERPRISE} if self_check else {Role.APP_STORE}
        if principal.role not in allowed or not principal.scope_id:
            raise UploadRejected(
                f"only {' or '.join(sorted(r.value for r in allowed))} accounts submit APKs here "
                f"(this account's role is {principal.role.value})"
            )
        head = stream.read(len(ZIP_MAGIC))
        if head != ZIP_MAGIC:
            raise UploadRejected(
                f"{filename[:200]!r}: not an APK — expected a ZIP file starting with {ZIP_MAGIC!r}, got {head!r}"
            )
        ref = self.blobs.put_stream(
            _Prefixed(head, stream),  # type: ignore[arg-type]
            filename[:200] or "upload.apk",
            media_type="application/vnd.android.package-archive",
            max_bytes=self.config.max_apk_bytes,
        )
        store_id = principal.scope_id
        with session_scope(self.sessions) as session:
            existing = submission_repo.find(session, store_id, ref.sha256)
            if existing is not None:
                return Submitted(submission_repo.view(existing), created=False)
            row = submission_repo.create(
                session,
                store_id=store_id,
                sha256=ref.sha256,
                filename=ref.name,
                size=ref.size,
                submitted_by=principal.actor,
                callback_url=callback_url,
            )
            earlier = submission_repo.finished_elsewhere(session, ref.sha256)
            if earlier is not None:
                row.status, row.verdict, row.findings = earlier.status, earlier.verdict, list(earlier.findings)
                row.package, row.version_name, row.run_id = earlier.package, earlier.version_name, earlier.run_id
                row.finished_at = dt.datetime.now(dt.UTC)
                session.flush()
            created = submission_repo.view(row)
        secret = principal.webhook_secret or ""
        if created.status is SubmissionStatus.DONE:
            if callback_url:
                self._spawn(self._notify, store_id, ref.sha256, secret)
        else:
            self._spawn(self._process, store_id, ref.sha256, secret)
        return Submitted(created, created=True)

    def rescan(self, principal: Principal) -> Rescan:
        """Queue every submission of this app store again under today's catalog version.

        Idempotent per (sha256, catalog version): a submission already scanned under this version is
        left alone (`current`), one queued or running is left to finish (`busy`); the rest go back to
        `queued` through the same scan as a new submission (or reuse another store's current scan).
        """
        if principal.role is not Role.APP_STORE or not principal.scope_id:
            raise UploadRejected(
                f"only app_store accounts re-scan their catalogue (this account's role is {principal.role.value})"
            )
        version = self.catalog_version
        store_id, secret = principal.scope_id, principal.webhook_secret or ""
        queued: list[str] = []
        current: list[str] = []
        busy: list[str] = []
        reused: list[str] = []
        with session_scope(self.sessions) as session:
            for row in submission_repo.for_store(session, store_id):
                wanted = scan_run_id(row.sha256, version)
                if row.status in (SubmissionStatus.QUEUED.value, SubmissionStatus.RUNNING.value):
                    busy.append(row.sha256)
                    continue
                if row.status == SubmissionStatus.DONE.value and row.run_id == wanted:
                    current.append(row.sha256)
                    continue
                earlier = submission_repo.finished_run(session, row.sha256, wanted)
                if earlier is not None:
                    row.verdict, row.findings, row.run_id = earlier.verdict, list(earlier.findings), wanted
                    row.package, row.version_name, row.error = earlier.package, earlier.version_name, None
                    row.finished_at = dt.datetime.now(dt.UTC)
                    reused.append(row.sha256)
                    continue
                row.status, row.error, row.finished_at = SubmissionStatus.QUEUED.value, None, None
                queued.append(row.sha256)
        for sha256 in queued:
            if self.on_change is not None:
                self.on_change(sha256)
            self._spawn(self._process, store_id, sha256, secret)
        for sha256 in reused:
            if self.on_change is not None:
                self.on_change(sha256)
            self._spawn(self._notify, store_id, sha256, secret)
        return Rescan(version, queued=queued + reused, current=current, busy=busy)

    @property
    def catalog_version(self) -> str:
        return default_registry().catalog.meta.version

    # --- background work --------------------------------------------------------------------------

    def _spawn(self, fn: object, *args: str) -> None:
        future: Future[None] = self._threads.submit(fn, *args)  # type: ignore[arg-type]
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)

    def _analyse(self, sha256: str) -> Evidence:
        path, source = str(self.blobs.path(sha256)), f"store-submission:{sha256}"
        if self.config.scan_mode == "thread":
            return analyse_blob(path, source)
        with self._lock:
            if self._processes is None:
                self._processes = scan_pool(self.config.scan_workers)
            pool = self._processes
        return pool.submit(analyse_blob, path, source).result()

    def _set(self, store_id: str, sha256: str, **values: object) -> None:
        with session_scope(self.sessions) as session:
            row = submission_repo.find(session, store_id, sha256)
            if row is None:
                raise LookupError(f"submission {store_id}:{sha256} vanished while it was being scanned")
            for name, value in values.items():
                setattr(row, name, value)
        if self.on_change is not None:
            self.on_change(sha256)

    def _process(self, store_id: str, sha256: str, secret: str) -> None:
        self._set(store_id, sha256, status=SubmissionStatus.RUNNING.value)
        try:
            evidence = self._analyse(sha256)
            done = inspect(
                [evidence],
                self.sessions,
                check_ids=apk_check_ids(),
                executor=SerialExecutor(),
                run_id=scan_run_id(sha256, self.catalog_version),
                note=f"store submission {store_id}:{sha256[:12]}",
            )
        except Exception as exc:  # a bad APK must end as a recorded error, never a lost job
            self._set(
                store_id,
                sha256,
                status=SubmissionStatus.ERROR.value,
                verdict=Verdict.REVIEW.value,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                run_id=None,
                finished_at=dt.datetime.now(dt.UTC),
            )
        else:
            self._set(
                store_id,
                sha256,
                status=SubmissionStatus.DONE.value,
                verdict=decide(done.results, self.config.verdict_rule, complete=analysis_complete([evidence])).value,
                findings=findings(done.results),
                package=evidence.subject.id,
                version_name=evidence.subject.version,
                run_id=done.run_id,
                error=None,
                finished_at=dt.datetime.now(dt.UTC),
            )
        self._notify(store_id, sha256, secret)

    def _notify(self, store_id: str, sha256: str, secret: str) -> None:
        with session_scope(self.sessions) as session:
            row = submission_repo.find(session, store_id, sha256)
            if row is None or not row.callback_url:
                return
            url, payload = row.callback_url, submission_repo.view(row).model_dump(mode="json")
        status = deliver(
            url,
            payload,
            secret=secret,
            delivery_id=f"{store_id}:{sha256}",
            timeout_s=self.config.webhook_timeout_s,
            attempts=self.config.webhook_attempts,
            transport=self._transport,
            policy=self.outbound,
        )
        self._set(store_id, sha256, callback_status=status)

    # --- lifecycle ---------------------------------------------------------------------------------

    def wait_idle(self, timeout_s: float = 60.0) -> bool:
        """Block until every queued scan and webhook finished (tests, shutdown); False on timeout."""
        with self._lock:
            pending = set(self._futures)
        done, not_done = wait(pending, timeout=timeout_s)
        for future in done:
            future.result()
        return not not_done

    def worker_pids(self) -> list[int]:
        """Process ids of the live scan workers (empty in thread mode or before the first scan)."""
        with self._lock:
            pool = self._processes
        found = getattr(pool, "_processes", None) or {}
        return sorted(int(pid) for pid, process in dict(found).items() if process.is_alive())

    def close(self, timeout_s: float | None = None) -> None:
        """Stop the service. Queued and running work gets `timeout_s` seconds (None: as long as it takes);
        after that queued work is dropped (it stays `queued` in the store) and the scan workers are
        killed, so running scans end as recorded errors instead of holding shutdown up."""
        with self._lock:
            pending = set(self._futures)
        _, not_done = wait(pending, timeout=timeout_s)
        finished = not not_done
        self._threads.shutdown(wait=finished, cancel_futures=not finished)
        with self._lock:
            pool = self._processes
        if pool is None:
            return
        if not finished:
            for pid in self.worker_pids():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            wait(not_done, timeout=KILL_GRACE_S)
        pool.shutdown(wait=finished, cancel_futures=True)
