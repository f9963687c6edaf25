"""Live collection as a job: frontier and pages in the database, bodies in the blob store, fetches per host.

`collect` starts (or resumes) a crawl run of some specs:

1. the run's frontier lives in `crawl_frontier` (unique per run and URL); seeds are added once;
2. specs are partitioned so no host is in two partitions (specs sharing a host go together); each partition
   runs on the engine's executor (serial, process pool, or Dask) in a fresh child process (Scrapy's reactor
   cannot restart), which reads its sites' pending rows, fetches them and writes pages back through
   `DbSink` — page row, blobs and the frontier update in one transaction, committed in small batches;
3. stored pages become evidence (`ganzhi.collect.crawl.extract`), kept per run in `crawl_evidence` and
   written as JSON Lines that `ganzhi check run` reads.

A killed run is resumed by running the same specs again: pending rows are fetched, done rows never are. Only
a page whose transaction had not committed when the process died is fetched again (it was never recorded).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.collect.crawl.diff import Change, diff_evidence, diff_pages
from ganzhi.collect.crawl.extract import StoredPage, extract_site
from ganzhi.collect.crawl.spec import CrawlSpec, load_specs
from ganzhi.collect.crawl.spider import FetchedPage, FrontierItem, Link
from ganzhi.engine.executors import Executor, SerialExecutor
from ganzhi.errors import StoreError
from ganzhi.evidence.base import Evidence
from ganzhi.settings import load_settings
from ganzhi.store.blobs import BlobStore
from ganzhi.store.crawl_tables import CrawlEvidenceRow, CrawlFrontierRow, CrawlPageRow, CrawlRunRow
from ganzhi.store.db import make_engine, session_factory, session_scope

#: Pages per commit in a child, and the longest a fetched page waits uncommitted (configurable defaults).
COMMIT_EVERY = 25
COMMIT_AFTER_S = 1.0
#: Longest a partition child may run beyond its sites' own `max_seconds` before it is killed.
PARTITION_GRACE_S = 120.0
#: Failures and problems kept in a run's stats per site.
MAX_KEPT = 100

Progress = Callable[[dict[str, dict[str, int]]], None]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------- the sink


class DbSink:
    """`PageSink` over the crawl tables and the blob store, for one site of one run (used in a child)."""

    def __init__(self, sessions: sessionmaker[Session], blobs: BlobStore, run_id: str, spec: CrawlSpec) -> None:
        self.sessions = sessions
        self.blobs = blobs
        self.run_id = run_id
        self.spec = spec
        self.session = sessions()
        self.known = int(
            self.session.scalar(
                select(func.count()).select_from(CrawlFrontierRow).where(
                    CrawlFrontierRow.run_id == run_id, CrawlFrontierRow.site == spec.name
                )
            ) or 0
        )  # fmt: skip
        self.dropped = 0
        self._uncommitted = 0
        self._since = time.monotonic()

    def pending(self, site: str, after_id: int, limit: int) -> list[FrontierItem]:
        rows = self.session.scalars(
            select(CrawlFrontierRow).where(
                CrawlFrontierRow.run_id == self.run_id, CrawlFrontierRow.site == site,
                CrawlFrontierRow.state == "pending", CrawlFrontierRow.id > after_id,
            ).order_by(CrawlFrontierRow.id).limit(limit)
        ).all()  # fmt: skip
        return [FrontierItem(r.id, r.site, r.url, r.rule, r.depth) for r in rows]

    def discovered(self, links: Sequence[Link]) -> list[FrontierItem]:
        hashes = {url_hash(link.url): link for link in links}
        existing = set(
            self.session.scalars(
                select(CrawlFrontierRow.url_hash).where(
                    CrawlFrontierRow.run_id == self.run_id, CrawlFrontierRow.url_hash.in_(list(hashes))
                )
            )
        )
        rows: list[CrawlFrontierRow] = []
        for digest, link in hashes.items():
            if digest in existing:
                continue
            if self.known >= self.spec.limits.max_pages:
                self.dropped += 1
                continue
            self.known += 1
            rows.append(CrawlFrontierRow(
                run_id=self.run_id, site=link.site, host=(urlsplit(link.url).hostname or "")[:128], url=link.url,
                url_hash=digest, rule=link.rule, depth=link.depth, parent_id=link.parent_id, state="pending",
                updated_at=_now(),
            ))  # fmt: skip
        self.session.add_all(rows)
        self.session.flush()
        return [FrontierItem(r.id, r.site, r.url, r.rule, r.depth) for r in rows]

    def fetched(self, page: FetchedPage) -> None:
        body = self.blobs.put_bytes(page.body, page.url.rsplit("/", 1)[-1][:200] or "page", media_type=page.media_type)
        shot = None
        if page.screenshot:
            shot = self.blobs.put_bytes(page.screenshot, "screenshot.png", media_type="image/png").sha256
        flags = [f for f, on in (("rendered", page.rendered), ("cached", page.cached)) if on]
        self.session.add(CrawlPageRow(
            run_id=self.run_id, frontier_id=page.item.id, site=page.item.site, rule=page.item.rule, url=page.url,
            final_url=page.final_url, status=page.status,
            headers={**page.headers, "x-ganzhi-redirects": page.redirects},
            fetched_at=page.fetched_at, elapsed_ms=int(page.elapsed_s * 1000), media_type=page.media_type[:128],
            body_sha256=body.sha256, body_size=body.size, screenshot_sha256=shot, flags=flags,
        ))  # fmt: skip
        state, reason = ("done", None) if page.status < 400 else ("failed", f"HTTP {page.status}")
        self._mark(page.item.id, state, reason)

    def failed(self, item: FrontierItem, reason: str) -> None:
        self._mark(item.id, "failed", reason[:2000])

    def _mark(self, row_id: int, state: str, reason: str | None) -> None:
        self.session.execute(
            update(CrawlFrontierRow).where(CrawlFrontierRow.id == row_id).values(
                state=state, reason=reason, updated_at=_now()
            )
        )  # fmt: skip
        self._uncommitted += 1
        if self._uncommitted >= COMMIT_EVERY or time.monotonic() - self._since >= COMMIT_AFTER_S:
            self.flush()

    def flush(self) -> None:
        self.session.commit()
        self._uncommitted = 0
        self._since = time.monotonic()

    def close(self) -> None:
        self.flush()
        self.session.close()


# ------------------------------------------------------------------------------------------ partitions


@dataclass(frozen=True, slots=True)
class PartitionWork:
    """A picklable unit for the executor: which sites of which run, and where the store is."""

    run_id: str
    database_url: str
    blob_root: str
    cache_dir: str
    spec_paths: tuple[str, ...]
    sites: tuple[str, ...]
    timeout_s: float
    contact: str | None = None


@dataclass(frozen=True, slots=True)
class PartitionResult:
    sites: tuple[str, ...]
    returncode: int
    error: str | None


def partitions(specs: Sequence[CrawlSpec]) -> list[list[CrawlSpec]]:
    """Specs grouped so that no host belongs to two groups (union of specs sharing a host)."""
    parent = list(range(len(specs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, spec in enumerate(specs):
        for host in spec.allowed_hosts:
            key = host.lstrip(".")
            if key in owner:
                parent[root(i)] = root(owner[key])
            else:
                owner[key] = i
    groups: dict[int, list[CrawlSpec]] = defaultdict(list)
    for i, spec in enumerate(specs):
        groups[root(i)].append(spec)
    return list(groups.values())


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def run_partition_work(work: PartitionWork) -> PartitionResult:
    """Run one partition in a fresh Python process (bounded in time); the executor's unit of work."""
    argv = [sys.executable, "-m", "ganzhi.usecases.crawl", "partition", json.dumps(asdict(work))]
    try:
        done = subprocess.run(
            argv, capture_output=True, timeout=work.timeout_s, check=False, preexec_fn=_die_with_parent
        )
    except subprocess.TimeoutExpired:
        return PartitionResult(work.sites, -1, f"partition {list(work.sites)} ran longer than {work.timeout_s:.0f} s")
    error = None
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return PartitionResult(work.sites, done.returncode, f"partition {list(work.sites)} failed: {error[0][:500]}")
    return PartitionResult(work.sites, 0, None)


