"""The target API table, derived from data: PI APIs from androguard's permission → API maps, plus the
start / scheduling families (自启动, 关联启动) by the API level that introduced each method.

Why derived: a hand-written list silently misses APIs (`setAlarmClock`, `JobScheduler.enqueue` …),
so their callers were never reported. The PI part is every public framework API that androguard's
maps (API 16–25, axplorer-derived; none exist for later levels) guard by a permission that gives
access to personal information (the TC260 / 164号文 categories below), merged with `pi_apis`'s table
(APIs added after API 25 or guarded by no permission, such as the clipboard). Each row keeps the
permissions that guard it, so the pre-consent judgement can tell an API the app cannot use from
collection. The start families are listed with their `since` level, so a test can show that every
method of every family is covered for API levels 19–35.

The derivation parses megabytes of mapping JSON for about a hundred rows, so its result is cached as
JSON (never pickle) under `$GANZHI_HOME/cache/`, keyed by the SHA-256 of this code and of every
mapping file, as the SDK index is: a process then reads a few kilobytes instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from ganzhi.collect.apk import pi_apis
from ganzhi.collect.apk.cachefile import write_cache
from ganzhi.settings import load_settings

_REPO_ROOT = Path(__file__).resolve().parents[4]


def shared_data_dir() -> Path:
    """`$GANZHI_SHARED_DATA`, else `<repo>/../shared/data` (as `permissions.shared_data_dir`; kept here so the
    light call-site path does not import pydantic)."""
    return Path(os.environ.get("GANZHI_SHARED_DATA") or _REPO_ROOT.parent / "shared" / "data")


Family = Literal["pi", "start", "schedule"]
MAPPINGS_DIR = ("apk", "signatures", "androguard-permissions")
_MAPPING_FILE = re.compile(r"^api_permission_mappings_(\d+)\.json$")
MAX_MAPPING_BYTES = 8 << 20
MAX_MAPPING_FILES = 64
#: API levels the start/scheduling coverage is promised for.
MIN_LEVEL, MAX_LEVEL = 19, 35

_P = "android.permission."
#: Permission → PI category (pi_apis wording) for permissions whose guarded APIs return personal information.
PERMISSION_PI: dict[str, str] = {
    _P + "READ_PHONE_STATE": pi_apis.DEVICE_ID,
    _P + "READ_PRIVILEGED_PHONE_STATE": pi_apis.DEVICE_ID,
    _P + "READ_PHONE_NUMBERS": pi_apis.PHONE_NUMBER,
    _P + "ACCESS_FINE_LOCATION": pi_apis.LOCATION,
    _P + "ACCESS_COARSE_LOCATION": pi_apis.LOCATION,
    _P + "ACCESS_BACKGROUND_LOCATION": pi_apis.LOCATION,
    _P + "READ_CONTACTS": pi_apis.CONTACTS,
    _P + "READ_CALL_LOG": pi_apis.CALL_LOG,
    _P + "READ_SMS": pi_apis.SMS,
    _P + "RECEIVE_SMS": pi_apis.SMS,
    _P + "GET_ACCOUNTS": pi_apis.ACCOUNTS,
    _P + "CAMERA": pi_apis.CAMERA,
    _P + "RECORD_AUDIO": pi_apis.MICROPHONE,
    _P + "BODY_SENSORS": pi_apis.SENSORS,
    _P + "READ_CALENDAR": "日程",
}

#: Permissions of `pi_apis` APIs that androguard's maps miss or that appeared after API 25
#: (developer.android.com reference pages). An API absent here and from the maps needs no permission.
_EXTRA_GUARDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Landroid/telephony/TelephonyManager;", "getImei"): (_P + "READ_PHONE_STATE",),
    ("Landroid/telephony/TelephonyManager;", "getMeid"): (_P + "READ_PHONE_STATE",),
    ("Landroid/telephony/TelephonyManager;", "getDeviceId"): (_P + "READ_PHONE_STATE",),
    ("Landroid/telephony/TelephonyManager;", "getSubscriberId"): (_P + "READ_PHONE_STATE",),
    ("Landroid/telephony/TelephonyManager;", "getSimSerialNumber"): (_P + "READ_PHONE_STATE",),
    ("Landroid/telephony/TelephonyManager;", "getLine1Number"): (
        _P + "READ_PHONE_STATE",
        _P + "READ_PHONE_NUMBERS",
        _P + "READ_SMS",
    ),
    ("Landroid/telephony/TelephonyManager;", "getCellLocation"): (
        _P + "ACCESS_FINE_LOCATION",
        _P + "ACCESS_COARSE_LOCATION",
    ),
    ("Landroid/telephony/TelephonyManager;", "getAllCellInfo"): (
        _P + "ACCESS_FINE_LOCATION",
        _P + "ACCESS_COARSE_LOCATION",
    ),
    ("Landroid/os/Build;", "getSerial"): (_P + "READ_PHONE_STATE",),
    ("Landroid/location/LocationManager;", "getCurrentLocation"): (
        _P + "ACCESS_FINE_LOCATION",
        _P + "ACCESS_COARSE_LOCATION",
    ),
    ("Landroid/location/LocationManager;", "getLastKnownLocation"): (
        _P + "ACCESS_FINE_LOCATION",
        _P + "ACCESS_COARSE_LOCATION",
    ),
    ("Landroid/location/LocationManager;", "requestLocationUpdates"): (
        _P + "ACCESS_FINE_LOCATION",
        _P + "ACCESS_COARSE_LOCATION",
    ),
    ("Landroid/location/LocationManager;", "requestSingleUpdate"): (
        _P + "ACCESS_FINE_LOCATION",
        _P + "ACCESS_COARSE_LOCATION",
    ),
    ("Landroid/net/wifi/WifiManager;", "getScanResults"): (
        _P + "ACCESS_FINE_LOCATION",
        _P + "ACCESS_COARSE_LOCATION",
    ),
    ("Landroid/accounts/AccountManager;", "getAccounts"): (_P + "GET_ACCOUNTS",),
    ("Landroid/accounts/AccountManager;", "getAccountsByType"): (_P + "GET_ACCOUNTS",),
    ("Landroid/media/AudioRecord;", "startRecording"): (_P + "RECORD_AUDIO",),
    ("Landroid/hardware/Camera;", "open"): (_P + "CAMERA",),
}

_CTX = ("Landroid/content/Context;", "Landroid/content/ContextWrapper;", "Landroid/app/Activity;")
_AM = "Landroid/app/AlarmManager;"
#: Start and scheduling families: (class, method) → (family, API level that added it).
_FAMILIES: dict[tuple[str, str], tuple[Family, int]] = {
    **{(_AM, m): ("schedule", 1) for m in ("set", "setRepeating", "setInexactRepeating")},
    **{(_AM, m): ("schedule", 19) for m in ("setExact", "setWindow")},
    (_AM, "setAlarmClock"): ("schedule", 21),
    **{(_AM, m): ("schedule", 23) for m in ("setAndAllowWhileIdle", "setExactAndAllowWhileIdle")},
    ("Landroid/app/job/JobScheduler;", "schedule"): ("schedule", 21),
    ("Landroid/app/job/JobScheduler;", "enqueue"): ("schedule", 26),
    ("Landroidx/core/app/JobIntentService;", "enqueueWork"): ("schedule", 1),
    ("Landroid/support/v4/app/JobIntentService;", "enqueueWork"): ("schedule", 1),
    **{
        ("Landroidx/work/WorkManager;", m): ("schedule", 1)
        for m in ("enqueue", "enqueueUniqueWork", "enqueueUniquePeriodicWork", "beginWith", "beginUniqueWork")
    },
    ("Landroidx/work/WorkContinuation;", "enqueue"): ("schedule", 1),
    **{("Landroid/app/PendingIntent;", m): ("schedule", 1) for m in ("getService", "getBroadcast", "getActivity")},
    ("Landroid/app/PendingIntent;", "getForegroundService"): ("schedule", 26),
    **{(c, m): ("start", 1) for c in _CTX for m in ("startService", "bindService", "sendBroadcast")},
    **{(c, m): ("start", 1) for c in _CTX for m in ("sendOrderedBroadcast", "sendStickyBroadcast")},
    **{(c, m): ("start", 1) for c in _CTX for m in ("startActivity", "startActivities")},
    **{(c, "startForegroundService"): ("start", 26) for c in _CTX},
    **{(c, "bindIsolatedService"): ("start", 29) for c in _CTX},
    ("Landroidx/core/content/ContextCompat;", "startForegroundService"): ("start", 1),
    ("Landroid/support/v4/content/ContextCompat;", "startForegroundService"): ("start", 1),
    ("Landroid/app/Activity;", "startActivityForResult"): ("start", 1),
    ("Landroid/content/pm/PackageManager;", "getLaunchIntentForPackage"): ("start", 1),
    ("Landroid/content/Intent;", "setComponent"): ("start", 1),
    ("Landroid/content/Intent;", "setClassName"): ("start", 1),
    ("Landroid/content/Intent;", "setPackage"): ("start", 1),
    ("Landroid/content/ComponentName;", "<init>"): ("start", 1),
}


@dataclass(frozen=True, slots=True)
class ApiRow:
    """One target API (any proto): its family, PI category, guarding permissions and first API level."""

    cls: str
    name: str
    family: Family
    pi_category: str | None = None
    permissions: frozenset[str] = frozenset()
    since: int = 1
    sources: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        """`Lpkg/C;->name`, the scanner's target form."""
        return f"{self.cls}->{self.name}"


