"""Campaign param overrides are checked against the catalog before any check sees them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ganzhi.catalog.loader import default_catalog
from ganzhi.catalog.overrides import load_overrides, validate_overrides
from ganzhi.catalog.params import is_official, params_for
from ganzhi.errors import OverrideError


def _write_campaign(tmp_path: Path, params: Any) -> Path:
    path = tmp_path / "campaign.yaml"
    text = yaml.safe_dump({"name": "2022 抽查", "params": params}, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def _override_error(params: dict[str, Any]) -> str:
    with pytest.raises(OverrideError) as info:
        validate_overrides(default_catalog(), params, "campaign.yaml")
    return str(info.value)


def test_valid_overrides_reach_the_params(tmp_path: Path) -> None:
    path = _write_campaign(
        tmp_path,
        {
            "T2.delivered-rate": {"min_share": {"value": 0.85, "unit": "ratio"}},
            "T10.time-to-human": {"max_seconds": 20},
        },
    )
    overrides = load_overrides(default_catalog(), path)
    assert overrides == {"T2.delivered-rate": {"min_share": 0.85}, "T10.time-to-human": {"max_seconds": 20}}
    params = params_for(default_catalog(), ["T2.delivered-rate"], overrides)
    assert params.number("min_share") == 0.85
    assert params.settings["min_share"].label == "campaign override"
    assert params.settings["min_runs"].label == "configurable default"


def test_official_value_stays_official_without_override() -> None:
    params = params_for(default_catalog(), ["T9.eligibility.min-interval"])
    assert is_official(params.settings["min_days"])
    overridden = params_for(
        default_catalog(), ["T9.eligibility.min-interval"], {"T9.eligibility.min-interval": {"min_days": 90}}
    )
    assert not is_official(overridden.settings["min_days"])


def test_unknown_requirement() -> None:
    message = _override_error({"T2.no-such-thing": {"min_share": 0.5}})
    assert "campaign.yaml: T2.no-such-thing: unknown requirement id" in message


def test_unknown_param_lists_the_known_ones() -> None:
    message = _override_error({"T9.eligibility.min-interval": {"max_days": 3}})
    assert "T9.eligibility.min-interval.max_days: unknown param id" in message
    assert "min_days" in message


def test_wrong_unit() -> None:
    message = _override_error({"T9.eligibility.min-interval": {"min_days": {"value": 90, "unit": "day"}}})
    assert "wrong unit 'day' (expected 'natural_day')" in message


def test_out_of_range() -> None:
    message = _override_error({"T10.human.reachable": {"min_reach_share": 1.5}})
    assert "T10.human.reachable.min_reach_share" in message
    assert "must be <= 1.0 (got 1.5)" in message


@pytest.mark.parametrize(
    ("req_id", "param_id", "value", "expected"),
    [
        ("T9.eligibility.min-interval", "min_days", "ninety", "expects a number"),
        ("T9.eligibility.portable-range", "non_portable_prefixes", "1349", "expects a list"),
        ("T9.eligibility.portable-range", "non_portable_prefixes", [1349], "expects a list of text"),
        ("T1.usage-reminder.timely", "reminder_thresholds", ["80%"], "expects a list of numbers"),
        ("T3.permission-purpose.sync", "accept_preceding_rationale", 1, "expects bool"),
        ("T3.policy.reachable", "max_clicks", True, "expects int"),
    ],
)
def test_wrong_type(req_id: str, param_id: str, value: object, expected: str) -> None:
    message = _override_error({req_id: {param_id: value}})
    assert f"{req_id}.{param_id}" in message
    assert expected in message


def test_malformed_specs() -> None:
    assert "missing 'value'" in _override_error({"T10.time-to-human": {"max_seconds": {"unit": "s"}}})
    assert "unknown keys ['vaule']" in _override_error({"T10.time-to-human": {"max_seconds": {"vaule": 3}}})
    assert "expected a mapping" in _override_error({"T10.time-to-human": 20})


def test_campaign_file_problems(tmp_path: Path) -> None:
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("params: [unclosed\n", encoding="utf-8")
    with pytest.raises(OverrideError, match=r"bad\.yaml: cannot read campaign file"):
        load_overrides(default_catalog(), bad_yaml)
    with pytest.raises(OverrideError, match="'params' must be a mapping"):
        load_overrides(default_catalog(), _write_campaign(tmp_path, ["T1"]))
    top_list = tmp_path / "list.yaml"
    top_list.write_text("- a\n", encoding="utf-8")
    with pytest.raises(OverrideError, match="expected a mapping at the top level"):
        load_overrides(default_catalog(), top_list)
