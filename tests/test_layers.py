"""The layer contract (pyproject `[tool.importlinter]`) holds, and would catch a new upward import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(pythonpath: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _copy_package(tmp_path: Path) -> Path:
    """A copy of src/ganzhi's Python files (the graph is built from source; data files are not needed)."""
    target = tmp_path / "src"
    shutil.copytree(
        REPO / "src" / "ganzhi",
        target / "ganzhi",
        ignore=shutil.ignore_patterns("__pycache__", "data", "*.json*", "*.npz", "*.csv", "static", "templates"),
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return target


def test_the_shipped_package_keeps_its_layers() -> None:
    run = _lint(REPO / "src", REPO / "pyproject.toml")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    src = _copy_package(tmp_path)
    evidence_base = src / "ganzhi" / "evidence" / "base.py"
    evidence_base.write_text(
        evidence_base.read_text(encoding="utf-8") + "\nimport ganzhi.cli  # upward\n", encoding="utf-8"
    )
    run = _lint(src, tmp_path / "pyproject.toml")
    assert run.returncode != 0
    assert "BROKEN" in run.stdout and "ganzhi.evidence.base -> ganzhi.cli" in run.stdout


def test_an_import_between_independent_siblings_breaks_the_contract(tmp_path: Path) -> None:
    src = _copy_package(tmp_path)
    users = src / "ganzhi" / "accounts" / "users.py"
    users.write_text(
        users.read_text(encoding="utf-8") + "\nimport ganzhi.usecases.standings  # sideways\n", encoding="utf-8"
    )
    run = _lint(src, tmp_path / "pyproject.toml")
    assert run.returncode != 0
    assert "ganzhi.accounts.users -> ganzhi.usecases.standings" in run.stdout
