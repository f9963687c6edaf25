"""Rate arithmetic with fixed byte counts and time stamps (the formulas, not the network)."""

from __future__ import annotations

import pytest

from ganzhi.collect.transfer import rates


def test_grace_is_excluded_from_the_rate() -> None:
    # slow start: 1 MB in the first second, then 10 MB/s
    samples = [(0.0, 0), (1.0, 1_000_000), (2.0, 11_000_000), (3.0, 21_000_000)]
    span = rates.span_after(samples, grace=1.0)
    assert span.bytes == 20_000_000
    assert span.bytes_per_second == pytest.approx(10_000_000)
    assert rates.span_after(samples, grace=0.0).bytes_per_second == pytest.approx(7_000_000)


def test_interpolation_windows_stability_and_settling() -> None:
    samples = [(0.0, 0), (1.0, 100), (2.0, 200), (3.0, 300), (4.0, 400)]
    assert rates.value_at(samples, 1.5) == pytest.approx(150)
    assert rates.window_rates(samples, 0.0, 1.0) == pytest.approx([100, 100, 100, 100])
    assert rates.stability([100, 100, 100]) == pytest.approx(1.0)
    assert rates.stability([50, 150]) == pytest.approx(0.5)
    assert rates.settled([100, 101, 99, 100], 4, 0.05)
    assert not rates.settled([100, 130, 99, 100], 4, 0.05)
    assert rates.jitter([10.0, 12.0, 11.0]) == pytest.approx(1.5)
    assert rates.thin([(float(i), i) for i in range(100)], 10)[-1] == (99.0, 99)