@dataclass
class ApiTable:
    """Rows by (class, method name), and which data files they came from."""

    rows: dict[tuple[str, str], ApiRow] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def targets(self, families: tuple[Family, ...] = ("pi", "start", "schedule")) -> list[str]:
        """Scanner targets of the chosen families, sorted."""
        return sorted(r.target for r in self.rows.values() if r.family in families)

    def row(self, api: str) -> ApiRow | None:
        """The row of `Lpkg/C;->name(proto)` (or `->name`), if any."""
        return self.rows.get(pi_apis.split_api(api))

    def permissions_of(self, api: str) -> frozenset[str]:
        """Permissions any one of which lets the app use `api` (empty: none needed or unknown)."""
        row = self.row(api)
        return row.permissions if row is not None else frozenset()

    @cached_property
    def pi_keys(self) -> frozenset[tuple[str, str]]:
        """(class, method) of every PI API that is PI by itself (content queries need their URI)."""
        return frozenset(k for k, r in self.rows.items() if r.family == "pi" and r.pi_category is not None)

    def available_at(self, level: int, family: Family) -> set[tuple[str, str]]:
        """(class, method) of one family that exist at API `level`."""
        return {key for key, r in self.rows.items() if r.family == family and r.since <= level}


def _mapping_files(folder: Path) -> list[tuple[int, Path]]:
    found = []
    for path in folder.glob("api_permission_mappings_*.json"):
        match = _MAPPING_FILE.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)[-MAX_MAPPING_FILES:]


