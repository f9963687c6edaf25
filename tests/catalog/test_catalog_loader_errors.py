"""Broken catalogs fail with a message that names the file, the id at fault and the problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from catalog_copies import break_file, break_yaml, copy_catalog

from ganzhi.catalog.loader import MAX_FILE_BYTES, load_catalog
from ganzhi.errors import CatalogError


def _error(root: Path) -> str:
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    return str(info.value)


def test_copy_of_shipped_catalog_loads(tmp_path: Path) -> None:
    assert len(load_catalog(copy_catalog(tmp_path)).tasks) == 11


def test_unknown_unit(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    path = break_file(root, "tasks/T9.yaml", "unit: natural_day", "unit: furlong")
    message = _error(root)
    assert str(path) in message
    assert "T9.eligibility.min-interval" in message
    assert "min_days" in message
    assert "unknown unit 'furlong'" in message


def test_duplicate_requirement_id(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    path = break_file(root, "tasks/T9.yaml", "id: T9.eligibility.normal-status", "id: T9.eligibility.real-name")
    message = _error(root)
    assert str(path) in message
    assert "T9.eligibility.real-name" in message
    assert "duplicate requirement id" in message


def test_automated_without_check(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    path = break_file(root, "tasks/T9.yaml", "checks: [t9_port_real_name]", "checks: []")
    message = _error(root)
    assert str(path) in message
    assert "T9.eligibility.real-name" in message
    assert "automated but lists no checks" in message


def test_bad_requirement_id(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    path = break_file(root, "tasks/T9.yaml", "id: T9.eligibility.fees-settled\n", "id: T9.Fees_Settled\n")
    message = _error(root)
    assert str(path) in message
    assert "T9.Fees_Settled" in message
    assert "requirement id must look like" in message


def test_wrong_task_prefix(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    path = break_file(
        root, "tasks/T9.yaml", "id: T9.eligibility.no-contract-lock", "id: T8.eligibility.no-contract-lock"
    )
    message = _error(root)
    assert str(path) in message
    assert "T8.eligibility.no-contract-lock" in message
    assert "must start with 't8_'" in message  # its checks now carry another task's prefix


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    path = root / "tasks" / "T5.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - id: [unclosed\n", encoding="utf-8")
    message = _error(root)
    assert str(path) in message
    assert "not valid YAML" in message
    assert "line" in message


def test_official_param_without_source(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    broken: list[str] = []

    def drop_first_official_source(task: dict[str, Any]) -> None:
        for req in task["requirements"]:
            for param in req.get("params", []):
                if param["basis"] == "official":
                    del param["source"]
                    broken.extend([req["id"], param["id"]])
                    return
        raise AssertionError("T9 has no official param to break")

    path = break_yaml(root, "tasks/T9.yaml", drop_first_official_source)
    message = _error(root)
    req_id, param_id = broken
    assert str(path) in message
    assert req_id in message
    assert f"{param_id!r} is marked official but names no source" in message


def test_check_of_another_task(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    break_file(root, "tasks/T9.yaml", "checks: [t9_port_contract_lock]", "checks: [t8_port_contract_lock]")
    message = _error(root)
    assert "T9.eligibility.no-contract-lock" in message
    assert "must start with 't9_'" in message


def test_file_name_must_match_task_id(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    (root / "tasks" / "T8.yaml").rename(root / "tasks" / "T8-family.yaml")
    message = _error(root)
    assert "T8-family.yaml" in message
    assert "file name must be T8.yaml" in message


def test_supervision_task_weight_for_unknown_task(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    break_file(root, "supervision.yaml", "  T11: 1.0\n", "  T11: 1.0\n  T12: 1.0\n")
    message = _error(root)
    assert "task_weights names unknown tasks ['T12']" in message


def test_supervision_error_names_the_file(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    path = break_file(root, "supervision.yaml", "unit: working_day", "unit: fortnight")
    message = _error(root)
    assert str(path) in message
    assert "working_days" in message
    assert "unknown unit" in message


def test_meta_error_names_catalog_yaml(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    old = "campaign_window: [2021-11-01, 2022-03-31]"
    path = break_file(root, "catalog.yaml", old, "campaign_window: soon")
    message = _error(root)
    assert str(path) in message
    assert "campaign_window" in message


def test_missing_task_folder_and_oversized_file(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    big = root / "tasks" / "T1.yaml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    assert "file too large" in _error(root)
    for path in (root / "tasks").glob("*.yaml"):
        path.unlink()
    assert "no task files" in _error(root)
