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
#: UIGuard's AdChoices marks (Apache-2.0), a cue that a screen is an ad.
DEFAULT_MARK_DIR = SHARED_UI / "uiguard" / "ADTriInfo"
#: The whole AidUI mobile evaluation set (323 screens) and its COCO classes.
AIDUI_ALL = SHARED_UI / "aidui" / "mobile_jpg"
AIDUI_RESULT = SHARED_UI / "aidui" / "mobile_result.json"
GKD_SPLASH = SHARED_UI / "gkd" / "gkdkit_splash_rules.json"