def _partition_main(raw: str) -> None:
    """Child process: crawl the partition's sites through `DbSink`s."""
    from ganzhi.collect.crawl.spider import run_partition

    data = json.loads(raw)
    work = PartitionWork(**{**data, "spec_paths": tuple(data["spec_paths"]), "sites": tuple(data["sites"])})
    specs = [s for s in load_specs([Path(p) for p in work.spec_paths]) if s.name in set(work.sites)]
    engine = make_engine(work.database_url)
    sessions = session_factory(engine)
    blobs = BlobStore(Path(work.blob_root))
    sinks = {spec.name: DbSink(sessions, blobs, work.run_id, spec) for spec in specs}
    try:
        run_partition(specs, dict(sinks), cache_dir=work.cache_dir, contact=work.contact)
    finally:
        for sink in sinks.values():
            sink.close()
        engine.dispose()


# ------------------------------------------------------------------------------------------------ runs


@dataclass(slots=True)
class CrawlOutcome:
    """What a collection did, per site, and the evidence it produced."""

    run_id: str
    resumed: bool
    sites: dict[str, dict[str, Any]]
    evidence: list[Evidence] = field(default_factory=list)
    evidence_path: Path | None = None
    errors: list[str] = field(default_factory=list)


def _site_counts(session: Session, run_id: str) -> dict[str, dict[str, int]]:
    rows = session.execute(
        select(CrawlFrontierRow.site, CrawlFrontierRow.state, func.count())
        .where(CrawlFrontierRow.run_id == run_id)
        .group_by(CrawlFrontierRow.site, CrawlFrontierRow.state)
    ).all()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"pending": 0, "done": 0, "failed": 0})
    for site, state, n in rows:
        counts[site][state] = int(n)
    return dict(counts)


