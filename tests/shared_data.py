"""Locate third-party data in ../shared/data; tests that need it skip with a clear reason when absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("GANZHI_SHARED_DATA", REPO_ROOT.parent / "shared" / "data")).resolve()


def shared_path(*parts: str) -> Path:
    """Path under the shared data folder; skips the calling test when it does not exist."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"third-party data not available: {path} (set GANZHI_SHARED_DATA or add ../shared/data)")
    return path
