"""Which framework APIs give access to personal information, and which PI category each belongs to.

The categories follow the wording regulators use in 通报 (设备标识, 位置信息, 软件安装列表...), seeded
from PrivacySentry's hook list (MIT) and `policy/vocab/android_permission_pi_map.csv`. An API not
listed here is not PI access (start/alarm/job APIs are recorded for 自启动/关联启动 instead).
"""

from __future__ import annotations

DEVICE_ID = "设备标识"
LOCATION = "位置信息"
APP_LIST = "软件安装列表"
CONTACTS = "通讯录"
CALL_LOG = "通话记录"
SMS = "短信"
CLIPBOARD = "剪切板"
SENSORS = "传感器"
ACCOUNTS = "账户信息"
CAMERA = "摄像头"
MICROPHONE = "麦克风"
PROCESSES = "运行中进程"
NETWORK = "网络信息"
CELL = "基站信息"
PHONE_NUMBER = "手机号码"

_TABLE: dict[str, dict[str, str]] = {
    "Landroid/app/ActivityManager;": {"getRunningAppProcesses": PROCESSES, "getRunningTasks": PROCESSES},
    "Landroid/bluetooth/BluetoothAdapter;": {"getAddress": DEVICE_ID},
    "Landroid/content/ClipboardManager;": {
        "getPrimaryClip": CLIPBOARD,
        "getPrimaryClipDescription": CLIPBOARD,
        "getText": CLIPBOARD,
        "hasPrimaryClip": CLIPBOARD,
    },
    "Landroid/content/pm/PackageManager;": {
        "getInstalledPackages": APP_LIST,
        "getInstalledApplications": APP_LIST,
        "queryIntentActivities": APP_LIST,
    },
    "Landroid/hardware/SensorManager;": {"getSensorList": SENSORS, "registerListener": SENSORS},
    "Landroid/location/LocationManager;": {
        "getLastKnownLocation": LOCATION,
        "requestLocationUpdates": LOCATION,
        "requestSingleUpdate": LOCATION,
        "getCurrentLocation": LOCATION,
    },
    "Landroid/net/wifi/WifiInfo;": {"getMacAddress": DEVICE_ID, "getBSSID": NETWORK, "getSSID": NETWORK},
    "Landroid/net/wifi/WifiManager;": {"getScanResults": NETWORK, "getConnectionInfo": NETWORK},
    "Landroid/os/Build;": {"getSerial": DEVICE_ID},
    "Landroid/provider/Settings$Secure;": {"getString": DEVICE_ID},
    "Landroid/telephony/TelephonyManager;": {
        "getDeviceId": DEVICE_ID,
        "getImei": DEVICE_ID,
        "getMeid": DEVICE_ID,
        "getSubscriberId": DEVICE_ID,
        "getSimSerialNumber": DEVICE_ID,
        "getLine1Number": PHONE_NUMBER,
        "getCellLocation": CELL,
        "getAllCellInfo": CELL,
    },
    "Ljava/net/NetworkInterface;": {"getHardwareAddress": DEVICE_ID},
    "Landroid/accounts/AccountManager;": {"getAccounts": ACCOUNTS, "getAccountsByType": ACCOUNTS},
    "Landroid/media/AudioRecord;": {"startRecording": MICROPHONE},
    "Landroid/hardware/Camera;": {"open": CAMERA},
}

#: content:// authorities (prefix of the URI string) → PI category, for ContentResolver.query/call.
CONTENT_URIS: dict[str, str] = {
    "content://sms": SMS,
    "content://mms": SMS,
    "content://mms-sms": SMS,
    "content://call_log": CALL_LOG,
    "content://com.android.contacts": CONTACTS,
    "content://contacts": CONTACTS,
}
_RESOLVER = "Landroid/content/ContentResolver;"


def split_api(api: str) -> tuple[str, str]:
    """`Lpkg/C;->name(args)ret` → (`Lpkg/C;`, `name`)."""
    cls, _, rest = api.partition("->")
    return cls, rest.split("(", 1)[0]


def pi_category(api: str, strings: tuple[str, ...] | list[str] = ()) -> str | None:
    """PI category of a call to `api`; `strings` are const-strings of the caller (for content URIs)."""
    cls, name = split_api(api)
    if cls == _RESOLVER and name in ("query", "call"):
        for text in strings:
            for prefix, category in CONTENT_URIS.items():
                if text.startswith(prefix):
                    return category
        return None
    return _TABLE.get(cls, {}).get(name)


def is_pi_api(cls: str, name: str) -> bool:
    """True when `cls->name` (any proto) is PI access by itself (content queries need their URI)."""
    return name in _TABLE.get(cls, {})


def pi_targets() -> list[str]:
    """`Lpkg/C;->name` of every PI API, for scanners."""
    return [f"{cls}->{name}" for cls, names in _TABLE.items() for name in names]