def _read_mapping(path: Path) -> dict[str, list[str]]:
    size = path.stat().st_size
    if size > MAX_MAPPING_BYTES:
        raise ValueError(f"{path}: {size} bytes, limit {MAX_MAPPING_BYTES}")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object of 'Lcls;-name-(proto)' → [permissions]")
    return {k: [p for p in v if isinstance(p, str)] for k, v in data.items() if isinstance(v, list)}


#: A guarded API is PI *access* when it reads or subscribes; removers, setters and predicates are not.
_READS = ("get", "request", "query", "read", "listen", "register", "add")
#: Reads that return configuration, not personal information.
_NOT_PI = frozenset({"getBestProvider", "getProvider", "getProviders", "getAllProviders"})


def _public(cls: str) -> bool:
    """A framework class an app can call (not a system-server class that the maps also list)."""
    internal = "/internal/" in cls or cls.startswith("Lcom/android/server/") or cls.endswith("Service;")
    return cls.startswith(("Landroid/", "Ljava/")) and not internal


def _reads(name: str) -> bool:
    return name.startswith(_READS) and name not in _NOT_PI


def _pi_guards(data_dir: Path, table: ApiTable) -> dict[tuple[str, str], tuple[set[str], str, int]]:
    """(class, method) → (PI permissions over all levels, category, first level seen) from the maps."""
    out: dict[tuple[str, str], tuple[set[str], str, int]] = {}
    for level, path in _mapping_files(data_dir.joinpath(*MAPPINGS_DIR)):
        try:
            mapping = _read_mapping(path)
        except (OSError, ValueError) as exc:
            table.problems.append(f"{path.name}: {exc}")
            continue
        table.sources.append(f"{path.name} (androguard, Apache-2.0)")
        for key, perms in mapping.items():
            cls, _, rest = key.partition(";-")
            name = rest.split("-", 1)[0]
            pi = [p for p in perms if p in PERMISSION_PI]
            if not pi or not _reads(name) or not _public(cls + ";"):
                continue
            row_key = (cls + ";", name)
            guards, category, since = out.get(row_key, (set(), PERMISSION_PI[pi[0]], level))
            guards.update(pi)
            out[row_key] = (guards, category, min(since, level))
    return out


def build_api_table(data_dir: Path | None = None) -> ApiTable:
    """The table from `data_dir` (default `shared_data_dir()`); without the maps, pi_apis's table alone."""
    table = ApiTable()
    guards = _pi_guards(data_dir or shared_data_dir(), table)
    for (cls, name), (perms, category, since) in guards.items():
        table.rows[(cls, name)] = ApiRow(cls, name, "pi", category, frozenset(perms), since, ("androguard",))
    for target in pi_apis.pi_targets():
        cls, name = pi_apis.split_api(target)
        category = pi_apis.pi_category(target) or ""
        mapped = table.rows.get((cls, name))
        perms = set(mapped.permissions) if mapped else set()
        perms.update(_EXTRA_GUARDS.get((cls, name), ()))
        sources = (*(mapped.sources if mapped else ()), "ganzhi")
        table.rows[(cls, name)] = ApiRow(cls, name, "pi", category, frozenset(perms), 1, sources)
    resolver = "Landroid/content/ContentResolver;"
    for name in ("query", "call"):  # PI only with a PI content URI (pi_apis.CONTENT_URIS)
        table.rows[(resolver, name)] = ApiRow(resolver, name, "pi", None, frozenset(), 1, ("ganzhi",))
    for (cls, name), (family, since) in _FAMILIES.items():
        known = table.rows.get((cls, name))
        if known is None:
            table.rows[(cls, name)] = ApiRow(cls, name, family, None, frozenset(), since, ("ganzhi",))
    table.sources.append("ganzhi start/scheduling families (developer.android.com)")
    return table


