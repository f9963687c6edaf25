"""Live collection throughput: the crawler on the loopback replica, 10,000 pages, pages/s and peak RSS.

Run `python -m benchmarks.crawl [--pages N]`; prints a table and writes benchmarks/results/crawl-<time>.json.
The crawl is the real one (robots.txt, destination guard, per-host slots, every page stored as a blob and a
database row in the same transaction as its frontier update), on a site of `/bench/` pages served by the
test replica (`tests/collect/crawl/replica`), politeness delay 0 and 8 connections (a replica of our own).
Baseline, in the same run: one `urllib` client fetching the same pages one after another and keeping nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

from benchmarks._result import write_result

ROOT = Path(__file__).resolve().parent.parent
REPLICA = ROOT / "tests" / "collect" / "crawl" / "replica"
BASELINE_PAGES = 1_000


def _peak_rss(stop: threading.Event, box: list[int]) -> None:
    me = psutil.Process()
    while not stop.wait(0.2):
        total = 0
        for child in me.children(recursive=True):
            try:
                total = max(total, child.memory_info().rss)
            except psutil.Error:
                continue
        box[0] = max(box[0], total)


def main() -> None:
    """Serve the replica, crawl it, fetch the baseline, print and write the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10_000)
    pages = parser.parse_args().pages
    sys.path.insert(0, str(REPLICA))
    import server  # the replica the tests use

    from ganzhi.collect.crawl.spec import load_specs
    from ganzhi.store.db import make_engine, session_factory
    from ganzhi.store.migrate import upgrade
    from ganzhi.usecases.crawl import collect

    site = server.start()
    site.bench_pages = pages
    os.environ["GANZHI_REPLICA"] = site.url
    spec_path = REPLICA / "specs" / "bench.yaml"
    with tempfile.TemporaryDirectory(prefix="ganzhi-bench-crawl-") as tmp:
        home = Path(tmp)
        url = f"sqlite:///{home / 'ganzhi.db'}"
        upgrade(url)
        stop, peak = threading.Event(), [0]
        watcher = threading.Thread(target=_peak_rss, args=(stop, peak), daemon=True)
        watcher.start()
        started = time.perf_counter()
        outcome = collect(load_specs([spec_path]), [spec_path], session_factory(make_engine(url)),
                          database_url=url, home=home)  # fmt: skip
        seconds = time.perf_counter() - started
        stop.set()
        watcher.join()
        counts = outcome.sites["replica-bench"]
    fetched = counts["done"]
    started = time.perf_counter()
    for i in range(min(BASELINE_PAGES, pages)):
        with urllib.request.urlopen(f"{site.url}/bench/p/{i}", timeout=10) as answer:
            answer.read()
    baseline_s = time.perf_counter() - started
    server.stop(site)
    figures = {
        "pages": fetched,
        "failed": counts["failed"],
        "seconds": round(seconds, 2),
        "pages_per_s": round(fetched / seconds, 1),
        "peak_rss_mb": round(peak[0] / 2**20, 1),
        "baseline_urllib_pages_per_s": round(min(BASELINE_PAGES, pages) / baseline_s, 1),
    }
    print(f"crawl of the replica: {pages} item pages + list pages")
    print(f"  ganzhi crawl (Scrapy, stored) : {figures['pages']} pages in {figures['seconds']} s = "
          f"{figures['pages_per_s']} pages/s, peak RSS of the crawl process {figures['peak_rss_mb']} MB")  # fmt: skip
    print(f"  baseline urllib, sequential   : {figures['baseline_urllib_pages_per_s']} pages/s (nothing stored)")
    print(f"wrote {write_result('crawl', figures)}")


if __name__ == "__main__":
    main()
