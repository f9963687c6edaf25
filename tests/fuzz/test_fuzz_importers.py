"""Short fuzz run of every importer and parser (the long run is `python -m benchmarks.fuzz --minutes N`).

Each target gets its seeds plus a few mutated inputs (byte flips, truncation, inflated declared sizes, zip
entry rewrites, deep nesting, huge strings). Every target must show no crash and no hang (issue 20: one
boundary per importer turns any library failure into the project's input error); a failure names the input
recipe and the traceback.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

INPUTS_PER_TARGET = 14
SECONDS_PER_TARGET = 2.0


@pytest.mark.parametrize("name", sorted(harness.by_name()))
def test_short_fuzz_run(name: str) -> None:
    target = harness.by_name()[name]
    tally = harness.fuzz(target, seconds=SECONDS_PER_TARGET, max_inputs=INPUTS_PER_TARGET, seed=20, time_limit_s=10)
    assert tally.tried >= len(target.seeds())
    found = "\n".join(f"{s['kind']}: {s['recipe']}: {s['error']}\n{s['trace']}" for s in tally.samples)
    assert (tally.crashes, tally.hangs) == (0, 0), found


def test_seeds_are_valid_inputs() -> None:
    """Every unmutated seed is accepted as-is (so mutations start from real files)."""
    for target in harness.targets():
        if target.name == "usage_parquet":
            continue
        outcome = harness.run_one(target, target.seeds()[0], "seed 0")
        assert outcome.kind == "ok", (target.name, outcome.error, outcome.trace)


def test_shared_data_seeds_join_the_corpus() -> None:
    if not harness.SHARED_DATA.is_dir():
        pytest.skip(f"third-party data not available: {harness.SHARED_DATA} (set GANZHI_SHARED_DATA)")
    gkd = harness.SHARED_DATA / "ui" / "gkd"
    if not any(gkd.glob("*.json")):
        pytest.skip(f"no GKD snapshots under {gkd}")
    assert len(harness.gkd_seeds()) > 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048) | st.builds(lambda a, b: harness.SIP_INVITE[:a] + b, st.integers(0, 400), st.binary()))
def test_sip_parser_only_raises_its_own_error(data: bytes) -> None:
    from ganzhi.collect.hotline.sip_message import SipParseError, parse_message, sdp_media

    try:
        message = parse_message(data)
    except SipParseError:
        return
    message.to_bytes()
    sdp_media(message.body)


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=30))  # fmt: skip
def test_gkd_parser_only_raises_hierarchy_errors(doc: object) -> None:
    import json

    from ganzhi.collect.ui.hierarchy import HierarchyError, parse_gkd

    body = {"appId": "a", "screenWidth": doc, "nodes": [{"id": 0, "pid": -1, "attr": doc}]} if doc else doc
    with contextlib.suppress(HierarchyError):
        parse_gkd(json.dumps(body).encode())


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet='<>/ ="abcnodehirty\n&;!-[]0123456789,', max_size=400))
def test_uiautomator_parser_only_raises_hierarchy_errors(text: str) -> None:
    from ganzhi.collect.ui.hierarchy import HierarchyError, parse_uiautomator

    with contextlib.suppress(HierarchyError):
        parse_uiautomator(("<hierarchy>" + text).encode())
