"""Campaign overrides of the shared rules reach both the eligibility checks and the operator review."""

from __future__ import annotations

import pytest

from ganzhi.errors import OverrideError
from ganzhi.usecases.portability.campaign import align_rule_overrides


def test_no_overrides_stay_none() -> None:
    assert align_rule_overrides(None) is None
    assert align_rule_overrides({}) == {}


def test_eligibility_override_is_copied_to_the_operator_requirement() -> None:
    got = align_rule_overrides({"T9.eligibility.min-interval": {"min_days": 90}})
    assert got == {"T9.eligibility.min-interval": {"min_days": 90}, "T9.operator-decision": {"min_days": 90}}


def test_operator_override_is_copied_back_and_others_kept() -> None:
    got = align_rule_overrides(
        {"T9.operator-decision": {"non_portable_prefixes": ["170"]}, "T2.delivered-rate": {"min_share": 0.9}}
    )
    assert got == {
        "T9.operator-decision": {"non_portable_prefixes": ["170"]},
        "T9.eligibility.portable-range": {"non_portable_prefixes": ["170"]},
        "T2.delivered-rate": {"min_share": 0.9},
    }


def test_conflicting_values_are_refused() -> None:
    with pytest.raises(OverrideError, match=r"min_days: T9\.eligibility\.min-interval sets 90"):
        align_rule_overrides(
            {"T9.eligibility.min-interval": {"min_days": 90}, "T9.operator-decision": {"min_days": 100}},
            "campaign.yaml",
        )
