"""Second anchor for the usage-reminder audit: what a data engineer would write in idiomatic Polars.

Lazy frames end to end, collected with the streaming engine: dedupe, cumulative usage per subscriber ×
Beijing calendar month (a window `cum_sum().over(...)` after a sort), first crossing per threshold, an
ASOF join of the reminders (early tolerance) and the attribution deadline (cycle end + grace). It reads
the generator's clean Parquet and does no input validation, like the DuckDB anchor in
`../shared/anchors/usage_duckdb.py`; it exists to be measured and checked against the generator's truth.

Usage: python -m benchmarks._usage_polars DATA_DIR [THREADS]  (prints seconds, rows and agreement).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

# Polars sizes its thread pool when imported: the caller's THREADS must be set before.
if __name__ == "__main__" and len(sys.argv) > 2:
    os.environ["POLARS_MAX_THREADS"] = sys.argv[2]

import polars as pl

BEIJING_MS = 8 * 3600 * 1000
THRESHOLDS = (0.8, 1.0)
LATENCY_MS = 3600 * 1000
EARLY_MS = 60 * 1000
GRACE_MS = 86400 * 1000


def _month(ts: pl.Expr) -> pl.Expr:
    """Beijing calendar month as `year * 12 + month - 1`."""
    local = (ts + BEIJING_MS).cast(pl.Datetime("ms"))
    return local.dt.year().cast(pl.Int64) * 12 + local.dt.month().cast(pl.Int64) - 1


def _month_start(month: pl.Expr) -> pl.Expr:
    """UTC epoch ms of the start of month number `month`."""
    date = pl.date(month // 12, month % 12 + 1, 1)
    return date.cast(pl.Datetime("ms")).cast(pl.Int64) - BEIJING_MS


def _label(month: pl.Expr) -> pl.Expr:
    return pl.format("{}-{}", month // 12, (month % 12 + 1).cast(pl.String).str.zfill(2))


def audit(data: Path) -> pl.DataFrame:
    """Rows (subscriber_id, cycle 'YYYY-MM', threshold, status) like the generator's truth, plus repeats."""
    plans = pl.scan_parquet(data / "plans.parquet").select("plan_id", "quota_bytes")
    events = (
        pl.scan_parquet(data / "events.parquet")
        .select("subscriber_id", "ts", "bytes", pl.col("plan_id").cast(pl.String))
        .unique(subset=["subscriber_id", "ts", "bytes"], keep="any")
        .join(plans, on="plan_id")
        .with_columns(cycle=_month(pl.col("ts")))
    )
    # Per (subscriber, month), in (ts, bytes) order: running total, then the first time each threshold is met
    # (sort + window measured 3x faster than sorting inside a group_by aggregation).
    crossed = (
        events.sort("subscriber_id", "cycle", "ts", "bytes")
        .with_columns(cum=pl.col("bytes").cum_sum().over("subscriber_id", "cycle"))
        .group_by("subscriber_id", "cycle")
        .agg(
            [
                pl.col("ts").filter(pl.col("cum") >= t * pl.col("quota_bytes").first()).min().alias(str(t))
                for t in THRESHOLDS
            ]
        )
    )
    crossings = (
        crossed.unpivot(index=["subscriber_id", "cycle"], variable_name="threshold", value_name="crossed_at")
        .drop_nulls("crossed_at")
        .with_columns(pl.col("threshold").cast(pl.Float64), deadline=_month_start(pl.col("cycle") + 1) + GRACE_MS)
        .sort("crossed_at")
    )
    reminders = (
        pl.scan_parquet(data / "reminders.parquet")
        .select("subscriber_id", "ts", "threshold")
        .filter(pl.col("threshold").is_in(THRESHOLDS))
        .with_row_index("row")
        .with_columns(probe=pl.col("ts") + EARLY_MS)
        .sort("probe")
    )
    matched = reminders.join_asof(crossings, left_on="probe", right_on="crossed_at",
                                  by=["subscriber_id", "threshold"], strategy="backward",
                                  check_sortedness=False)  # fmt: skip
    attributed = matched.filter(pl.col("crossed_at").is_not_null() & (pl.col("ts") < pl.col("deadline")))
    ranked = attributed.with_columns(
        rank=pl.int_range(pl.len()).sort_by("ts", "row").over("subscriber_id", "threshold", "cycle")
    )
    first = ranked.filter(pl.col("rank") == 0).select("subscriber_id", "threshold", "cycle", reminded_at="ts")
    judged = crossings.join(first, on=["subscriber_id", "threshold", "cycle"], how="left").select(
        "subscriber_id", "cycle", "threshold",
        status=pl.when(pl.col("reminded_at").is_null()).then(pl.lit("missing"))
        .when(pl.col("reminded_at") - pl.col("crossed_at") <= LATENCY_MS).then(pl.lit("on_time"))
        .otherwise(pl.lit("late")),
    )  # fmt: skip
    repeats = ranked.filter(pl.col("rank") > 0).select("subscriber_id", "cycle", "threshold", status=pl.lit("repeat"))
    spurious = matched.filter(pl.col("crossed_at").is_null() | (pl.col("ts") >= pl.col("deadline"))).select(
        "subscriber_id", cycle=_month(pl.col("ts")), threshold="threshold", status=pl.lit("spurious")
    )
    out = pl.concat([judged, repeats, spurious]).with_columns(cycle=_label(pl.col("cycle")))
    return out.collect(engine="streaming")


def agreement(result: pl.DataFrame, truth_path: Path) -> tuple[int, int, int]:
    """(verdict rows whose status matches the truth row of the same key, truth rows, verdict rows); repeats are
    not in the truth. All three equal means row-by-row agreement."""
    truth = pl.read_parquet(truth_path)
    verdicts = result.filter(pl.col("status") != "repeat")
    joined = truth.join(verdicts, on=["subscriber_id", "cycle", "threshold"], how="inner", suffix="_got")
    agree = joined.filter(pl.col("status") == pl.col("status_got")).height
    return agree, truth.height, verdicts.height


def main(argv: list[str]) -> None:
    data = Path(argv[0])
    started = time.perf_counter()
    result = audit(data)
    secs = time.perf_counter() - started
    agree, truth, verdicts = agreement(result, data / "truth.parquet")
    print(f"polars_s {secs:.3f} rows {verdicts} agree_with_truth {agree}/{truth}")


if __name__ == "__main__":
    main(sys.argv[1:])
