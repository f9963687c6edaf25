"""Derived-table caches are written whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path

from ganzhi.collect.apk.cachefile import write_cache


def test_cache_is_written_whole_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "table.json"
    write_cache(path, {"rows": [1, 2]})
    write_cache(path, {"rows": [3]})
    assert json.loads(path.read_text(encoding="utf-8")) == {"rows": [3]}
    assert [p.name for p in path.parent.iterdir()] == ["table.json"], "no temporary file is left behind"


def test_an_unwritable_place_leaves_no_cache_and_raises_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    write_cache(blocker / "table.json", {"rows": []})
    assert not (blocker / "table.json").exists()
