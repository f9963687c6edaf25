"""`ganzhi db upgrade` and `ganzhi db current` against a temporary SQLite database."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from ganzhi.store.migrate import current_revision, head_revision


def _db_cli() -> ModuleType:
    """`ganzhi.cli.db`; loaded from its file when sibling CLI groups are not importable yet."""
    try:
        return importlib.import_module("ganzhi.cli.db")
    except ModuleNotFoundError:
        path = Path(__file__).resolve().parents[2] / "src" / "ganzhi" / "cli" / "db.py"
        spec = importlib.util.spec_from_file_location("ganzhi_cli_db_under_test", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_upgrade_then_current(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _db_cli().app
    db_file = tmp_path / "home" / "ganzhi.db"
    url = f"sqlite:///{db_file}"
    monkeypatch.setenv("GANZHI_DATABASE_URL", url)

    before = runner.invoke(app, ["current"])
    assert before.exit_code == 0, before.output
    assert "未迁移 / not migrated" in before.output

    first = runner.invoke(app, ["upgrade"])
    assert first.exit_code == 0, first.output
    assert f"已迁移 / migrated: (empty) -> {head_revision()}" in first.output
    assert current_revision(url) == head_revision()

    second = runner.invoke(app, ["upgrade"])
    assert second.exit_code == 0, second.output
    assert "已是最新 / already at revision" in second.output

    now = runner.invoke(app, ["current"])
    assert now.exit_code == 0, now.output
    assert f"当前版本 / revision: {head_revision()} (head)" in now.output


def test_upgrade_uses_the_home_directory_by_default(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "gz-home"
    monkeypatch.setenv("GANZHI_HOME", str(home))
    result = runner.invoke(_db_cli().app, ["upgrade"])
    assert result.exit_code == 0, result.output
    assert (home / "ganzhi.db").is_file()


def test_password_is_masked_and_failures_exit_nonzero(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GANZHI_DATABASE_URL", "postgresql+psycopg://alice:s3cret@127.0.0.1:1/nowhere")
    result = runner.invoke(_db_cli().app, ["upgrade"])
    assert result.exit_code == 1
    assert "s3cret" not in result.output
    assert "alice:***@127.0.0.1:1/nowhere" in result.output
    assert "错误 / error" in result.output
