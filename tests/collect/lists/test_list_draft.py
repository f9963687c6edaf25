"""`ganzhi lists draft`: draft XLSX/HTML lists from a forged APK, readable by our own list parser."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from forge.apk.forge_fixtures import sample_apk
from ganzhi.cli import app
from ganzhi.collect.apk.reader import read_apk
from ganzhi.collect.lists.parse import parse_list_file
from ganzhi.collect.policy.analyze import analyze_document
from ganzhi.collect.policy.ingest import read_policy_bytes
from ganzhi.forge.apk.builder import write_apk
from ganzhi.usecases.lists_draft import BANNER, TO_FILL, draft_lists, to_html


def test_draft_rows_from_apk_and_policy(tmp_path: Path) -> None:
    static = read_apk(write_apk(sample_apk(sdk_classes=8), tmp_path / "app.apk")).static
    policy = analyze_document(read_policy_bytes("我们会收集您的位置信息，用于推荐附近门店。".encode(), "p.txt"))
    draft = draft_lists(static, policy)
    kinds = {row[0]: row for row in draft.collected}
    assert "位置信息" in kinds and kinds["位置信息"][1] == "推荐附近门店" and kinds["位置信息"][4] == "是"
    assert kinds["设备标识符"][1] == TO_FILL
    assert kinds["设备标识符"][3] == "通过READ_PHONE_STATE、getDeviceId获取"
    assert [row[0] for row in draft.shared] == ["个推推送"]
    shared = draft.shared[0]
    assert shared[1] != TO_FILL and shared[6].startswith("http")


def test_cli_writes_lists_the_parser_reads_back(tmp_path: Path) -> None:
    apk = write_apk(sample_apk(sdk_classes=8), tmp_path / "app.apk")
    out = tmp_path / "drafts"
    result = CliRunner().invoke(app, ["lists", "draft", str(apk), "--output", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["collected_rows"] >= 2 and summary["shared_rows"] >= 1
    for path in map(Path, summary["files"]):
        parsed = {p.kind: p for p in parse_list_file(path)}
        assert set(parsed) == {"collected", "shared"}, path
        assert {"pi_types", "purpose", "scenario"} <= set(parsed["collected"].headers)
        assert {"third_party", "developer", "method", "policy_link"} <= set(parsed["shared"].headers)
        assert len(parsed["collected"].rows) == summary["collected_rows"]


def test_html_escapes_values(tmp_path: Path) -> None:
    static = read_apk(write_apk(sample_apk(sdk_classes=8), tmp_path / "app.apk")).static
    draft = draft_lists(static)
    draft.collected.append(["<script>alert(1)</script>", TO_FILL, TO_FILL, TO_FILL, "否", TO_FILL])
    page = to_html(draft)
    assert "<script>alert" not in page and "&lt;script&gt;" in page and BANNER in page


def test_bad_apk_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.apk"
    bad.write_bytes(b"not a zip")
    result = CliRunner().invoke(app, ["lists", "draft", str(bad), "--output", str(tmp_path / "o")])
    assert result.exit_code == 1 and "bad.apk" in result.output


def test_a_stub_sdk_is_not_drafted_onto_the_sharing_list(tmp_path: Path) -> None:
    static = read_apk(write_apk(sample_apk(sdk_classes=1), tmp_path / "app.apk")).static
    assert draft_lists(static).shared == []
