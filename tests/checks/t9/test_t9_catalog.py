"""The shipped catalog and registry agree with the T9 checks and with the defaults the tests use."""

from __future__ import annotations

from checks.t9.t9_support import DEFAULT_MIN_DAYS, DEFAULT_PREFIXES, PORTABILITY_CHECKS, t9_specs
from ganzhi.catalog.loader import default_catalog
from ganzhi.catalog.params import params_for
from ganzhi.catalog.schema import Basis
from ganzhi.engine.registry import default_registry
from ganzhi.usecases.portability.verdict import ELIGIBILITY_CHECKS, OPERATOR_CHECK


def test_catalog_defaults_match_the_rules_the_tests_assume() -> None:
    catalog = default_catalog()
    interval = catalog.requirement("T9.eligibility.min-interval").param("min_days")
    assert interval.value == DEFAULT_MIN_DAYS
    assert (interval.unit, interval.basis) == ("natural_day", Basis.OFFICIAL)
    prefixes = catalog.requirement("T9.eligibility.portable-range").param("non_portable_prefixes")
    assert isinstance(prefixes.value, list)
    assert sorted(str(p) for p in prefixes.value) == sorted(DEFAULT_PREFIXES)


def test_every_check_gets_the_params_it_reads() -> None:
    catalog = default_catalog()
    for check_id, spec in t9_specs().items():
        params = params_for(catalog, spec.metadata.requirements)
        if check_id in {"t9_port_min_interval", "t9_port_operator_decision"}:
            assert params.number("min_days") == DEFAULT_MIN_DAYS
        if check_id in {"t9_port_number_range", "t9_port_operator_decision"}:
            assert sorted(params.strings("non_portable_prefixes")) == sorted(DEFAULT_PREFIXES)


def test_registry_knows_every_portability_check() -> None:
    registry = default_registry()
    assert set(PORTABILITY_CHECKS) == {*ELIGIBILITY_CHECKS.values(), OPERATOR_CHECK}
    for check_id in PORTABILITY_CHECKS:
        assert check_id in registry
        assert registry.get(check_id).metadata.requirements == t9_specs()[check_id].metadata.requirements
