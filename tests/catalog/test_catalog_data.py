"""The shipped 524 catalog: complete, honest about automation, and consistent with the T9 checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from ganzhi.catalog.loader import DATA_DIR, load_catalog
from ganzhi.catalog.params import params_for
from ganzhi.catalog.schema import Automation, Basis, Catalog, EvidenceLabel, TaskGroup
from ganzhi.evidence.status import Severity

CHECKS_DIR = Path(__file__).resolve().parents[2] / "src" / "ganzhi" / "checks"

T9_AUTOMATED = {
    "T9.eligibility.real-name": "t9_port_real_name",
    "T9.eligibility.normal-status": "t9_port_normal_status",
    "T9.eligibility.fees-settled": "t9_port_fees_settled",
    "T9.eligibility.no-contract-lock": "t9_port_contract_lock",
    "T9.eligibility.min-interval": "t9_port_min_interval",
    "T9.eligibility.portable-range": "t9_port_number_range",
    "T9.operator-decision": "t9_port_operator_decision",
}
NON_PORTABLE = [
    "1349",
    "174",
    "170",
    "171",
    "162",
    "165",
    "167",
    "146",
    "148",
    "149",
    "140",
    "141",
    "142",
    "143",
    "144",
    "1064",
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(DATA_DIR)


def test_eleven_tasks_in_notice_order(catalog: Catalog) -> None:
    assert [t.id for t in catalog.tasks] == [f"T{n}" for n in range(1, 12)]
    groups = [t.group for t in catalog.tasks]
    five, two, four = TaskGroup.FIVE_OPTIMISATIONS, TaskGroup.TWO_LISTS, TaskGroup.FOUR_IMPROVEMENTS
    assert groups == [five] * 5 + [two] * 2 + [four] * 4


def test_meta_names_the_notice_and_the_campaign_window(catalog: Catalog) -> None:
    assert catalog.meta.campaign_window == (dt.date(2021, 11, 1), dt.date(2022, 3, 31))
    assert catalog.meta.notice.url == "https://www.gov.cn/zhengce/zhengceku/2021-11/06/content_5649420.htm"
    assert catalog.meta.name.en


def test_enough_requirements_with_every_task_populated(catalog: Catalog) -> None:
    assert len(catalog.requirements()) >= 60
    for task in catalog.tasks:
        assert len(task.requirements) >= 4, task.id


def test_every_text_is_bilingual(catalog: Catalog) -> None:
    for task in catalog.tasks:
        assert task.title.en, task.id
        assert task.summary.en, task.id
        for req in task.requirements:
            assert req.title.en, req.id
            assert req.text.en, req.id
            for param in req.params:
                assert param.text.en, f"{req.id}.{param.id}"


def test_official_params_have_a_verified_source(catalog: Catalog) -> None:
    officials = [(req.id, p) for req in catalog.requirements() for p in req.params if p.basis is Basis.OFFICIAL]
    assert len(officials) >= 10
    for req_id, param in officials:
        assert param.source is not None, f"{req_id}.{param.id}"
        label = param.source.label
        assert label is EvidenceLabel.V, f"{req_id}.{param.id} is official but labelled {label}"
        assert param.source.url, f"{req_id}.{param.id}"


def test_deadlines_verified_or_explained(catalog: Catalog) -> None:
    for task in catalog.tasks:
        assert task.deadline is not None
        if task.deadline_source.label is EvidenceLabel.V:
            assert task.deadline == dt.date(2021, 12, 31), task.id
        else:
            note = task.deadline_source.note or ""
            assert "confirm against the notice" in note.lower(), f"{task.id}: unconfirmed deadline, no note"
    unconfirmed = {t.id for t in catalog.tasks if t.deadline_source.label is not EvidenceLabel.V}
    assert unconfirmed == {"T6", "T7", "T8", "T10", "T11"}


def test_automation_is_honest(catalog: Catalog) -> None:
    for req_id, check in T9_AUTOMATED.items():
        req = catalog.requirement(req_id)
        assert req.automation is Automation.AUTOMATED
        assert check in req.checks
    for req in catalog.requirements():
        if req.automation is Automation.MANUAL:
            assert req.checks == [], req.id
            assert req.planned_automation is not None, f"{req.id} has no planned automation"
        else:
            assert req.checks, f"{req.id} is {req.automation.value} without checks"


def test_t9_eligibility_params(catalog: Catalog) -> None:
    interval = catalog.requirement("T9.eligibility.min-interval").param("min_days")
    assert (interval.value, interval.unit, interval.basis) == (120, "natural_day", Basis.OFFICIAL)
    prefixes = catalog.requirement("T9.eligibility.portable-range").param("non_portable_prefixes")
    assert (prefixes.value, prefixes.unit, prefixes.basis) == (NON_PORTABLE, "text", Basis.OFFICIAL)
    assert prefixes.source is not None
    assert "pyvpn.com" in (prefixes.source.url or "")
    for req_id in T9_AUTOMATED:
        req = catalog.requirement(req_id)
        assert all(s.label is EvidenceLabel.V for s in req.sources), req_id
    # The operator-decision check re-derives eligibility, so it sees exactly the same numbers.
    merged = params_for(
        catalog, ["T9.operator-decision", "T9.eligibility.min-interval", "T9.eligibility.portable-range"]
    )
    assert merged.get("min_days") == 120
    assert merged.strings("non_portable_prefixes") == NON_PORTABLE


def test_shake_thresholds_are_official(catalog: Catalog) -> None:
    req = catalog.requirement("T4.shake-thresholds")
    values = {p.id: (p.value, p.unit, p.basis) for p in req.params}
    assert values == {
        "min_acceleration": (15, "m/s2", Basis.OFFICIAL),
        "min_rotation": (35, "deg", Basis.OFFICIAL),
        "min_duration": (3, "s", Basis.OFFICIAL),
    }


def test_unconfirmed_numbers_are_configurable_defaults(catalog: Catalog) -> None:
    for req_id, param_id in [
        ("T2.delivered-rate", "min_share"),
        ("T10.time-to-human", "max_seconds"),
        ("T1.usage-reminder.timely", "reminder_thresholds"),
        ("T5.free-user-rate-floor", "min_free_rate"),
        ("T10.pi-request-handling", "max_working_days"),
    ]:
        assert catalog.requirement(req_id).param(param_id).basis is Basis.CONFIGURABLE_DEFAULT, req_id


def test_supervision_settings(catalog: Catalog) -> None:
    sup = catalog.supervision
    window = sup.rectification_working_days
    assert (window.id, window.value, window.unit, window.basis) == (
        "working_days",
        5,
        "working_day",
        Basis.CONFIGURABLE_DEFAULT,
    )
    assert [step.id for step in sup.enforcement_ladder] == [
        "interview",
        "public_criticism",
        "administrative_penalty",
        "bad_list",
    ]
    assert next(step.title.zh for step in sup.enforcement_ladder) == "约谈提醒"
    assert set(sup.severity_weights) == {s.value for s in Severity}
    assert sup.severity_weights["critical"] > sup.severity_weights["low"]
    assert set(sup.task_weights) == {t.id for t in catalog.tasks}
    assert len([s for s in sup.sources if "通报" in s.document]) >= 5
    assert {p.id for p in sup.lookback} >= {"min_days_after_fix", "window_days"}


def test_automated_requirements_match_the_check_folders(catalog: Catalog) -> None:
    """Each automated requirement's check exists and names the requirement back (the registry needs it)."""
    for req_id, check_id in T9_AUTOMATED.items():
        metadata_path = CHECKS_DIR / "t9" / check_id / "metadata.yaml"
        if not metadata_path.exists():
            pytest.skip(f"T9 check {check_id} not written yet ({metadata_path})")
        metadata = yaml.safe_load(metadata_path.read_text(encoding="utf-8"))
        assert metadata["id"] == check_id
        assert req_id in metadata["requirements"], f"{metadata_path} does not list {req_id}"
        assert catalog.requirement(req_id).checks == [check_id]
