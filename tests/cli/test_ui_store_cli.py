"""`ganzhi ui check --store`: a capture judged from the CLI reaches the platform — a stored run, tracked issues and
the judged screenshot the app page shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ganzhi.cli import app
from ganzhi.forge.ui.scenarios import PACKAGE, cold_start
from ganzhi.store.db import make_engine, session_factory, session_scope
from ganzhi.store.ui_picture_repo import pictures_of


def test_ui_check_store_keeps_the_run_and_its_judged_screen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("GANZHI_HOME", str(home))
    monkeypatch.setenv("GANZHI_DATABASE_URL", f"sqlite:///{home / 'ganzhi.db'}")
    bundle = cold_start(tmp_path / "bundle", close_dp=20, contrast=1.5)
    result = CliRunner().invoke(app, ["ui", "check", str(bundle), "--ocr", "off", "--store", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert "stored run" in result.stderr and "1 judged screenshot" in result.stderr
    sessions = session_factory(make_engine(f"sqlite:///{home / 'ganzhi.db'}"))
    with session_scope(sessions) as session:
        pictures = pictures_of(session, "app", PACKAGE)
    assert len(pictures) == 1
    picture = pictures[0]
    assert picture.verdict == "FAIL"
    assert (home / "blobs").is_dir()


def test_without_store_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("GANZHI_HOME", str(home))
    monkeypatch.setenv("GANZHI_DATABASE_URL", f"sqlite:///{home / 'ganzhi.db'}")
    bundle = cold_start(tmp_path / "bundle", close_dp=20, contrast=1.5)
    result = CliRunner().invoke(app, ["ui", "check", str(bundle), "--ocr", "off", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert not (home / "ganzhi.db").exists()
