"""The fingerprint: stable, documented, blind to messages and times."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ganzhi.evidence.base import Subject
from ganzhi.findings.fingerprint import fingerprint, fingerprint_body

HALL = Subject(type="port_hall", id="bj-0001", name="北京西单营业厅")
APP_V1 = Subject(type="app", id="com.example", version="1.0")
APP_V2 = Subject(type="app", id="com.example", version="2.0")


def test_golden_value_matches_the_documented_body() -> None:
    body = '["t9_port_hall_list","port_hall:bj-0001",[["district","西城区"],["hall","bj-0001"]]]'
    expected = hashlib.sha256(body.encode("utf-8")).hexdigest()
    data = {"hall": "bj-0001", "district": "西城区", "message": "清单未公示"}
    assert fingerprint_body("t9_port_hall_list", HALL, data, ["hall", "district"]) == body
    assert fingerprint("t9_port_hall_list", HALL, data, ["hall", "district"]) == expected
    assert len(expected) == 64


def test_messages_times_and_other_fields_do_not_count() -> None:
    base = {"sdk": "com.umeng", "checked_at": "2025-01-01T00:00:00Z", "message": "a"}
    later = {"sdk": "com.umeng", "checked_at": "2025-06-01T00:00:00Z", "message": "b", "extra": 1}
    assert fingerprint("t11_x", APP_V1, base, ["sdk"]) == fingerprint("t11_x", APP_V1, later, ["sdk"])


def test_missing_field_counts_as_null() -> None:
    assert fingerprint("t11_x", APP_V1, {}, ["sdk"]) == fingerprint("t11_x", APP_V1, {"sdk": None}, ["sdk"])
    assert fingerprint("t11_x", APP_V1, {}, ["sdk"]) != fingerprint("t11_x", APP_V1, {"sdk": ""}, ["sdk"])


def test_field_order_and_duplicates_do_not_matter() -> None:
    data = {"a": 1, "b": [1, 2]}
    assert fingerprint("t11_x", APP_V1, data, ["a", "b"]) == fingerprint("t11_x", APP_V1, data, ["b", "a", "a"])


def test_check_subject_version_and_values_all_count() -> None:
    data = {"sdk": "com.umeng"}
    reference = fingerprint("t11_x", APP_V1, data, ["sdk"])
    assert fingerprint("t11_y", APP_V1, data, ["sdk"]) != reference
    assert fingerprint("t11_x", APP_V2, data, ["sdk"]) != reference
    assert fingerprint("t11_x", APP_V1, {"sdk": "com.tencent"}, ["sdk"]) != reference
    assert fingerprint("t11_x", APP_V1, data, []) != reference


def test_nested_values_are_canonical() -> None:
    one = {"perm": {"b": 2, "a": 1}}
    two = {"perm": {"a": 1, "b": 2}}
    assert fingerprint("t11_x", APP_V1, one, ["perm"]) == fingerprint("t11_x", APP_V1, two, ["perm"])


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="check id"):
        fingerprint("", APP_V1, {}, [])
    with pytest.raises(TypeError, match="'sdk'"):
        fingerprint("t11_x", APP_V1, {}, "sdk")


@given(
    st.lists(st.text(min_size=1, max_size=8), min_size=2, max_size=2, unique=True),
    st.sampled_from(["sdk", "component", "permission"]),
)
def test_distinct_values_give_distinct_fingerprints(values: list[str], field: str) -> None:
    first, second = ({field: v} for v in values)
    assert fingerprint("t11_x", APP_V1, first, [field]) != fingerprint("t11_x", APP_V1, second, [field])


@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers() | st.text(max_size=5) | st.none()))
def test_same_input_same_fingerprint(data: dict[str, object]) -> None:
    assert fingerprint("t11_x", HALL, data, ["a", "c"]) == fingerprint("t11_x", HALL, dict(data), ["c", "a"])
