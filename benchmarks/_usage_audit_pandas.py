"""Baseline for the usage-reminder audit: a straightforward in-memory pandas implementation.

Same semantics as `ganzhi.collect.usage.audit` (dedupe on subscriber/ts/bytes, cumulative usage per
subscriber × Beijing calendar month, first crossing per threshold, ASOF attribution of reminders with
early tolerance and cycle-end grace, first reminder decides, later ones repeat, the rest spurious).
It reads clean Parquet (the generator's output) and does no input validation: it exists to be
compared against, for identical per-row results and for speed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ganzhi.collect.usage.config import BEIJING_OFFSET_MS, AuditConfig

KEY = ["subscriber_id", "cycle"]
COMPARED = ["subscriber_id", "cycle", "threshold", "status", "plan_id", "crossed_at_ms", "reminded_at_ms"]


def _month_start_ms(ts_ms: pd.Series) -> pd.Series:
    """UTC epoch ms of the Beijing month start containing each timestamp."""
    local = (ts_ms.to_numpy() + BEIJING_OFFSET_MS).astype("datetime64[ms]")
    month = local.astype("datetime64[M]").astype("datetime64[ms]").astype(np.int64)
    return pd.Series(month - BEIJING_OFFSET_MS, index=ts_ms.index)


def _next_month_ms(start_ms: pd.Series) -> pd.Series:
    local = (start_ms.to_numpy() + BEIJING_OFFSET_MS).astype("datetime64[ms]").astype("datetime64[M]")
    nxt = (local + np.timedelta64(1, "M")).astype("datetime64[ms]").astype(np.int64)
    return pd.Series(nxt - BEIJING_OFFSET_MS, index=start_ms.index)


def _label(start_ms: pd.Series) -> pd.Series:
    local = (start_ms.to_numpy() + BEIJING_OFFSET_MS).astype("datetime64[ms]").astype("datetime64[M]")
    return pd.Series(np.datetime_as_string(local, unit="M"), index=start_ms.index)


def cycles_table(events: pd.DataFrame, plans: pd.DataFrame, cfg: AuditConfig) -> pd.DataFrame:
    """Per (subscriber, cycle): plan, quota and the crossing time of each threshold."""
    ev = events.merge(plans[["plan_id", "quota_bytes"]], on="plan_id", how="inner")
    ev["plan_id"] = ev["plan_id"].astype(str)
    ev["cycle"] = _month_start_ms(ev["ts"])
    ev = ev.sort_values(["subscriber_id", "cycle", "ts", "bytes"], kind="stable")
    ev = ev.drop_duplicates(subset=["subscriber_id", "ts", "bytes"], keep="first")
    grouped = ev.groupby(KEY, sort=False)
    ev["cum"] = grouped["bytes"].cumsum()
    ev["first_quota"] = grouped["quota_bytes"].transform("first")
    cycles = grouped.agg(plan_id=("plan_id", "first"), quota_bytes=("quota_bytes", "first")).reset_index()
    for i, t in enumerate(cfg.thresholds):
        hit = ev[ev["cum"] >= t * ev["first_quota"]]
        first = hit.groupby(KEY, sort=False)["ts"].min().rename(f"cross_{i}").reset_index()
        cycles = cycles.merge(first, on=KEY, how="left")
    return cycles


def audit_pandas(plans_path: Path, events_path: Path, reminders_path: Path, cfg: AuditConfig) -> pd.DataFrame:
    """Per-row results with the columns of `COMPARED`."""
    plans = pd.read_parquet(plans_path)
    plans["plan_id"] = plans["plan_id"].astype(str)
    events = pd.read_parquet(events_path, columns=["subscriber_id", "ts", "bytes", "plan_id"])
    reminders = pd.read_parquet(reminders_path, columns=["subscriber_id", "ts", "threshold"])
    reminders["row"] = np.arange(1, len(reminders) + 1)

    cycles = cycles_table(events, plans, cfg)
    parts = []
    for i, t in enumerate(cfg.thresholds):
        part = cycles.loc[cycles[f"cross_{i}"].notna(), ["subscriber_id", "cycle", "plan_id", "quota_bytes"]].copy()
        part["threshold"] = float(t)
        part["crossed_at"] = cycles.loc[part.index, f"cross_{i}"].astype(np.int64)
        parts.append(part)
    crossings = pd.concat(parts, ignore_index=True)
    crossings["cycle_end"] = _next_month_ms(crossings["cycle"])

    rem = reminders[reminders["threshold"].isin([float(t) for t in cfg.thresholds])].copy()
    rem["probe"] = rem["ts"] + cfg.early_tolerance_ms
    matched = pd.merge_asof(
        rem.sort_values("probe"),
        crossings[["subscriber_id", "threshold", "crossed_at", "cycle", "cycle_end"]].sort_values("crossed_at"),
        left_on="probe", right_on="crossed_at", by=["subscriber_id", "threshold"], direction="backward",
    )  # fmt: skip
    valid = matched["crossed_at"].notna() & (matched["ts"] < matched["cycle_end"] + cfg.attribution_grace_ms)
    attributed = matched[valid].sort_values(["ts", "row"])
    attributed["rank"] = attributed.groupby(["subscriber_id", "threshold", "cycle"], sort=False).cumcount()
    first = attributed[attributed["rank"] == 0][["subscriber_id", "threshold", "cycle", "ts"]]

    judged = crossings.merge(first, on=["subscriber_id", "threshold", "cycle"], how="left")
    latency = judged["ts"] - judged["crossed_at"]
    judged["status"] = np.where(judged["ts"].isna(), "missing", np.where(latency <= cfg.latency_ms, "on_time", "late"))
    judged = judged.rename(columns={"ts": "reminded_at_ms", "crossed_at": "crossed_at_ms"})

    repeats = attributed[attributed["rank"] > 0][["subscriber_id", "threshold", "cycle", "ts"]].merge(
        crossings[["subscriber_id", "threshold", "cycle", "plan_id", "crossed_at"]],
        on=["subscriber_id", "threshold", "cycle"],
    )
    repeats = repeats.rename(columns={"ts": "reminded_at_ms", "crossed_at": "crossed_at_ms"})
    repeats["status"] = "repeat"

    spurious = matched[~valid][["subscriber_id", "threshold", "ts"]].copy()
    spurious["cycle"] = _month_start_ms(spurious["ts"])
    spurious = spurious.merge(cycles[["subscriber_id", "cycle", "plan_id"]], on=KEY, how="left")
    latest = cycles.sort_values("cycle").groupby("subscriber_id")["plan_id"].last().rename("latest_plan")
    spurious = spurious.merge(latest, left_on="subscriber_id", right_index=True, how="left")
    spurious["plan_id"] = spurious["plan_id"].fillna(spurious["latest_plan"]).fillna("unknown")
    spurious = spurious.rename(columns={"ts": "reminded_at_ms"})
    spurious["crossed_at_ms"] = np.nan
    spurious["status"] = "spurious"

    out = pd.concat([judged, repeats, spurious], ignore_index=True)
    out["cycle"] = _label(out["cycle"].astype(np.int64))
    return out[COMPARED]


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Comparable form: fixed dtypes, sorted rows, fresh index."""
    f = frame[COMPARED].copy()
    f["subscriber_id"] = f["subscriber_id"].astype(np.int64)
    f["cycle"] = f["cycle"].astype(str)
    f["threshold"] = f["threshold"].astype(float)
    f["status"] = f["status"].astype(str)
    f["plan_id"] = f["plan_id"].astype(str)
    for col in ("crossed_at_ms", "reminded_at_ms"):
        f[col] = f[col].astype("Int64")
    return f.sort_values(COMPARED, na_position="first", kind="stable").reset_index(drop=True)
