"""Import dynamic traces of PI API calls (device-lab hooks: Frida, Xposed, camille-style logs).

Input: JSON Lines or CSV. Each call row has `timestamp`, `api` and `stack` (frames innermost first;
a JSON list, or one string split on newlines or `|`), optionally `uri` for content queries. The
consent moment comes from a row `{"event": "consent", "timestamp": ...}`, or a `consent_timestamp`
field/column on any row. Timestamps are ISO 8601 or Unix epoch (seconds, or milliseconds when
> 10^11). Calls before consent become definite findings; bad rows become `problems` naming the line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ganzhi.collect.apk.attribution import Attributor
from ganzhi.collect.apk.pi_apis import pi_category
from ganzhi.collect.jsonl import JsonLinesReader
from ganzhi.errors import InputError
from ganzhi.evidence.apk import ApkTrace, TraceCall
from ganzhi.evidence.base import Evidence, Subject

MAX_TRACE_BYTES = 256 << 20
MAX_CALLS = 1_000_000
MAX_PROBLEMS = 1_000
MAX_FRAMES = 64
_FRAMEWORK = ("android.", "androidx.", "java.", "javax.", "kotlin.", "kotlinx.", "dalvik.", "com.android.", "libcore.")
_DOTTED_API = re.compile(r"^([\w$.]+)\.([\w$<>]+)(\(.*\))?$")
_FRAME = re.compile(r"^(?:at\s+)?([\w$.]+)\.([\w$<>]+)(?:\(.*\))?$")


def parse_time(value: Any, what: str) -> dt.datetime:
    """ISO 8601 text or a Unix epoch number (seconds; milliseconds when > 1e11); naive times are UTC."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError(f"{what}: expected an ISO 8601 time or epoch number, got {value!r}")
    if isinstance(value, int | float) or (isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value.strip())):
        number = float(value)
        if number > 1e11:
            number /= 1000.0
        try:
            return dt.datetime.fromtimestamp(number, dt.UTC)
        except (OverflowError, OSError, ValueError):  # NaN, infinity, beyond year 9999
            raise ValueError(f"{what}: epoch {value!r} is not a representable time") from None
    if not isinstance(value, str):
        raise ValueError(f"{what}: expected text or number, got {type(value).__name__}")
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not an ISO 8601 time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def normalise_api(api: str) -> str:
    """`android.telephony.TelephonyManager.getDeviceId` → `Landroid/telephony/TelephonyManager;->getDeviceId`."""
    api = api.strip()
    if "->" in api:
        return api
    match = _DOTTED_API.match(api)
    if not match:
        raise ValueError(f"api {api!r} is neither 'Lpkg/C;->name' nor 'pkg.Class.method'")
    return f"L{match.group(1).replace('.', '/')};->{match.group(2)}{match.group(3) or ''}"


def _frames(stack: Any) -> list[str]:
    if isinstance(stack, list):
        frames = [str(f).strip() for f in stack]
    elif isinstance(stack, str):
        frames = [f.strip() for f in re.split(r"\n|\|", stack)]
    elif stack is None:
        frames = []
    else:
        raise ValueError(f"stack: expected a list or text, got {type(stack).__name__}")
    return [f for f in frames if f][:MAX_FRAMES]


def first_app_frame(frames: list[str]) -> str | None:
    """The innermost frame's class that is not framework code (the code that made the call)."""
    for frame in frames:
        match = _FRAME.match(frame)
        if match and not match.group(1).startswith(_FRAMEWORK):
            return match.group(1)
    return None


class _Builder:
    def __init__(self, package: str, source: str, who: Attributor | None) -> None:
        self.trace: dict[str, Any] = {"package": package, "source": source}
        self.calls: list[TraceCall] = []
        self.problems: list[str] = []
        self.consent: dt.datetime | None = None
        self.who = who

    def problem(self, line: int, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{self.trace['source']}:{line}: {message}")

    def row(self, line: int, row: dict[str, Any]) -> None:
        try:
            if row.get("consent_timestamp") not in (None, ""):
                at = parse_time(row["consent_timestamp"], "consent_timestamp")
                self.consent = at if self.consent is None else min(self.consent, at)
            if str(row.get("event", "")).lower() == "consent":
                at = parse_time(row.get("timestamp"), "timestamp")
                self.consent = at if self.consent is None else min(self.consent, at)
                return
            if not row.get("api"):
                if "consent_timestamp" not in row:
                    raise ValueError("no 'api' field and no consent event")
                return
            self._call(line, row)
        except ValueError as exc:
            self.problem(line, str(exc))

    def _call(self, line: int, row: dict[str, Any]) -> None:
        if len(self.calls) >= MAX_CALLS:
            raise ValueError(f"more than {MAX_CALLS} calls; the rest is ignored")
        api = normalise_api(str(row["api"]))
        frames = _frames(row.get("stack"))
        caller = first_app_frame(frames)
        owner, sdk = self.who.owner(caller) if self.who is not None and caller else ("app", None)
        uri = row.get("uri")
        self.calls.append(
            TraceCall(
                at=parse_time(row.get("timestamp"), "timestamp"),
                api=api,
                stack=frames,
                pi_category=pi_category(api, [str(uri)] if uri else []),
                owner=owner,
                sdk_id=sdk,
                line=line,
            )
        )

    def build(self) -> ApkTrace:
        calls = [
            c.model_copy(update={"before_consent": None if self.consent is None else c.at < self.consent})
            for c in sorted(self.calls, key=lambda c: c.at)
        ]
        return ApkTrace(
            package=self.trace["package"],
            source=self.trace["source"],
            consent_at=self.consent,
            consent_given=self.consent is not None,
            started_at=calls[0].at if calls else None,
            calls=calls,
            problems=self.problems,
        )


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"timestamp"} <= set(reader.fieldnames):
        raise ValueError(f"CSV header must include 'timestamp' (got {reader.fieldnames})")
    for row in reader:
        yield reader.line_num, {k: v for k, v in row.items() if k is not None}


def import_trace(path: Path, package: str, *, who: Attributor | None = None) -> ApkTrace:
    """Read one trace file (`.csv` is CSV, anything else JSON Lines); InputError if unreadable as a whole."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if size > MAX_TRACE_BYTES:
        raise InputError(str(path), f"{size} bytes, limit {MAX_TRACE_BYTES}")
    builder = _Builder(package, path.name, who)
    if path.suffix.lower() == ".csv":
        try:
            for line, row in _csv_rows(path.read_text(encoding="utf-8-sig")):
                builder.row(line, row)
        except (UnicodeDecodeError, ValueError, csv.Error) as exc:
            raise InputError(str(path), f"not a usable CSV trace: {exc}") from None
    else:
        reader = JsonLinesReader(str(path))
        with path.open("rb") as fh:
            for item in reader.read(fh):
                if item.value is None:
                    builder.problem(item.line, item.error or "unreadable line")
                else:
                    builder.row(item.line, item.value)
    return builder.build()


def trace_evidence(trace: ApkTrace, version: str | None = None, source: str | None = None) -> Evidence:
    """Wrap a trace as `apk_trace` evidence about the app (same subject as its `apk_static`)."""
    subject = Subject(type="app", id=trace.package, version=version)
    return Evidence.of(trace, subject, source or f"trace:{trace.source}")
