"""Demo data for every task: the domains' builders and check fixtures, inspected into a fresh database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.demo import tasks as demo_tasks
from ganzhi.demo.tasks import UI_DEMO_APP, case_evidence, case_items, load_task_demos
from ganzhi.engine.registry import default_registry
from ganzhi.evidence.base import Evidence
from ganzhi.store.db import make_engine, session_factory, session_scope
from ganzhi.store.migrate import upgrade
from ganzhi.store.repositories import get_issues

COVERED = ("T6", "T7", "T9", "T11")


def _sessions(tmp_path: Path) -> sessionmaker[Session]:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    return session_factory(make_engine(url))


def test_every_other_task_gets_inspected_demo_data(tmp_path: Path) -> None:
    sessions = _sessions(tmp_path)
    said: list[str] = []
    loaded = load_task_demos(sessions, skip=COVERED, say=said.append)
    expected = [t.id for t in default_registry().catalog.tasks if t.id not in COVERED]
    assert [d.task for d in loaded] == expected and len(said) == len(expected)
    assert all(d.error is None and d.run_id and d.subjects >= 1 and d.issues >= 1 for d in loaded), loaded
    with session_scope(sessions) as session:
        issues = get_issues(session)
    assert {i.task for i in issues} == set(expected)
    assert any(i.task == "T4" and i.subject.key == UI_DEMO_APP.key for i in issues)  # owned by 示例商城
    assert any(i.task == "T1" and i.check_id.startswith("t1_tariff_") for i in issues)


def test_a_broken_builder_is_reported_and_the_others_still_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_folder: Path) -> tuple[list[Evidence], list[str]]:
        raise ValueError("demo-tariffs.xlsx: row 4, 资费标准: expected 元/月, got 'abc'")

    monkeypatch.setitem(demo_tasks.BUILDERS, "T1", ("broken builder", broken))
    loaded = load_task_demos(_sessions(tmp_path), skip=(*COVERED, "T3", "T4", "T5", "T8", "T10"))
    by_task = {d.task: d for d in loaded}
    assert set(by_task) == {"T1", "T2"}
    assert by_task["T1"].run_id is None and "row 4" in (by_task["T1"].error or "")
    assert by_task["T2"].error is None and by_task["T2"].issues >= 1


def test_case_evidence_takes_one_fail_case_per_check_with_fresh_subjects() -> None:
    registry = default_registry()
    evidence, check_ids = case_evidence(registry, "T10")
    assert check_ids and len(set(check_ids)) == len(check_ids)
    assert all(registry.get(c).metadata.task == "T10" for c in check_ids)
    assert len({e.subject.key for e in evidence}) >= len(check_ids)  # no subject shared between two cases


def test_case_files_with_overrides_or_bad_json_are_left_out(tmp_path: Path) -> None:
    registry = default_registry()
    source = sorted(registry.get("t10_ivr_depth").cases_dir.glob("*.fail.json"))[0]
    case = json.loads(source.read_text(encoding="utf-8"))
    plain = tmp_path / "plain.fail.json"
    plain.write_text(json.dumps(case), encoding="utf-8")
    assert [e.subject.key for e in case_items(plain)] == [
        Evidence.model_validate(e).subject.key for e in case["evidence"]
    ]
    tuned = tmp_path / "tuned.fail.json"
    tuned.write_text(json.dumps(case | {"overrides": {"x": 1}}), encoding="utf-8")
    broken = tmp_path / "broken.fail.json"
    broken.write_text("{not json", encoding="utf-8")
    assert case_items(tuned) == [] and case_items(broken) == []
