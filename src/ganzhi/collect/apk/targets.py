"""Default framework APIs whose call sites `read_apk` records (PI access, 自启动, 关联启动).

Seeded from PrivacySentry's hook list (MIT) and the 关联启动/自启动 patterns of
reference/app-analysis.md §4.2; checks decide what a call means, this list only decides what the
collector looks for. The default is this seed list merged with the table derived from data
(`api_table`: androguard's permission maps and the start/scheduling families). Callers can pass their
own target list to `read_apk`.
"""

from __future__ import annotations

_PI = {
    "Landroid/app/ActivityManager;": ("getRunningAppProcesses", "getRunningTasks"),
    "Landroid/bluetooth/BluetoothAdapter;": ("getAddress",),
    "Landroid/content/ClipboardManager;": (
        "getPrimaryClip",
        "getPrimaryClipDescription",
        "getText",
        "hasPrimaryClip",
    ),
    "Landroid/content/pm/PackageManager;": (
        "getInstalledPackages",
        "getInstalledApplications",
        "queryIntentActivities",
        "getLaunchIntentForPackage",
    ),
    "Landroid/hardware/SensorManager;": ("getSensorList", "registerListener"),
    "Landroid/location/LocationManager;": (
        "getLastKnownLocation",
        "requestLocationUpdates",
        "requestSingleUpdate",
        "getCurrentLocation",
    ),
    "Landroid/net/wifi/WifiInfo;": ("getMacAddress", "getBSSID", "getSSID"),
    "Landroid/net/wifi/WifiManager;": ("getScanResults", "getConnectionInfo"),
    "Landroid/os/Build;": ("getSerial",),
    "Landroid/provider/Settings$Secure;": ("getString",),
    "Landroid/provider/Settings$System;": ("getString",),
    "Landroid/telephony/TelephonyManager;": (
        "getDeviceId",
        "getImei",
        "getMeid",
        "getSubscriberId",
        "getSimSerialNumber",
        "getLine1Number",
        "getNetworkOperator",
        "getSimOperator",
        "getCellLocation",
        "getAllCellInfo",
    ),
    "Ljava/net/NetworkInterface;": ("getHardwareAddress",),
    "Landroid/content/ContentResolver;": ("query", "call"),
    "Landroid/accounts/AccountManager;": ("getAccounts", "getAccountsByType"),
    "Landroid/media/AudioRecord;": ("startRecording",),
    "Landroid/hardware/Camera;": ("open",),
    "Landroid/telephony/SmsManager;": ("sendTextMessage",),
}

_START = {
    "Landroid/content/Context;": (
        "startService",
        "startForegroundService",
        "bindService",
        "sendBroadcast",
        "startActivity",
    ),
    "Landroid/content/Intent;": ("setComponent", "setClassName", "setPackage"),
    "Landroid/app/AlarmManager;": (
        "set",
        "setRepeating",
        "setExact",
        "setExactAndAllowWhileIdle",
        "setInexactRepeating",
    ),
    "Landroid/app/job/JobScheduler;": ("schedule",),
    "Landroidx/work/WorkManager;": ("enqueue", "enqueueUniqueWork", "enqueueUniquePeriodicWork"),
}


def seed_targets() -> list[str]:
    """The hand-written seed list (kept so the derived table never loses an API it covered)."""
    return [f"{cls}->{name}" for table in (_PI, _START) for cls, names in table.items() for name in names]


def default_targets() -> list[str]:
    """`Lpkg/Class;->name` strings for every default API (any proto): the derived table plus the seed."""
    from ganzhi.collect.apk.api_table import default_api_table

    return sorted({*default_api_table().targets(), *seed_targets()})
