"""Selection as data: which checks can judge which evidence, asked of the registry rather than kept as id lists."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_world import GAUGE_CHECK_BODY, Gauge, Widget, add_check, write_catalog, write_check

from ganzhi.catalog.loader import load_catalog
from ganzhi.engine.registry import CheckSpec, Registry, default_registry, discover
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.status import Status

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _world(tmp_path: Path, *extra: tuple[str, dict[str, object]]) -> Registry:
    """The widget check plus extra gauge-reading check folders, all listed by the temp catalog."""
    check_ids = ["t1_widget_size", *(check_id for check_id, _ in extra)]
    catalog = load_catalog(write_catalog(tmp_path, automated_checks=check_ids))
    package = write_check(tmp_path / "pkgs")
    for check_id, meta in extra:
        add_check(tmp_path / "pkgs", package, check_id, GAUGE_CHECK_BODY, **meta)
    return Registry(catalog, discover(tmp_path / "pkgs" / package, package))


def _gauge(name: str, pressure: float) -> Evidence:
    return Evidence.of(Gauge(pressure=pressure), Subject(type="gauge", id=name), "test", WHEN)


def _widget(name: str, size: float) -> Evidence:
    return Evidence.of(Widget(size=size), Subject(type="widget", id=name), "test", WHEN)


def ids(specs: list[CheckSpec]) -> list[str]:
    return [spec.id for spec in specs]


GAUGE_META: dict[str, object] = {"subject_types": ["gauge"], "evidence_kinds": ["test_gauge"], "fingerprint_fields": []}


def test_a_new_check_folder_is_discovered_and_run_for_its_evidence(tmp_path: Path) -> None:
    registry = _world(tmp_path, ("t1_gauge_pressure", GAUGE_META))
    assert [s.id for s in registry.select(evidence_kinds=["test_gauge"])] == ["t1_gauge_pressure"]
    outcome = evaluate([_gauge("low", 3), _gauge("high", 30), _widget("w", 12)], registry=registry)
    verdicts = {(r.check_id, r.subject.id): r.status for r in outcome.results}
    assert verdicts == {
        ("t1_gauge_pressure", "low"): Status.FAIL,
        ("t1_gauge_pressure", "high"): Status.PASS,
        ("t1_widget_size", "w"): Status.PASS,
    }
    assert outcome.errors == []


def test_select_by_evidence_kinds(tmp_path: Path) -> None:
    registry = _world(tmp_path, ("t1_gauge_pressure", GAUGE_META))
    assert ids(registry.select(evidence_kinds=["test_widget"])) == ["t1_widget_size"]
    assert ids(registry.select(evidence_kinds={"test_widget", "test_gauge"})) == ["t1_gauge_pressure", "t1_widget_size"]
    assert ids(registry.select(evidence_kinds=None)) == ["t1_gauge_pressure", "t1_widget_size"]
    assert registry.select(evidence_kinds=[]) == []
    assert ids(registry.select(evidence_kinds=["test_gauge"], tasks=["T1"])) == ["t1_gauge_pressure"]
    assert registry.select(evidence_kinds=["test_gauge"], tasks=["T2"]) == []
    assert registry.select(evidence_kinds=["test_gauge"], check_ids=["t1_widget_size"]) == []
    with pytest.raises(KeyError, match="unknown evidence kinds \\['test_gadget'\\]"):
        registry.select(evidence_kinds=["test_gadget"])


def test_a_check_with_one_of_its_kinds_is_selected_and_run(tmp_path: Path) -> None:
    both = {**GAUGE_META, "evidence_kinds": ["test_widget", "test_gauge"]}
    registry = _world(tmp_path, ("t1_gauge_and_widget", both))
    assert [s.id for s in registry.select(evidence_kinds=["test_gauge"])] == ["t1_gauge_and_widget"]
    [result] = evaluate([_gauge("g", 30)], registry=registry).results
    assert (result.check_id, result.status) == ("t1_gauge_and_widget", Status.MANUAL)
    assert result.data == {"missing_evidence": ["test_widget"]}


def _shipped_kinds() -> list[str]:
    kinds: set[str] = set()
    for spec in default_registry().all():
        kinds.update(spec.metadata.evidence_kinds, spec.metadata.optional_evidence_kinds)
    return sorted(kinds)


def _run_by_runner(kind: str) -> set[str]:
    """The checks the runner runs for subjects (of every shipped subject type) that have evidence of `kind`."""
    registry = default_registry()
    types = sorted({t for spec in registry.all() for t in spec.metadata.subject_types})
    evidence = [
        Evidence(kind=kind, subject=Subject(type=t, id="probe"), source="test", collected_at=WHEN, data={})
        for t in types
    ]
    return {result.check_id for result in evaluate(evidence, registry=registry).results}


@pytest.mark.parametrize("kind", _shipped_kinds())
def test_select_by_kind_is_what_the_runner_runs(kind: str) -> None:
    registry = default_registry()
    selected = {spec.id for spec in registry.select(evidence_kinds=[kind])}
    assert selected == _run_by_runner(kind)
    needed_by = {spec.id for spec in registry.all() if kind in spec.metadata.evidence_kinds}
    assert selected == needed_by


def test_every_shipped_check_is_selected_by_its_evidence() -> None:
    registry = default_registry()
    reachable = {spec.id for kind in _shipped_kinds() for spec in registry.select(evidence_kinds=[kind])}
    assert reachable == {spec.id for spec in registry.all()}
