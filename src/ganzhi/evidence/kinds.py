"""Import every evidence module so each payload model registers its kind."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

import ganzhi.evidence as _package
from ganzhi.evidence.base import known_kinds

__all__ = ["import_all_kinds", "known_kinds"]


@lru_cache(maxsize=1)
def import_all_kinds() -> tuple[str, ...]:
    """Import `ganzhi.evidence.*` once; returns the registered kind names."""
    for info in pkgutil.iter_modules(_package.__path__):
        if info.name not in {"base", "kinds"}:
            importlib.import_module(f"{_package.__name__}.{info.name}")
    return tuple(known_kinds())
