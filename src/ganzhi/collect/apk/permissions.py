"""Classify requested permissions: Android protection level, sensitivity, and the PI each one reaches.

Read at run time from `../shared/data`: AOSP's permission table (androguard, Apache-2.0; the
`dangerous` protection level) and `policy/vocab/android_permission_pi_map.csv` (TC260 / GB/T 35273
categories). When those files are absent, a small table of our own (below) keeps the common
dangerous permissions classified, so a scan never silently loses sensitivity.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ganzhi.evidence.apk import PermissionInfo, UsesPermission

_REPO_ROOT = Path(__file__).resolve().parents[4]
AOSP_FILE = ("apk", "signatures", "androguard-permissions", "aosp_permissions_36.json")
PI_MAP_FILE = ("policy", "vocab", "android_permission_pi_map.csv")
MAX_TABLE_BYTES = 32 << 20

# Fallback (our own summary of developer.android.com "dangerous" permissions): name → (group, PI category).
_P = "android.permission."
_FALLBACK: dict[str, tuple[str, str]] = {
    _P + "READ_CALENDAR": ("CALENDAR", "其他信息(日程)"),
    _P + "WRITE_CALENDAR": ("CALENDAR", "其他信息(日程)"),
    _P + "READ_CALL_LOG": ("CALL_LOG", "个人通信信息"),
    _P + "WRITE_CALL_LOG": ("CALL_LOG", "个人通信信息"),
    _P + "PROCESS_OUTGOING_CALLS": ("CALL_LOG", "个人通信信息"),
    _P + "CAMERA": ("CAMERA", "个人多媒体信息"),
    _P + "READ_CONTACTS": ("CONTACTS", "联系人信息"),
    _P + "WRITE_CONTACTS": ("CONTACTS", "联系人信息"),
    _P + "GET_ACCOUNTS": ("CONTACTS", "网络身份标识信息"),
    _P + "ACCESS_FINE_LOCATION": ("LOCATION", "个人位置信息"),
    _P + "ACCESS_COARSE_LOCATION": ("LOCATION", "个人位置信息"),
    _P + "ACCESS_BACKGROUND_LOCATION": ("LOCATION", "个人位置信息"),
    _P + "ACCESS_MEDIA_LOCATION": ("STORAGE", "个人位置信息"),
    _P + "RECORD_AUDIO": ("MICROPHONE", "个人多媒体信息"),
    _P + "READ_PHONE_STATE": ("PHONE", "个人常用设备信息"),
    _P + "READ_PHONE_NUMBERS": ("PHONE", "个人基本资料"),
    _P + "CALL_PHONE": ("PHONE", "个人通信信息"),
    _P + "ANSWER_PHONE_CALLS": ("PHONE", "个人通信信息"),
    _P + "BODY_SENSORS": ("SENSORS", "个人健康生理信息"),
    _P + "ACTIVITY_RECOGNITION": ("ACTIVITY_RECOGNITION", "个人健康生理信息"),
    _P + "SEND_SMS": ("SMS", "个人通信信息"),
    _P + "RECEIVE_SMS": ("SMS", "个人通信信息"),
    _P + "READ_SMS": ("SMS", "个人通信信息"),
    _P + "RECEIVE_MMS": ("SMS", "个人通信信息"),
    _P + "READ_EXTERNAL_STORAGE": ("STORAGE", "个人多媒体信息"),
    _P + "WRITE_EXTERNAL_STORAGE": ("STORAGE", "个人多媒体信息"),
    _P + "READ_MEDIA_IMAGES": ("READ_MEDIA", "个人多媒体信息"),
    _P + "READ_MEDIA_VIDEO": ("READ_MEDIA", "个人多媒体信息"),
    _P + "READ_MEDIA_AUDIO": ("READ_MEDIA", "个人多媒体信息"),
    _P + "BLUETOOTH_SCAN": ("NEARBY_DEVICES", "个人常用设备信息"),
    _P + "NEARBY_WIFI_DEVICES": ("NEARBY_DEVICES", "个人常用设备信息"),
    _P + "POST_NOTIFICATIONS": ("NOTIFICATIONS", ""),
}
_FALLBACK_NORMAL_PI: dict[str, tuple[str, str]] = {
    _P + "QUERY_ALL_PACKAGES": ("", "个人常用设备信息(软件列表)"),
}


@dataclass(frozen=True)
class PermissionTable:
    """Protection levels and PI rows, plus where they came from."""

    levels: dict[str, str]
    pi_rows: dict[str, dict[str, str]]
    sources: tuple[str, ...]

    def classify(self, permission: str) -> PermissionInfo:
        """One permission's info; unknown permissions are not sensitive."""
        level = self.levels.get(permission)
        row = self.pi_rows.get(permission, {})
        category = row.get("gbt35273_a1_category") or None
        return PermissionInfo(
            name=permission,
            protection_level=level or row.get("protection_level") or None,
            sensitive=(level is not None and "dangerous" in level) or category is not None,
            group=row.get("android_group") or None,
            pi_category=category,
            pi_description=row.get("tc260_accessible_pi") or None,
            pi_code=row.get("ttaf050_code") or None,
        )


