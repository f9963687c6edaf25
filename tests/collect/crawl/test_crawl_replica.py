"""Live collection end to end against the loopback replica: evidence, checks, diff, resume, politeness, guard."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.collect.crawl.spec import load_specs
from ganzhi.collect.evidence_file import read_evidence
from ganzhi.evidence.base import Evidence
from ganzhi.store.crawl_tables import CrawlFrontierRow, CrawlPageRow
from ganzhi.store.db import make_engine, session_factory, session_scope
from ganzhi.store.migrate import upgrade
from ganzhi.usecases.crawl import collect, diff_site

sys.path.insert(0, str(Path(__file__).parent / "replica"))
import itertools

import server

SPECS = Path(__file__).parent / "replica" / "specs"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def replica(monkeypatch: pytest.MonkeyPatch) -> Iterator[server.Replica]:
    site = server.start()
    monkeypatch.setenv("GANZHI_REPLICA", site.url)
    yield site
    server.stop(site)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'ganzhi.db'}"
    monkeypatch.setenv("GANZHI_HOME", str(tmp_path))
    monkeypatch.setenv("GANZHI_DATABASE_URL", url)
    upgrade(url)
    return tmp_path, url, session_factory(make_engine(url))


def _collect(home: tuple[Path, str, sessionmaker[Session]], name: str, **options: object):  # type: ignore[no-untyped-def]
    path = SPECS / name
    return collect(load_specs([path]), [path], home[2], database_url=home[1], home=home[0], **options)  # type: ignore[arg-type]


@pytest.mark.skipif(
    not CHROMIUM.is_file(), reason="Debian's Chromium (/usr/bin/chromium) is needed to render the tariff zone"
)
def test_replica_collected_into_evidence_checked_and_diffed(
    replica: server.Replica, home: tuple[Path, str, sessionmaker[Session]]
) -> None:
    first = _collect(home, "operator.yaml")
    site = first.sites["replica-site"]
    assert site["pending"] == 0 and site["done"] == 13, site
    kinds = site["evidence"]
    assert kinds == {"tariff_catalogue": 1, "hall_public_list": 1, "policy_analysis": 2, "pi_list": 2,
                     "netdisk_disclosure": 1, "hotline_listing": 1, "store_listing": 1}  # fmt: skip
    reasons = {f["url"].removeprefix(replica.url): f["reason"] for f in site["failures"]}
    assert "robots.txt" in reasons["/private/secret"]
    assert "too large" in reasons["/big/"] and "timeout" in reasons["/slow/"].lower()
    assert "redirect" in reasons["/loop/a"]
    paths = replica.paths()
    assert "/private/secret" not in paths  # robots.txt obeyed
    assert paths.count("/flaky/") == 3  # two 500s retried with backoff, then collected
    assert all(p != "/admin" for p in paths)

    # the evidence file is what `ganzhi check run` reads; the table came by XHR and was rendered in Chromium
    evidence = [e for e in read_evidence(first.evidence_path) if isinstance(e, Evidence)]  # type: ignore[arg-type]
    tariff = next(e for e in evidence if e.kind == "tariff_catalogue")
    assert [p["plan_id"] for p in tariff.data["plans"]] == ["24BJ100001", "24BJ100002"]
    assert any(a.media_type == "image/png" for a in tariff.artefacts)  # the rendered page's screenshot
    hotline = next(e for e in evidence if e.kind == "hotline_listing")
    assert hotline.subject.id == "10086"  # decoded from the GBK page
    halls = next(e for e in evidence if e.kind == "hall_public_list")
    assert len(halls.data["entries"]) == 15  # three pages followed through 下一页
    assert {e.data.get("kind") for e in evidence if e.kind == "pi_list"} == {"collected", "shared"}
    lines = first.evidence_path.read_text(encoding="utf-8").splitlines()
    written = [Evidence.model_validate_json(line) for line in lines]
    listing = next(e for e in written if e.kind == "store_listing")  # with the other evidence: checks can read it
    assert listing.kind == "store_listing" and listing.subject.id == "com.example.video"
    assert listing.data["apk_url"] == replica.url + "/apk/com.example.video.apk"
    assert listing.data["permissions"] == ["相机", "位置信息"] and listing.data["version"] == "8.1.0"
    with session_scope(home[2]) as session:
        pages = session.scalars(select(CrawlPageRow).where(CrawlPageRow.run_id == first.run_id)).all()
        assert all(len(p.body_sha256) == 64 and p.fetched_at and p.headers for p in pages)
        gbk = next(p for p in pages if p.url.endswith("/gbk/"))
        assert gbk.status == 200 and gbk.rule == "hotline" and gbk.final_url.endswith("/gbk/")

    from ganzhi.usecases.inspection import inspect

    inspection = inspect([e for e in first.evidence if e.kind != "store_listing"], home[2])
    assert {r.check_id.split("_")[0] for r in inspection.results} >= {"t1", "t3", "t5", "t6", "t7", "t10"}

    replica.version = 2
    second = _collect(home, "operator.yaml")
    assert second.run_id != first.run_id
    with session_scope(home[2]) as session:
        changes = diff_site(session, "replica-site").changes
    whats = [(c.kind, c.change, c.what, c.before, c.after) for c in changes]
    assert ("tariff_catalogue", "added", "新增套餐 / new plan 24BJ100003", None, "5G畅连套餐 129元") in whats
    assert any(k == "tariff_catalogue" and "price changed 24BJ100001" in w and a == "69.0" for k, _, w, _, a in whats)
    assert any(k == "policy_analysis" and ch == "changed" and "短信验证码" in (a or "") for k, ch, _, _, a in whats)
    assert any(
        k == "hall_public_list" and ch == "removed" and "示例移动2-5号营业厅" in (b or "") for k, ch, _, b, _ in whats
    )
    assert any(k == "store_listing" and "version" in w and a == "8.2.0" for k, _, w, _, a in whats)


def test_killed_crawl_resumes_without_fetching_done_pages_twice(
    replica: server.Replica, home: tuple[Path, str, sessionmaker[Session]]
) -> None:
    replica.bench_pages = 400
    env = {**os.environ, "GANZHI_REPLICA": replica.url}
    code = "from ganzhi.cli.crawl import app; app(['run', sys.argv[1]])"
    child = subprocess.Popen([sys.executable, "-c", "import sys; " + code, str(SPECS / "bench.yaml")], env=env,
                             start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    done_before: set[str] = set()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        with session_scope(home[2]) as session:
            done_before = set(session.scalars(select(CrawlFrontierRow.url).where(CrawlFrontierRow.state == "done")))
        if len(done_before) >= 60:
            break
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    time.sleep(0.5)
    with session_scope(home[2]) as session:
        done_before = set(session.scalars(select(CrawlFrontierRow.url).where(CrawlFrontierRow.state == "done")))
    assert 60 <= len(done_before) < 405, len(done_before)
    logged = len(replica.paths())

    resumed = _collect(home, "bench.yaml")
    assert resumed.resumed
    again = [p for p in replica.paths()[logged:] if p != "/robots.txt"]
    assert not {replica.url + p for p in again} & done_before  # nothing recorded as done was fetched again
    with session_scope(home[2]) as session:
        rows = session.execute(select(CrawlFrontierRow.url, CrawlFrontierRow.state)).all()
    assert len(rows) == 404 and {state for _, state in rows} == {"done"}  # 4 list pages + 400 items, none lost
    fetched = [p for p in replica.paths() if p != "/robots.txt"]
    # only pages not yet recorded at the kill (in flight, or fetched in the last uncommitted batch) come twice
    assert len(fetched) - len(set(fetched)) <= 404 - len(done_before)
    assert len(fetched) - len(set(fetched)) < 60


def test_per_host_delay_is_kept(replica: server.Replica, home: tuple[Path, str, sessionmaker[Session]]) -> None:
    outcome = _collect(home, "spaced.yaml")
    assert outcome.sites["replica-spaced"]["done"] == 7
    with replica.lock:
        times = [t for t, path, _ in replica.log if path.startswith("/spaced/")]
        agents = {agent for _, _, agent in replica.log}
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 6 and min(gaps) >= 0.4 * 0.95, gaps
    assert agents == {next(iter(agents))} and next(iter(agents)).startswith("ganzhi-524-inspector/")


def test_loopback_is_refused_unless_the_spec_allows_it(
    replica: server.Replica, home: tuple[Path, str, sessionmaker[Session]]
) -> None:
    outcome = _collect(home, "guarded.yaml")
    site = outcome.sites["replica-guarded"]
    assert site["done"] == 0 and site["failed"] == 1
    assert "loopback" in site["failures"][0]["reason"]
    assert replica.paths() == []  # not even robots.txt left the process


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_partitions_run_on_the_process_pool_and_dask(
    replica: server.Replica, home: tuple[Path, str, sessionmaker[Session]], executor: str
) -> None:
    """The same site collected through the scale-out executors gives the serial result (pages, evidence)."""
    from ganzhi.engine.executors import make_executor

    pool = make_executor(executor, workers=2)
    try:
        outcome = _collect(home, "spaced.yaml", executor=pool)
    finally:
        pool.close()
    assert outcome.errors == []
    assert outcome.sites["replica-spaced"]["done"] == 7
