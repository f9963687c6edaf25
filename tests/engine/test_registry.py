from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_world import write_catalog, write_check

from ganzhi.catalog.loader import load_catalog
from ganzhi.engine.registry import Registry, default_registry, discover
from ganzhi.errors import CheckDefinitionError


def test_discovers_a_valid_check(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path, automated_checks=["t1_widget_size"]))
    package = write_check(tmp_path / "pkgs")
    registry = Registry(catalog, discover(tmp_path / "pkgs" / package, package))
    assert [s.id for s in registry.all()] == ["t1_widget_size"]
    assert registry.select(tasks=["T2"]) == []
    assert len(registry.select(severities=["high"])) == 1


def test_unknown_requirement_fails_loudly(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path, automated_checks=["t1_widget_size"]))
    package = write_check(tmp_path / "pkgs", requirements=["T1.no-such-thing"])
    with pytest.raises(CheckDefinitionError, match=r"unknown requirement id 'T1.no-such-thing'"):
        Registry(catalog, discover(tmp_path / "pkgs" / package, package))


def test_automated_requirement_without_check_fails(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path, automated_checks=["t1_widget_size"]))
    with pytest.raises(CheckDefinitionError, match=r"T1.widget-size is automated but none of its checks exists"):
        Registry(catalog, [])


def test_duplicate_id_fails(tmp_path: Path) -> None:
    package = write_check(tmp_path / "pkgs")
    root = tmp_path / "pkgs" / package
    clone = root / "t1" / "t1_widget_copy"
    clone.mkdir()
    for name in ("__init__.py", "check.py", "metadata.yaml"):
        (clone / name).write_text((root / "t1" / "t1_widget_size" / name).read_text())
    with pytest.raises(CheckDefinitionError, match="differs from its folder name"):
        discover(root, package)


def test_folder_under_wrong_task_fails(tmp_path: Path) -> None:
    package = write_check(tmp_path / "pkgs")
    root = tmp_path / "pkgs" / package
    (root / "t1").rename(root / "t2")
    with pytest.raises(CheckDefinitionError, match="sits under t2/"):
        discover(root, package)


def test_unknown_evidence_kind_fails(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path, automated_checks=["t1_widget_size"]))
    package = write_check(tmp_path / "pkgs", evidence_kinds=["no_such_kind"])
    with pytest.raises(CheckDefinitionError, match="unknown evidence kind 'no_such_kind'"):
        Registry(catalog, discover(tmp_path / "pkgs" / package, package))


def test_bad_metadata_names_the_file(tmp_path: Path) -> None:
    package = write_check(tmp_path / "pkgs", severity="catastrophic")
    with pytest.raises(CheckDefinitionError, match=r"metadata.yaml: severity"):
        discover(tmp_path / "pkgs" / package, package)


def test_shipped_registry_is_consistent() -> None:
    registry = default_registry()
    assert len(registry) > 0
    for spec in registry.all():
        assert spec.cases_dir.is_dir(), f"{spec.id} has no cases/ folder"
