"""Rate arithmetic shared by the speed test and the cloud-drive probe (pure functions, no I/O).

A transfer is recorded as cumulative samples `(seconds since start, bytes so far)`. The rate leaves
out a warm-up (grace) period — TCP slow start would otherwise pull the figure down, which is what
speedtest-cli gets wrong — and the per-window curve gives stability and the "fast then throttled" shape.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

Sample = tuple[float, int]


@dataclass(frozen=True, slots=True)
class Span:
    """Bytes moved over a time span."""

    bytes: int
    seconds: float

    @property
    def bytes_per_second(self) -> float:
        """Average rate over the span (0 for an empty span)."""
        return self.bytes / self.seconds if self.seconds > 0 else 0.0


def value_at(samples: Sequence[Sample], at: float) -> float:
    """Cumulative bytes at time `at`, linearly interpolated between samples."""
    if not samples:
        return 0.0
    if at <= samples[0][0]:
        return float(samples[0][1])
    for (t0, b0), (t1, b1) in pairwise(samples):
        if t0 <= at <= t1:
            if t1 == t0:
                return float(b1)
            return b0 + (b1 - b0) * (at - t0) / (t1 - t0)
    return float(samples[-1][1])


def span_after(samples: Sequence[Sample], grace: float) -> Span:
    """Bytes and seconds after the grace period; the whole transfer when it ended inside the grace."""
    if not samples:
        return Span(0, 0.0)
    end_t, end_b = samples[-1]
    if end_t <= grace:
        return Span(end_b, end_t)
    start_b = value_at(samples, grace)
    return Span(round(end_b - start_b), end_t - grace)


def window_rates(samples: Sequence[Sample], start: float, window: float) -> list[float]:
    """Rate (bytes/s) in consecutive windows of `window` seconds from `start` to the last sample."""
    if not samples or window <= 0:
        return []
    end = samples[-1][0]
    rates: list[float] = []
    t = start
    while t + window <= end + 1e-9:
        rates.append((value_at(samples, t + window) - value_at(samples, t)) / window)
        t += window
    return rates


def stability(rates: Sequence[float]) -> float | None:
    """1 − coefficient of variation of the window rates, in [0, 1]; None with fewer than 2 windows."""
    if len(rates) < 2:
        return None
    mean = statistics.fmean(rates)
    if mean <= 0:
        return 0.0
    cv = statistics.pstdev(rates) / mean
    return max(0.0, min(1.0, 1.0 - cv))


def settled(rates: Sequence[float], windows: int, tolerance: float) -> bool:
    """True when the last `windows` window rates all lie within ±`tolerance` of their mean."""
    if windows < 2 or len(rates) < windows:
        return False
    tail = rates[-windows:]
    mean = statistics.fmean(tail)
    if mean <= 0:
        return False
    return all(abs(rate - mean) <= tolerance * mean for rate in tail)


def jitter(latencies: Sequence[float]) -> float | None:
    """Mean absolute difference of consecutive latencies (RFC 3550 style, unsmoothed)."""
    if len(latencies) < 2:
        return None
    return statistics.fmean(abs(b - a) for a, b in pairwise(latencies))


def median(values: Sequence[float]) -> float | None:
    """Median, or None for no values."""
    return statistics.median(values) if values else None


def thin(samples: Sequence[Sample], limit: int) -> list[Sample]:
    """At most `limit` samples, evenly picked, always keeping the first and the last."""
    if len(samples) <= limit or limit < 2:
        return list(samples)
    step = (len(samples) - 1) / (limit - 1)
    return [samples[min(len(samples) - 1, math.floor(i * step + 0.5))] for i in range(limit)]
