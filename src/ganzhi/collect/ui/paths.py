"""Where the UI tools find third-party inputs at run time (never copied into the repo)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]
SHARED_UI = Path(os.environ.get("GANZHI_SHARED_DATA", REPO_ROOT.parent / "shared" / "data")) / "ui"
#: UIGuard's AdClose icons (Apache-2.0), read at run time.
DEFAULT_TEMPLATE_DIR = SHARED_UI / "uiguard" / "AdClose"
AIDUI_IMAGES = SHARED_UI / "aidui" / "mobile_nagging_png"
AIDUI_LABELS = REPO_ROOT / "labels" / "aidui_close_controls.json"
