from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_world import Widget, write_catalog, write_check

from ganzhi.catalog.loader import load_catalog
from ganzhi.catalog.overrides import validate_overrides
from ganzhi.engine.executors import LocalExecutor, SerialExecutor
from ganzhi.engine.registry import Registry, discover
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.status import Status
from ganzhi.findings.models import Result

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _registry(tmp_path: Path) -> Registry:
    catalog = load_catalog(write_catalog(tmp_path, automated_checks=["t1_widget_size"]))
    package = write_check(tmp_path / "pkgs")
    return Registry(catalog, discover(tmp_path / "pkgs" / package, package))


def _widget(name: str, size: float, colour: str = "red") -> Evidence:
    return Evidence.of(Widget(size=size, colour=colour), Subject(type="widget", id=name), "test", WHEN)


def test_pass_fail_and_fingerprints(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    outcome = evaluate([_widget("a", 12), _widget("b", 3)], registry=registry)
    by_subject = {r.subject.id: r for r in outcome.results}
    assert by_subject["a"].status is Status.PASS
    assert by_subject["b"].status is Status.FAIL
    assert by_subject["b"].params["min_size"] == {"value": 10, "unit": "dp", "label": "configurable default"}
    again = evaluate([_widget("b", 4)], registry=registry)
    assert again.results[0].fingerprint == by_subject["b"].fingerprint  # size is not a fingerprint field


def test_bad_items_become_errors_and_the_run_goes_on(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    evidence = [_widget("ok", 20), _widget("boom", 1, "explode"), _widget("slow", 1, "slow")]
    malformed = Evidence(
        kind="test_widget",
        subject=Subject(type="widget", id="bad"),
        source="x",
        collected_at=WHEN,
        data={"size": "huge"},
    )
    outcome = evaluate([*evidence, malformed], registry=registry)
    statuses = {r.subject.id: r.status for r in outcome.results}
    assert statuses == {"ok": Status.PASS, "boom": Status.ERROR, "slow": Status.ERROR, "bad": Status.ERROR}
    reasons = {e.subject_key: e.message for e in outcome.errors}
    assert "boom" in reasons["widget:boom"]
    assert "time limit" in reasons["widget:slow"]
    assert "size" in reasons["widget:bad"]


def test_overrides_change_the_threshold(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    overrides = validate_overrides(registry.catalog, {"T1.widget-size": {"min_size": 2}}, "campaign.yaml")
    outcome = evaluate([_widget("b", 3)], registry=registry, overrides=overrides)
    assert outcome.results[0].status is Status.PASS
    assert outcome.results[0].params["min_size"]["label"] == "campaign override"


def test_selection_and_irrelevant_subjects(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    other = Evidence.of(Widget(size=1), Subject(type="gadget", id="g"), "test", WHEN)
    outcome = evaluate([other], registry=registry)
    assert outcome.results == []
    assert evaluate([_widget("a", 1)], registry=registry, tasks=["T2"]).results == []
    with pytest.raises(KeyError):
        evaluate([_widget("a", 1)], registry=registry, check_ids=["t1_nope"])


def test_process_pool_gives_the_same_results(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    evidence = [_widget(f"w{i}", i % 20) for i in range(200)]
    serial = evaluate(evidence, registry=registry, executor=SerialExecutor(), run_id="r1")
    pool = LocalExecutor(workers=2)
    try:
        parallel = evaluate(evidence, registry=registry, executor=pool, run_id="r1", batch_size=16)
    finally:
        pool.close()

    def comparable(results: list[Result]) -> list[dict[str, object]]:
        return sorted((r.model_dump(exclude={"duration_ms"}) for r in results), key=lambda d: str(d["fingerprint"]))

    assert comparable(serial.results) == comparable(parallel.results)
    assert serial.subjects == parallel.subjects == 200


def test_selection_by_subject_requirement_and_severity(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    evidence = [_widget("a", 1), _widget("b", 1)]
    assert {r.subject.id for r in evaluate(evidence, registry=registry, subjects=["widget:b"]).results} == {"b"}
    assert len(evaluate(evidence, registry=registry, subjects=["widget"]).results) == 2
    assert evaluate(evidence, registry=registry, subjects=["gadget"]).results == []
    assert len(evaluate(evidence, registry=registry, requirement_ids=["T1.widget-size"]).results) == 2
    assert evaluate(evidence, registry=registry, severities=["low"]).results == []
    with pytest.raises(KeyError):
        evaluate(evidence, registry=registry, requirement_ids=["T1.unknown"])
