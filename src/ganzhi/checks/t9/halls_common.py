"""Helpers the T9 hall checks share: operator labels and matching of published entries to halls."""

from __future__ import annotations

from ganzhi.evidence.halls import OPERATOR_NAMES, Hall, PublishedHall, hall_name_key


def operator_label(code: str) -> str:
    """中国移动 for china_mobile; the code itself when unknown."""
    return OPERATOR_NAMES.get(code, code)


def name_key(operator: str, name: str) -> tuple[str, str]:
    """Matching key for a hall without an id: operator and the NFKC name without spaces, brackets or a
    leading operator name (`evidence.halls.hall_name_key`)."""
    return operator, hall_name_key(name)


def hall_keys(hall: Hall) -> tuple[str, tuple[str, str]]:
    """The id key and the name key of a registry hall."""
    return hall.id, name_key(hall.operator, hall.name)


def entry_key(entry: PublishedHall) -> tuple[str | None, tuple[str, str]]:
    """The id key (None when the list gives no id) and the name key of a published entry."""
    return entry.id, name_key(entry.operator, entry.name)


def sample(items: list[str], limit: int = 20) -> list[str]:
    """At most `limit` items, for outcome data that stays readable."""
    return sorted(items)[:limit]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), linear between closest ranks; ValueError when `values` is empty."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)