CACHE_FORMAT = "ganzhi-api-table/1"
_HASH_CHUNK = 1 << 16


def _file_digest(path: Path) -> bytes:
    """SHA-256 of a file, read in chunks (a mapping file is never held whole just to be hashed)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.digest()


def cache_key(data_dir: Path) -> str:
    """SHA-256 over the cache format, the code that derives the table and each mapping file's name and bytes."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for module in (Path(__file__), Path(pi_apis.__file__)):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    for _level, path in _mapping_files(data_dir.joinpath(*MAPPINGS_DIR)):
        digest.update(path.name.encode() + b"\0" + _file_digest(path))
    return digest.hexdigest()


def _to_json(table: ApiTable, key: str) -> dict[str, object]:
    rows = [
        [r.cls, r.name, r.family, r.pi_category, sorted(r.permissions), r.since, list(r.sources)]
        for r in table.rows.values()
    ]
    return {"format": CACHE_FORMAT, "key": key, "rows": rows, "sources": table.sources, "problems": table.problems}


def _from_json(raw: bytes, key: str) -> ApiTable | None:
    """The cached table, or None when the file is not one this code wrote for `key`."""
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("key") != key:
            return None
        table = ApiTable(sources=[str(x) for x in data["sources"]], problems=[str(x) for x in data["problems"]])
        for cls, name, family, category, perms, since, sources in data["rows"]:
            if family not in ("pi", "start", "schedule"):
                return None
            row = ApiRow(str(cls), str(name), family, category, frozenset(perms), int(since), tuple(sources))
            table.rows[(row.cls, row.name)] = row
    except (ValueError, KeyError, TypeError):
        return None
    return table


def load_api_table(data_dir: Path, cache_dir: Path | None) -> ApiTable:
    """The table of `data_dir`, from the cache in `cache_dir` when it holds this input's table (else built and
    cached, best effort: a read-only home only costs a rebuild next time)."""
    if cache_dir is None:
        return build_api_table(data_dir)
    key = cache_key(data_dir)
    path = cache_dir / f"api-table-{key[:24]}.json"
    try:
        cached = _from_json(path.read_bytes(), key)
    except OSError:
        cached = None
    if cached is not None:
        return cached
    table = build_api_table(data_dir)
    write_cache(path, _to_json(table, key))
    return table


def default_cache_dir() -> Path:
    """`$GANZHI_HOME/cache` (see `ganzhi.settings`), where the SDK index is cached too."""
    return load_settings().home / "cache"


@lru_cache(maxsize=4)
def _cached(data_dir: str, cache_dir: str) -> ApiTable:
    return load_api_table(Path(data_dir), Path(cache_dir))


def table_pi_category(api: str, strings: tuple[str, ...] | list[str] = ()) -> str | None:
    """PI category of a call: `pi_apis`'s own rules (content URIs…), else the derived table's row."""
    found = pi_apis.pi_category(api, strings)
    if found is not None:
        return found
    row = default_api_table().row(api)
    return row.pi_category if row is not None and row.family == "pi" else None


def default_api_table() -> ApiTable:
    """The table for the current shared-data folder (built once per process).

    Hot loops call this per API call, so the folders are resolved again only when the environment
    variables that name them change (resolving a home folder costs microseconds each time)."""
    env = (os.environ.get("GANZHI_SHARED_DATA"), os.environ.get("GANZHI_HOME"), os.environ.get("HOME"))
    last = _LAST.get("table")
    if last is not None and last[0] == env:
        return last[1]
    table = _cached(str(shared_data_dir()), str(default_cache_dir()))
    _LAST["table"] = (env, table)
    return table


_LAST: dict[str, tuple[tuple[str | None, ...], ApiTable]] = {}


def family_of(api: str) -> Family | None:
    """Family of a start/scheduling/PI API in the default table."""
    row = default_api_table().row(api)
    return row.family if row is not None else None


def is_table_pi(cls: str, name: str) -> bool:
    """True when `cls->name` is PI access in the derived table (content queries need their URI); hot loops
    should take `default_api_table().pi_keys` once instead."""
    return (cls, name) in default_api_table().pi_keys