def _open_run(session: Session, specs: Sequence[CrawlSpec], started_by: str, resume: bool) -> tuple[str, bool]:
    sites = sorted(spec.name for spec in specs)
    if resume:
        found = session.scalars(
            select(CrawlRunRow).where(CrawlRunRow.status == "running").order_by(CrawlRunRow.started_at.desc())
        ).all()
        for row in found:
            if sorted(row.sites) == sites:
                return row.id, True
    run_id = f"crawl-{_now():%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    session.add(CrawlRunRow(id=run_id, sites=sites, status="running", started_at=_now(), finished_at=None,
                            started_by=started_by[:128], stats={}, evidence_path=None))  # fmt: skip
    session.flush()
    for spec in specs:
        seen: set[str] = set()
        for seed in spec.seeds:
            digest = url_hash(seed.url)
            if digest in seen:
                continue
            seen.add(digest)
            rule = spec.seed_rule(seed)
            session.add(CrawlFrontierRow(
                run_id=run_id, site=spec.name, host=(urlsplit(seed.url).hostname or "")[:128], url=seed.url,
                url_hash=digest, rule=rule.name if rule else spec.rules[0].name, depth=0, parent_id=None,
                state="pending", updated_at=_now(),
            ))  # fmt: skip
    return run_id, False


