"""Fuzzing the dynamic-trace importer: any bytes or rows give a trace or an InputError, never a crash."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ganzhi.collect.apk.traces import import_trace, parse_time
from ganzhi.errors import InputError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TIME_BOUND = 2.0
APIS = st.sampled_from(
    [
        "android.telephony.TelephonyManager.getDeviceId",
        "Landroid/location/LocationManager;->getLastKnownLocation",
        "android.content.ClipboardManager.getPrimaryClip",
        "not an api",
        "",
    ]
)
TIMES: st.SearchStrategy[Any] = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(timezones=st.none() | st.just(dt.UTC)).map(lambda d: d.isoformat()),
    st.text(max_size=30),
    st.none(),
    st.booleans(),
)
STACKS: st.SearchStrategy[Any] = st.one_of(
    st.lists(st.text(max_size=40), max_size=5),
    st.text(max_size=80),
    st.none(),
    st.integers(),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
ROWS = st.fixed_dictionaries(
    {},
    optional={
        "timestamp": TIMES,
        "api": APIS | st.text(max_size=30),
        "stack": STACKS,
        "event": st.sampled_from(["consent", "CONSENT", "other"]),
        "consent_timestamp": TIMES,
        "uri": st.text(max_size=20) | st.none(),
    },
)


def _import(name: str, body: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(body)
        started = time.perf_counter()
        error: InputError | None = None
        try:
            trace = import_trace(path, "com.fuzz.app")
        except InputError as exc:
            error = exc
        if error is not None:
            assert name in str(error)
        else:
            assert all(p.startswith(f"{name}:") for p in trace.problems)
            ats = [c.at for c in trace.calls]
            assert ats == sorted(ats)
            for call in trace.calls:
                expected = None if trace.consent_at is None else call.at < trace.consent_at
                assert call.before_consent == expected
        assert time.perf_counter() - started < TIME_BOUND


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_as_jsonl_or_csv(body: bytes) -> None:
    _import("trace.jsonl", body)
    _import("trace.csv", body)


@FUZZ
@given(st.lists(ROWS, max_size=12))
def test_random_rows_give_consistent_traces(rows: list[dict[str, Any]]) -> None:
    lines = [json.dumps(r, allow_nan=True) for r in rows]
    _import("rows.jsonl", ("\n".join(lines) + "\n").encode())


@FUZZ
@given(st.lists(ROWS, max_size=8))
def test_random_rows_as_csv(rows: list[dict[str, Any]]) -> None:
    header = ["timestamp", "api", "stack", "event", "consent_timestamp", "uri"]
    out = [",".join(header)]
    for row in rows:
        out.append(",".join(json.dumps(str(row.get(k, "")))[1:-1].replace(",", " ") for k in header))
    _import("rows.csv", ("\n".join(out) + "\n").encode())


@FUZZ
@given(TIMES)
def test_parse_time_returns_an_aware_time_or_value_error(value: Any) -> None:
    parsed: dt.datetime | None = None
    message = ""
    try:
        parsed = parse_time(value, "timestamp")
    except ValueError as exc:
        message = str(exc)
    assert (parsed is not None and parsed.tzinfo is not None) or "timestamp" in message