def shared_data_dir() -> Path:
    """`$GANZHI_SHARED_DATA`, else `<repo>/../shared/data`."""
    return Path(os.environ.get("GANZHI_SHARED_DATA") or _REPO_ROOT.parent / "shared" / "data")


def _read_levels(path: Path) -> dict[str, str]:
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise ValueError(f"{path}: {path.stat().st_size} bytes, limit {MAX_TABLE_BYTES}")
    data = json.loads(path.read_text(encoding="utf-8"))
    perms = data.get("permissions") if isinstance(data, dict) else None
    if not isinstance(perms, dict):
        raise ValueError(f"{path}: expected an object with a 'permissions' object")
    return {
        name: str(info.get("protectionLevel", ""))
        for name, info in perms.items()
        if isinstance(info, dict) and isinstance(name, str)
    }


def _read_pi_rows(path: Path) -> dict[str, dict[str, str]]:
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise ValueError(f"{path}: {path.stat().st_size} bytes, limit {MAX_TABLE_BYTES}")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "android_permission_or_api" not in reader.fieldnames:
            raise ValueError(f"{path}: header lacks 'android_permission_or_api' (got {reader.fieldnames})")
        return {
            row["android_permission_or_api"].strip(): {k: (v or "").strip() for k, v in row.items() if k}
            for row in reader
            if row.get("android_permission_or_api")
        }


def _fallback_rows() -> dict[str, dict[str, str]]:
    rows = {}
    for table, level in ((_FALLBACK, "dangerous"), (_FALLBACK_NORMAL_PI, "normal")):
        for name, (group, category) in table.items():
            rows[name] = {"android_group": group, "gbt35273_a1_category": category, "protection_level": level}
    return rows


def load_permission_table(data_dir: Path | None = None) -> PermissionTable:
    """Tables from `data_dir` (default `shared_data_dir()`), each falling back to our own when unreadable."""
    base = data_dir or shared_data_dir()
    sources: list[str] = []
    try:
        levels = _read_levels(base.joinpath(*AOSP_FILE))
        sources.append("aosp_permissions_36 (androguard, Apache-2.0)")
    except (OSError, ValueError):
        levels = dict.fromkeys(_FALLBACK, "dangerous")
        sources.append("ganzhi fallback protection levels")
    try:
        rows = _read_pi_rows(base.joinpath(*PI_MAP_FILE))
        sources.append("android_permission_pi_map.csv")
    except (OSError, ValueError):
        rows = _fallback_rows()
        sources.append("ganzhi fallback PI map")
    return PermissionTable(levels, rows, tuple(sources))


@lru_cache(maxsize=4)
def _cached_table(data_dir: str) -> PermissionTable:
    return load_permission_table(Path(data_dir))


def default_permission_table() -> PermissionTable:
    """The table for the current shared-data folder (loaded once per process)."""
    return _cached_table(str(shared_data_dir()))


def classify_permissions(
    permissions: Iterable[UsesPermission], table: PermissionTable | None = None
) -> list[PermissionInfo]:
    """One `PermissionInfo` per distinct requested permission, in manifest order."""
    used = table or default_permission_table()
    names = dict.fromkeys(p.name for p in permissions)
    return [used.classify(name) for name in names]
