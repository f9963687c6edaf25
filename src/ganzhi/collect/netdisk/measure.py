"""Turn a cloud-drive transfer's cumulative samples into a `TransferMeasure` (KB/s, warm-up left out).

The second half of the measured time gives `sustained_kbyte_s`: a tier that bursts at full speed for
the first seconds and is then throttled shows a sustained rate far below its mean or peak.
"""

from __future__ import annotations

from collections.abc import Sequence

from ganzhi.collect.transfer import rates
from ganzhi.evidence.netdisk import MAX_CURVE_POINTS, CurvePoint, TransferMeasure

KB = 1000.0


def summarise_transfer(
    samples: Sequence[rates.Sample], warmup: float, window: float, errors: Sequence[str] = ()
) -> TransferMeasure:
    """Rates after `warmup` seconds; the curve (per `window`) keeps the warm-up for the record."""
    if not samples:
        samples = [(0.0, 0)]
    end = samples[-1][0]
    grace = min(warmup, end)
    span = rates.span_after(samples, grace)
    half = grace + (end - grace) / 2
    sustained = rates.span_after(samples, half).bytes_per_second if end > half else span.bytes_per_second
    measured = rates.window_rates(samples, grace, window)
    curve_rates = rates.window_rates(samples, 0.0, window)
    step = max(1, -(-len(curve_rates) // MAX_CURVE_POINTS))
    curve = [
        CurvePoint(t=round((i + step) * window, 3), kbyte_s=round(sum(curve_rates[i : i + step]) / step / KB, 3))
        for i in range(0, len(curve_rates) - step + 1, step)
    ]
    return TransferMeasure(
        bytes=span.bytes,
        seconds=round(span.seconds, 3),
        warmup_seconds=round(grace, 3),
        mean_kbyte_s=round(span.bytes_per_second / KB, 3),
        sustained_kbyte_s=round(sustained / KB, 3),
        peak_kbyte_s=round(max(measured, default=span.bytes_per_second) / KB, 3),
        min_window_kbyte_s=round(min(measured, default=span.bytes_per_second) / KB, 3),
        curve=curve,
        errors=list(errors)[:64],
    )
