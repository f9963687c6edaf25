"""T6/T7 二级菜单: navigation captures (recorded with taps, or imported dumps) measured and judged."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ganzhi.cli import app
from ganzhi.collect.ui.analyze import bundle_evidence
from ganzhi.collect.ui.detect import Detector
from ganzhi.collect.ui.lexicon import load_lexicon
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.status import Status
from ganzhi.evidence.ui import UiEpisode
from ganzhi.forge.ui.bundles import uiautomator_xml
from ganzhi.forge.ui.navigation import COLLECTED_ENTRY, menu_screen, navigation
from ganzhi.forge.ui.scenarios import PACKAGE

runner = CliRunner()
FAST = Detector(load_lexicon(), ())


def test_levels_count_forward_taps_and_back_keys_go_up(tmp_path: Path) -> None:
    item = bundle_evidence(navigation(tmp_path / "b", collected_level=1, shared_level=None, back_detour=True), FAST)
    reach = {r.list_kind: r for r in item.payload(UiEpisode).list_reach}
    assert reach["collected"].entry_level == 1 and reach["collected"].path == ["我的"]
    assert reach["collected"].frame == 1  # first seen during the detour, one tap from home
    assert not reach["shared"].found and reach["shared"].max_level == 3
    results = evaluate([item], tasks=("T6", "T7")).results
    by_check = {r.check_id: r for r in results if r.check_id.endswith("_list_location")}
    assert by_check["t6_collected_list_location"].status is Status.PASS
    assert by_check["t7_shared_list_location"].status is Status.MANUAL
    assert "最深第3级" in by_check["t7_shared_list_location"].message.zh


def test_other_scenarios_have_no_list_reach(tmp_path: Path) -> None:
    from ganzhi.forge.ui import scenarios

    item = bundle_evidence(scenarios.cold_start(tmp_path / "b"), FAST)
    assert item.payload(UiEpisode).list_reach == []
    results = evaluate([item], check_ids=["t6_collected_list_location"]).results
    assert [r.status for r in results] == [Status.NOT_APPLICABLE]


def test_imported_dumps_of_a_walk_are_judged_by_ui_check(tmp_path: Path) -> None:
    dumps = []
    for level in range(4):
        extra = [COLLECTED_ENTRY] if level == 3 else []
        path = tmp_path / f"d{level}.xml"
        path.write_bytes(uiautomator_xml(menu_screen(level, extra), PACKAGE))
        dumps.append(path)
    bundle = tmp_path / "walk"
    args = ["ui", "import", "uiautomator", *map(str, dumps), "-o", str(bundle), "--package", PACKAGE]
    imported = runner.invoke(app, [*args, "--density", "440", "--scenario", "navigation"])
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["ui", "check", str(bundle), "--ocr", "off", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    results = json.loads(out.read_text(encoding="utf-8"))["results"]
    collected = next(r for r in results if r["check_id"] == "t6_collected_list_location")
    assert collected["status"] == "FAIL" and collected["data"]["entry_level"] == 3
    assert collected["data"]["path"] == ["frame 1", "frame 2", "frame 3"]  # dumps carry no activity names here