def _poll(sessions: sessionmaker[Session], run_id: str, on_progress: Progress, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        with contextlib.suppress(Exception), session_scope(sessions) as session:
            on_progress(_site_counts(session, run_id))


def collect(
    specs: Sequence[CrawlSpec],
    spec_paths: Sequence[Path],
    sessions: sessionmaker[Session],
    *,
    database_url: str,
    home: Path,
    executor: Executor | None = None,
    resume: bool = True,
    started_by: str = "cli",
    on_progress: Progress | None = None,
    contact: str | None = None,
) -> CrawlOutcome:
    """Collect `specs` (resuming an unfinished run of the same specs unless `resume` is False)."""
    if not specs:
        raise StoreError("no collection spec to run")
    with session_scope(sessions) as session:
        run_id, resumed = _open_run(session, specs, started_by, resume)
    blob_root = home / "blobs"
    cache_dir = home / "crawl" / "httpcache"
    works = [
        PartitionWork(
            run_id=run_id,
            database_url=database_url,
            blob_root=str(blob_root),
            cache_dir=str(cache_dir),
            spec_paths=tuple(str(p) for p in spec_paths),
            sites=tuple(s.name for s in group),
            timeout_s=max(s.limits.max_seconds for s in group) + PARTITION_GRACE_S,
            contact=contact,
        )
        for group in partitions(specs)
    ]
    errors: list[str] = []
    pool = executor or SerialExecutor()
    stop = threading.Event()
    poller = None
    if on_progress is not None:
        poller = threading.Thread(target=_poll, args=(sessions, run_id, on_progress, stop), daemon=True)
        poller.start()
    try:
        for result in pool.map_unordered(run_partition_work, works):
            if result.error:
                errors.append(result.error)
    finally:
        stop.set()
        if poller is not None:
            poller.join()
    with session_scope(sessions) as session:
        counts = _site_counts(session, run_id)
    if on_progress is not None:
        on_progress(counts)
    outcome = extract_run(sessions, run_id, specs, home)
    outcome.resumed = resumed
    outcome.errors = errors + outcome.errors
    with session_scope(sessions) as session:
        row = session.get(CrawlRunRow, run_id)
        assert row is not None
        unfinished = sum(c.get("pending", 0) for c in counts.values())
        row.status = "failed" if errors and unfinished else ("running" if unfinished else "finished")
        row.finished_at = _now() if row.status != "running" else None
        row.stats = {"sites": outcome.sites, "errors": errors[:MAX_KEPT]}
        row.evidence_path = str(outcome.evidence_path) if outcome.evidence_path else None
    return outcome


def _failures(session: Session, run_id: str, site: str) -> list[dict[str, str]]:
    rows = session.execute(
        select(CrawlFrontierRow.url, CrawlFrontierRow.reason).where(
            CrawlFrontierRow.run_id == run_id, CrawlFrontierRow.site == site, CrawlFrontierRow.state == "failed"
        ).order_by(CrawlFrontierRow.id).limit(MAX_KEPT)
    ).all()  # fmt: skip
    return [{"url": url, "reason": reason or ""} for url, reason in rows]


def stored_pages(session: Session, blobs: BlobStore, run_id: str, spec: CrawlSpec) -> Iterator[StoredPage]:
    """The run's fetched pages of `spec` whose rule extracts evidence, with their bodies."""
    from ganzhi.evidence.base import ArtefactRef

    rules = [r.name for r in spec.rules if r.kind != "page"]
    if not rules:
        return
    rows = session.scalars(
        select(CrawlPageRow).where(CrawlPageRow.run_id == run_id, CrawlPageRow.site == spec.name,
                                   CrawlPageRow.rule.in_(rules)).order_by(CrawlPageRow.id)
    )  # fmt: skip
    for row in rows:
        with blobs.open(row.body_sha256) as handle:
            body = handle.read()
        name = row.url.rsplit("/", 1)[-1][:200] or "page"
        shot = (
            ArtefactRef(sha256=row.screenshot_sha256, name="screenshot.png", media_type="image/png",
                        size=blobs.path(row.screenshot_sha256).stat().st_size)
            if row.screenshot_sha256 else None
        )  # fmt: skip
        content_type = (row.headers.get("content-type") or [row.media_type])[0]
        yield StoredPage(
            site=row.site, rule=row.rule, url=row.url, final_url=row.final_url, status=row.status,
            content_type=str(content_type), body=body, fetched_at=row.fetched_at,
            body_ref=ArtefactRef(sha256=row.body_sha256, name=name, media_type=row.media_type, size=row.body_size),
            screenshot_ref=shot,
        )  # fmt: skip


def extract_run(sessions: sessionmaker[Session], run_id: str, specs: Sequence[CrawlSpec], home: Path) -> CrawlOutcome:
    """Extract evidence from a run's stored pages, keep it per run, and write the JSON Lines files."""
    blobs = BlobStore(home / "blobs")
    out_dir = home / "crawl" / run_id
    out_dir.mkdir(parents=True, exist_ok=True)
    evidence_path = out_dir / "evidence.jsonl"
    everything: list[Evidence] = []
    sites: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    with session_scope(sessions) as session:
        counts = _site_counts(session, run_id)
        for spec in specs:
            extraction = extract_site(spec, list(stored_pages(session, blobs, run_id, spec)))
            known = set(session.scalars(select(CrawlEvidenceRow.evidence_id).where(CrawlEvidenceRow.run_id == run_id)))
            for item in extraction.evidence:
                if item.id not in known:
                    known.add(item.id)
                    session.add(CrawlEvidenceRow(run_id=run_id, site=spec.name, kind=item.kind,
                                                 subject_key=item.subject.key[:1024], evidence_id=item.id,
                                                 envelope=item.model_dump(mode="json")))  # fmt: skip
            everything.extend(extraction.evidence)
            by_kind: dict[str, int] = defaultdict(int)
            for item in extraction.evidence:
                by_kind[item.kind] += 1
            sites[spec.name] = {
                **counts.get(spec.name, {"pending": 0, "done": 0, "failed": 0}),
                "evidence": dict(by_kind),
                "failures": _failures(session, run_id, spec.name),
                "problems": extraction.problems[:MAX_KEPT],
            }
    with evidence_path.open("w", encoding="utf-8") as ev:
        for item in everything:
            ev.write(item.model_dump_json() + "\n")
    return CrawlOutcome(run_id=run_id, resumed=False, sites=sites, evidence=everything, evidence_path=evidence_path,
                        errors=errors)  # fmt: skip


# --------------------------------------------------------------------------------------- status and diff


@dataclass(frozen=True, slots=True)
class RunSummary:
    id: str
    sites: list[str]
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    started_by: str
    stats: dict[str, Any]


def list_runs(session: Session, *, limit: int = 20, site: str | None = None) -> list[RunSummary]:
    """Recent runs, newest first (of one site when given)."""
    rows = session.scalars(
        select(CrawlRunRow).order_by(CrawlRunRow.started_at.desc()).limit(max(1, min(limit, 1000)) * (5 if site else 1))
    ).all()
    out = [RunSummary(r.id, list(r.sites), r.status, r.started_at, r.finished_at, r.started_by, dict(r.stats or {}))
           for r in rows if site is None or site in r.sites]  # fmt: skip
    return out[:limit]


def run_status(session: Session, run_id: str) -> RunSummary | None:
    row = session.get(CrawlRunRow, run_id)
    if row is None:
        return None
    stats = dict(row.stats or {})
    stats["counts"] = _site_counts(session, run_id)
    return RunSummary(row.id, list(row.sites), row.status, row.started_at, row.finished_at, row.started_by, stats)


def last_collected(session: Session) -> dict[str, dt.datetime]:
    """Per site, when its latest finished run started (the basis of the schedule)."""
    found: dict[str, dt.datetime] = {}
    for row in session.scalars(select(CrawlRunRow).where(CrawlRunRow.status == "finished")):
        for site in row.sites:
            if site not in found or row.started_at > found[site]:
                found[site] = row.started_at
    return found


def _finished_runs(session: Session, site: str) -> list[str]:
    rows = session.scalars(
        select(CrawlRunRow).where(CrawlRunRow.status == "finished").order_by(CrawlRunRow.started_at.desc())
    ).all()
    return [r.id for r in rows if site in r.sites]


def _pages(session: Session, run_id: str, site: str) -> dict[str, str]:
    rows = session.execute(
        select(CrawlPageRow.url, CrawlPageRow.body_sha256).where(
            CrawlPageRow.run_id == run_id, CrawlPageRow.site == site, CrawlPageRow.status < 400
        )
    ).all()  # fmt: skip
    return dict(rows)


def _evidence(session: Session, run_id: str, site: str) -> list[Evidence]:
    rows = session.scalars(
        select(CrawlEvidenceRow.envelope).where(CrawlEvidenceRow.run_id == run_id, CrawlEvidenceRow.site == site)
    )
    return [Evidence.model_validate(envelope) for envelope in rows]


@dataclass(frozen=True, slots=True)
class SiteDiff:
    site: str
    before: str | None
    after: str | None
    changes: list[Change]


def diff_site(session: Session, site: str, *, run_id: str | None = None, against: str | None = None) -> SiteDiff:
    """Changes of `site` between `against` (default: the finished run before) and `run_id` (default: latest)."""
    runs = _finished_runs(session, site)
    after = run_id or (runs[0] if runs else None)
    if after is None:
        return SiteDiff(site, None, None, [])
    if against is None:
        older = runs[runs.index(after) + 1 :] if after in runs else runs
        against = older[0] if older else None
    if against is None:
        return SiteDiff(site, None, after, [])
    changes = diff_pages(site, _pages(session, against, site), _pages(session, after, site))
    changes += diff_evidence(site, _evidence(session, against, site), _evidence(session, after, site))
    return SiteDiff(site, against, after, changes)


def start_background(spec_paths: Sequence[Path], started_by: str, environ: Mapping[str, str] | None = None) -> int:
    """Start a collection in a detached process (the web page's button); returns its pid. Logs go to the data dir."""
    settings = load_settings(dict(environ) if environ is not None else None)
    logs = settings.home / "crawl" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"spec_paths": [str(p) for p in spec_paths], "started_by": started_by})
    log = (logs / f"{_now():%Y%m%d%H%M%S}-{secrets.token_hex(3)}.log").open("ab")
    with log:
        child = subprocess.Popen(
            [sys.executable, "-m", "ganzhi.usecases.crawl", "run", payload],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            env=dict(environ) if environ is not None else None,
        )  # fmt: skip
    return child.pid


def _run_main(raw: str) -> None:
    data = json.loads(raw)
    paths = [Path(p) for p in data["spec_paths"]]
    settings = load_settings()
    from ganzhi.store.migrate import current_revision, head_revision, upgrade

    if current_revision(settings.database_url) != head_revision():
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        outcome = collect(load_specs(paths), paths, session_factory(engine), database_url=settings.database_url,
                          home=settings.home, started_by=str(data.get("started_by", "web")))  # fmt: skip
        print(json.dumps({"run_id": outcome.run_id, "errors": outcome.errors}, ensure_ascii=False))
    finally:
        engine.dispose()


if __name__ == "__main__":  # pragma: no cover - exercised through subprocesses
    command, argument = sys.argv[1], sys.argv[2]
    if command == "partition":
        _partition_main(argument)
    elif command == "run":
        _run_main(argument)
    else:
        sys.exit(f"unknown command {command!r}; expected partition or run")
    os._exit(0)
