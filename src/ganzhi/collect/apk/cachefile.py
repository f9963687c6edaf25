"""Best-effort JSON caches of derived tables under `$GANZHI_HOME/cache` (API table, SDK index).

Why one writer: a cache is written whole to a temporary file beside it and renamed, so a reader never sees half
a file; a read-only or full home only costs a rebuild next time, never the scan.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any


def write_cache(path: Path, payload: Any) -> None:
    """Write `payload` as JSON to `path` atomically; on any OS error leave the cache as it was."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as handle:
            handle.write(json.dumps(payload, ensure_ascii=False))
        Path(handle.name).replace(path)
    except OSError:
        return
