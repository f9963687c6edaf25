"""One tc-shaped namespace link: our client agrees with iperf3 (looser bound than the benchmark's ±5%)."""

from __future__ import annotations

import pytest

from ganzhi.collect.speedtest.accuracy import compare_link, iperf3_missing
from ganzhi.collect.speedtest.netns import ShapedLink, unavailable


def test_client_matches_iperf3_on_a_100m_link() -> None:
    reason = unavailable() or iperf3_missing()
    if reason:
        pytest.skip(f"network namespaces not usable here: {reason}")
    result = compare_link(ShapedLink(100), seconds=4, streams=2, tag="t")
    assert 0.9 <= result.ratio_down <= 1.1, result
    assert 0.9 <= result.ratio_up <= 1.1, result
