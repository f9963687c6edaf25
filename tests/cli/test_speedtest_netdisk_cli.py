"""`ganzhi speedtest run` and `ganzhi netdisk disclosure` end to end, evidence lines readable by the checks."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ganzhi.cli import app
from ganzhi.collect.evidence_file import read_evidence
from ganzhi.collect.speedtest.server import SpeedtestServer
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.base import Evidence


@pytest.fixture
def server_url() -> Iterator[str]:
    loop = asyncio.new_event_loop()
    server = SpeedtestServer()
    port = loop.run_until_complete(server.start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(server.close(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_speedtest_run_json_and_evidence(server_url: str, tmp_path: Path) -> None:
    evidence = tmp_path / "ev.jsonl"
    args = [
        "speedtest",
        "run",
        server_url,
        "--duration",
        "2",
        "--streams",
        "2",
        "--format",
        "json",
        "--contract-down",
        "100000",
        "--nic-mbps",
        "100",
        "--connection",
        "wired",
        "--evidence",
        str(evidence),
    ]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    body = json.loads(done.stdout)
    assert {"download_mbps", "upload_mbps", "latency_ms", "jitter_ms", "diagnosis"} <= body.keys()
    assert body["diagnosis"][0]["code"] == "nic"
    items = [item for item in read_evidence(evidence) if isinstance(item, Evidence)]
    assert [item.kind for item in items] == ["speedtest_result"]


def test_speedtest_run_unreachable_exits_1() -> None:
    done = CliRunner().invoke(app, ["speedtest", "run", "http://127.0.0.1:9", "--duration", "2"])
    assert done.exit_code == 1 and "cannot connect" in done.output


def test_netdisk_disclosure_feeds_the_t5_checks(tmp_path: Path) -> None:
    page = tmp_path / "vip.txt"
    page.write_text(
        "免费用户\n存储空间 5GB\n下载速度 最低200KB/s\n超级会员\n存储空间 2TB\n25元/月\n尊享极速下载！\n", "utf-8"
    )
    evidence = tmp_path / "ev.jsonl"
    done = CliRunner().invoke(
        app, ["netdisk", "disclosure", str(page), "--service", "demo", "--evidence", str(evidence)]
    )
    assert done.exit_code == 0, done.output
    items = [item for item in read_evidence(evidence) if isinstance(item, Evidence)]
    outcome = evaluate(items, check_ids=["t5_tier_disclosure", "t5_speed_claims"])
    failed = {(r.check_id, r.status.value) for r in outcome.results}
    assert ("t5_tier_disclosure", "FAIL") in failed and ("t5_speed_claims", "FAIL") in failed
