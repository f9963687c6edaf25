"""Temp copies of the shipped catalog with one defect each, for loader and CLI error tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ganzhi.catalog.loader import DATA_DIR


def copy_catalog(tmp_path: Path) -> Path:
    """A writable copy of the shipped catalog folder."""
    target = tmp_path / "catalog-data"
    shutil.copytree(DATA_DIR, target)
    return target


def break_file(root: Path, relative: str, old: str, new: str) -> Path:
    """Replace the single occurrence of `old` in `root/relative` by `new`; return the file's path."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    count = text.count(old)
    if count != 1:
        raise AssertionError(f"{path}: expected {old!r} exactly once, found {count}")
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def break_yaml(root: Path, relative: str, mutate: Callable[[Any], None]) -> Path:
    """Load `root/relative`, let `mutate` change the data in place, and write it back (anchors expanded)."""
    path = root / relative
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
