from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sv_factory import enterprise, uscc

from ganzhi.catalog.loader import default_catalog
from ganzhi.catalog.schema import EnterpriseType
from ganzhi.errors import InputError, OverrideError
from ganzhi.supervision.campaigns import assignments, new_campaign, tasks_of
from ganzhi.supervision.models import AssignmentBasis
from ganzhi.supervision.registry_io import DEMO_ENTERPRISES, KeyList, read_enterprises, read_key_lists

CATALOG = default_catalog()
T4_PARAM = next((r.id, r.params[0]) for r in CATALOG.task("T4").requirements if r.params)


def _campaign(**kw: object):  # type: ignore[no-untyped-def]
    args = {"campaign_id": "c1", "name": "测试行动", "starts": dt.date(2022, 1, 1), "ends": dt.date(2022, 3, 31)}
    return new_campaign(CATALOG, **{**args, **kw})  # type: ignore[arg-type]


def test_overrides_are_validated_and_kept() -> None:
    req_id, param = T4_PARAM
    campaign = _campaign(tasks=["T4"], overrides={req_id: {param.id: param.value}})
    assert campaign.overrides == {req_id: {param.id: param.value}}
    with pytest.raises(OverrideError, match="unknown requirement id"):
        _campaign(overrides={"T4.nope": {"x": 1}})
    with pytest.raises(OverrideError, match="outside the campaign"):
        _campaign(tasks=["T3"], overrides={req_id: {param.id: param.value}})
    with pytest.raises(OverrideError, match=r"tasks \['T12'\] are not in the catalog"):
        _campaign(tasks=["T12"])
    with pytest.raises(ValueError, match="is before starts"):
        _campaign(ends=dt.date(2021, 1, 1))


def test_assignments_by_type_and_by_key_list() -> None:
    ents = [
        enterprise("listed", 1, EnterpriseType.INTERNET_COMPANY),
        enterprise("unlisted", 2, EnterpriseType.INTERNET_COMPANY),
        enterprise("telco", 3, EnterpriseType.BASIC_TELECOM_OPERATOR),
    ]
    first = KeyList(id="first", name="首批", basis="测试", tasks=["T3"], members=[uscc(1)])
    campaign = _campaign(tasks=["T3", "T4", "T9"], key_lists=["first"])
    made = assignments(CATALOG, campaign, ents, [first])
    assert tasks_of(made) == {"listed": ["T3", "T4"], "unlisted": ["T4"], "telco": ["T9"]}
    listed_t3 = next(a for a in made if a.enterprise_id == "listed" and a.task == "T3")
    assert (listed_t3.basis, listed_t3.list_id) == (AssignmentBasis.KEY_LIST, "first")
    # Without the key list, T3 goes to every internet company.
    assert tasks_of(assignments(CATALOG, _campaign(tasks=["T3"]), ents, []))["unlisted"] == ["T3"]
    with pytest.raises(KeyError, match="not loaded"):
        assignments(CATALOG, campaign, ents, [])


def test_demo_data_reads_cleanly() -> None:
    loaded = read_enterprises(DEMO_ENTERPRISES)
    assert loaded.errors == []
    assert len(loaded.enterprises) >= 5
    assert {k.id for k in read_key_lists()} == {"first-batch-39", "key-100"}


def test_csv_import_reports_bad_rows_and_keeps_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "ents.csv"
    path.write_text(
        "id,name,uscc,type,province,subjects\n"
        f"good,好企业,{uscc(1)},internet_company,北京,app:com.good;hotline:95000\n"
        f"typo,错码企业,{uscc(2)[:-1]}0,internet_company,,\n"
        f"kind,类型错,{uscc(3)},bank,,\n"
        f"dup,重复码,{uscc(1)},internet_company,,\n"
        f"subj,主体错,{uscc(4)},internet_company,,app\n",
        encoding="utf-8",
    )
    loaded = read_enterprises(path)
    assert [e.id for e in loaded.enterprises] == ["good"]
    assert [s.key for s in loaded.enterprises[0].subjects] == ["app:com.good", "hotline:95000"]
    by_row = {e.row: e for e in loaded.errors}
    assert sorted(by_row) == [3, 4, 5, 6]
    assert "character 18" in by_row[3].problem and by_row[3].field == "uscc"
    assert by_row[4].field == "type" and "'bank'" in by_row[4].problem
    assert "already on row 2" in by_row[5].problem
    assert by_row[6].field == "subjects"
    assert str(path) in str(by_row[3])


def test_unreadable_inputs_raise_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown enterprise file type"):
        read_enterprises(tmp_path / "x.txt")
    bad = tmp_path / "lists.yaml"
    bad.write_text("lists:\n  - {id: x, name: n, basis: b, tasks: [T3], members: [123]}\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a key-list file"):
        read_key_lists(bad)
