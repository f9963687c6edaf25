"""采集任务 page: regulators see specs, runs and failures (escaped) and start a collection; others cannot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_web_oversight import sign_in
from web_fixtures import World, build_world

from ganzhi.store.crawl_tables import CrawlFrontierRow, CrawlRunRow
from ganzhi.store.db import session_scope
from ganzhi.usecases import crawl as crawl_usecase

HOSTILE = '<script>alert("x")</script>'
SPEC = """name: op-zone
title: 示例运营商资费专区 {hostile}
seeds: ["https://www.example.cn/tariff/"]
allowed_hosts: [www.example.cn]
schedule: {{every: 1d}}
rules: [{{name: zone, match: "/tariff/"}}]
"""


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "op.yaml").write_text(SPEC.format(hostile=HOSTILE), encoding="utf-8")
    monkeypatch.setenv("GANZHI_CRAWL_SPECS", str(specs))
    w = build_world(tmp_path)
    now = dt.datetime.now(dt.UTC)
    with session_scope(w.sessions) as session:
        session.add(
            CrawlRunRow(
                id="crawl-1",
                sites=["op-zone"],
                status="finished",
                started_at=now,
                finished_at=now,
                started_by="inspector",
                evidence_path=None,
                stats={
                    "sites": {
                        "op-zone": {
                            "done": 3,
                            "failed": 1,
                            "failures": [{"url": "https://www.example.cn/private/", "reason": f"robots.txt {HOSTILE}"}],
                        }
                    }
                },
            )
        )
        session.flush()
        session.add(
            CrawlFrontierRow(
                run_id="crawl-1",
                site="op-zone",
                host="www.example.cn",
                url="https://www.example.cn/",
                url_hash="0" * 64,
                rule="zone",
                depth=0,
                parent_id=None,
                state="done",
                updated_at=now,
            )
        )
    yield w
    w.client.close()


def test_regulators_see_specs_runs_and_failures_and_start_a_collection(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[list[Path], str]] = []
    monkeypatch.setattr(crawl_usecase, "start_background", lambda paths, by: started.append((list(paths), by)) or 4242)
    assert world.client.get("/crawl", follow_redirects=False).headers["location"] == "/login"
    csrf = sign_in(world, "inspector")
    shown = world.client.get("/crawl")
    assert shown.status_code == 200 and "采集任务" in shown.text and 'id="spec-op-zone"' in shown.text
    assert 'id="run-crawl-1"' in shown.text and "https://www.example.cn/private/" in shown.text
    assert HOSTILE not in shown.text and "&lt;script&gt;" in shown.text
    assert world.client.post("/crawl/start", data={"site": "op-zone"}).status_code == 403  # no CSRF token
    assert started == []
    made = world.client.post("/crawl/start", data={"csrf_token": csrf, "site": "op-zone"}, follow_redirects=False)
    assert made.status_code == 303 and started and started[0][0][0].name == "op.yaml" and started[0][1] == "inspector"
    unknown = world.client.post("/crawl/start", data={"csrf_token": csrf, "site": "nope"})
    assert unknown.status_code == 422 and "nope" in unknown.text

    csrf = sign_in(world, "alice")
    assert world.client.get("/crawl").status_code == 403
    assert world.client.post("/crawl/start", data={"csrf_token": csrf, "site": "op-zone"}).status_code == 403
    assert len(started) == 1
