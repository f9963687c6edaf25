"""Canonical personal-information categories, the phrases that name them, and the Android permissions
and APIs that reach them.

Our own compilation after GB/T 35273-2020 App. A/B and TC260-PG-20204A Table A.1 (category names and the
sensitive flag); the tests compare it with the shared vocab files. Ids are stable English slugs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class PiCategory:
    """One canonical PI category."""

    id: str
    zh: str
    gbt_category: str
    sensitive: bool
    phrases: tuple[str, ...]


CATEGORIES: tuple[PiCategory, ...] = (
    PiCategory(
        "location",
        "位置信息",
        "个人位置信息",
        True,
        ("精确位置", "精准定位", "地理位置", "位置信息", "定位信息", "经纬度", "行踪轨迹", "gps", "位置", "定位"),
    ),
    PiCategory("contacts", "通讯录", "联系人信息", True, ("通讯录", "通信录", "联系人", "好友列表")),
    PiCategory("call_log", "通话记录", "个人通信信息", True, ("通话记录", "通话日志", "通信记录")),
    PiCategory("sms", "短信", "个人通信信息", True, ("短信内容", "短信", "短消息")),
    PiCategory("camera", "相机/图像", "个人基本资料", False, ("摄像头", "相机", "拍照", "拍摄", "扫码", "扫一扫")),
    PiCategory("microphone", "麦克风/音频", "个人基本资料", False, ("麦克风", "录音", "语音信息", "语音", "音频")),
    PiCategory(
        "photos", "相册/存储", "其他信息", False, ("相册", "照片", "图片", "存储空间", "存储权限", "媒体文件", "文件")
    ),
    PiCategory("calendar", "日历", "其他信息", False, ("日历", "日程")),
    PiCategory("phone_state", "电话状态", "个人常用设备信息", False, ("电话状态", "拨打电话", "通话状态", "电话权限")),
    PiCategory(
        "device_id",
        "设备标识符",
        "个人常用设备信息",
        False,
        (
            "设备标识",
            "设备识别码",
            "设备id",
            "imei",
            "imsi",
            "meid",
            "oaid",
            "android id",
            "androidid",
            "idfa",
            "mac地址",
            "mac",
            "序列号",
            "iccid",
            "设备信息",
        ),
    ),
    PiCategory(
        "installed_apps",
        "应用列表",
        "个人常用设备信息",
        False,
        ("应用列表", "软件列表", "安装列表", "已安装应用", "应用安装列表", "app列表"),
    ),
    PiCategory("clipboard", "剪切板", "其他信息", False, ("剪切板", "剪贴板", "粘贴板")),
    PiCategory(
        "network", "网络信息", "个人常用设备信息", False, ("wi-fi", "wifi", "ip地址", "网络信息", "网络状态", "蓝牙")
    ),
    PiCategory("phone_number", "手机号码", "个人基本资料", False, ("手机号码", "手机号", "电话号码", "联系电话")),
    PiCategory("identity", "身份信息", "个人身份信息", True, ("身份证", "护照", "证件号码", "证件信息", "实名")),
    PiCategory(
        "biometric", "生物识别信息", "个人生物识别信息", True, ("人脸", "面部", "指纹", "声纹", "虹膜", "生物识别")
    ),
    PiCategory(
        "financial",
        "财产信息",
        "个人财产信息",
        True,
        ("银行卡", "银行账户", "支付账号", "支付信息", "交易记录", "消费记录", "账户余额", "征信"),
    ),
    PiCategory(
        "health", "健康生理信息", "个人健康生理信息", True, ("健康", "病历", "医疗", "体检", "运动步数", "心率")
    ),
    PiCategory(
        "browsing", "上网记录", "个人上网记录", False, ("浏览记录", "搜索记录", "网页浏览", "点击记录", "使用记录")
    ),
    PiCategory(
        "basic_profile",
        "个人基本资料",
        "个人基本资料",
        False,
        ("姓名", "昵称", "头像", "性别", "生日", "年龄", "邮箱", "地址"),
    ),
    PiCategory("account", "网络身份标识", "网络身份标识信息", False, ("账号", "帐号", "用户名", "密码", "口令")),
    PiCategory("minor", "未成年人信息", "其他信息", True, ("未满14周岁", "儿童个人信息", "不满十四周岁", "未成年人")),
    PiCategory("sensors", "传感器信息", "个人常用设备信息", False, ("传感器", "加速度", "陀螺仪")),
)
BY_ID: dict[str, PiCategory] = {c.id: c for c in CATEGORIES}

#: phrases that contain a PI phrase but name no PI of the user: a verification code sent by SMS is not the
#: user's SMS content, a cookie "file" is not the photo library, the company's registered address is not the
#: user's address. They are masked before PI phrases are matched (longest phrase wins).
NOT_PI_PHRASES: tuple[str, ...] = (
    "短信验证码",
    "验证码短信",
    "短信校验码",
    "短信验证",
    "短信通知",
    "短信提醒",
    "数据文件",
    "小文件",
    "日志文件",
    "配置文件",
    "安装文件",
    "缓存文件",
    "注册地址",
    "办公地址",
    "公司地址",
    "通讯地址：",
    "网页地址",
    "链接地址",
    "网址",
    "语音播报",
    "定位问题",
    "定位故障",
)

#: Android permission (short name) → category ids.
PERMISSION_CATEGORIES: dict[str, tuple[str, ...]] = {
    "ACCESS_FINE_LOCATION": ("location",),
    "ACCESS_COARSE_LOCATION": ("location",),
    "ACCESS_BACKGROUND_LOCATION": ("location",),
    "READ_CONTACTS": ("contacts",),
    "WRITE_CONTACTS": ("contacts",),
    "GET_ACCOUNTS": ("contacts",),
    "READ_CALL_LOG": ("call_log",),
    "WRITE_CALL_LOG": ("call_log",),
    "PROCESS_OUTGOING_CALLS": ("call_log",),
    "READ_SMS": ("sms",),
    "RECEIVE_SMS": ("sms",),
    "SEND_SMS": ("sms",),
    "RECEIVE_MMS": ("sms",),
    "CAMERA": ("camera",),
    "RECORD_AUDIO": ("microphone",),
    "READ_EXTERNAL_STORAGE": ("photos",),
    "WRITE_EXTERNAL_STORAGE": ("photos",),
    "READ_MEDIA_IMAGES": ("photos",),
    "READ_MEDIA_VIDEO": ("photos",),
    "READ_MEDIA_AUDIO": ("photos",),
    "MANAGE_EXTERNAL_STORAGE": ("photos",),
    "READ_CALENDAR": ("calendar",),
    "WRITE_CALENDAR": ("calendar",),
    "READ_PHONE_STATE": ("phone_state", "device_id"),
    "READ_PHONE_NUMBERS": ("phone_number",),
    "CALL_PHONE": ("phone_state",),
    "BODY_SENSORS": ("health",),
    "BODY_SENSORS_BACKGROUND": ("health",),
    "ACTIVITY_RECOGNITION": ("health",),
    "QUERY_ALL_PACKAGES": ("installed_apps",),
    "BLUETOOTH_SCAN": ("network",),
    "NEARBY_WIFI_DEVICES": ("network",),
    "ACCESS_WIFI_STATE": ("network",),
    "USE_BIOMETRIC": ("biometric",),
    "USE_FINGERPRINT": ("biometric",),
}
#: Permissions that need a just-in-time purpose notice (MIIT names 相册、通讯录、位置 "等").
SENSITIVE_PERMISSIONS: frozenset[str] = frozenset(
    p
    for p, cats in PERMISSION_CATEGORIES.items()
    if any(
        c in {"location", "contacts", "call_log", "sms", "camera", "microphone", "photos", "calendar", "health"}
        for c in cats
    )
)
#: Privacy-relevant API (method name as it appears in an `api_calls` entry) → category ids.
API_CATEGORIES: dict[str, tuple[str, ...]] = {
    "getDeviceId": ("device_id",),
    "getImei": ("device_id",),
    "getMeid": ("device_id",),
    "getSubscriberId": ("device_id",),
    "getSimSerialNumber": ("device_id",),
    "getSerial": ("device_id",),
    "getMacAddress": ("device_id",),
    "getHardwareAddress": ("device_id",),
    "ANDROID_ID": ("device_id",),
    "getLine1Number": ("phone_number",),
    "getLastKnownLocation": ("location",),
    "requestLocationUpdates": ("location",),
    "getCellLocation": ("location",),
    "getInstalledPackages": ("installed_apps",),
    "getInstalledApplications": ("installed_apps",),
    "queryIntentActivities": ("installed_apps",),
    "getRunningAppProcesses": ("installed_apps",),
    "getPrimaryClip": ("clipboard",),
    "getConnectionInfo": ("network",),
    "getScanResults": ("network",),
}


def permission_short(name: str) -> str:
    """`android.permission.CAMERA` → `CAMERA`."""
    return name.rsplit(".", 1)[-1]


def api_method(api: str) -> str:
    """The method (or field) name of an API reference such as `Landroid/telephony/TelephonyManager;->getImei()`."""
    tail = api.rsplit("->", maxsplit=1)[-1]
    tail = tail.split("(")[0]
    return tail.rsplit(".", 1)[-1].rsplit(":", 1)[0]


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    phrase_to_id: dict[str, str] = {}
    for cat in CATEGORIES:
        for phrase in cat.phrases:
            phrase_to_id.setdefault(phrase.lower(), cat.id)
    ordered = sorted(phrase_to_id, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in ordered)), phrase_to_id


@lru_cache(maxsize=1)
def _not_pi() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(p.lower()) for p in sorted(NOT_PI_PHRASES, key=len, reverse=True)))


def find_terms(text: str) -> list[tuple[str, str, int]]:
    """(category id, matched phrase, offset) for every PI phrase in `text`, longest match first.

    Phrases of `NOT_PI_PHRASES` are blanked first (same length, so offsets stay valid)."""
    pattern, phrase_to_id = _pattern()
    lowered = _not_pi().sub(lambda m: " " * len(m.group(0)), text.lower())
    return [(phrase_to_id[m.group(0)], m.group(0), m.start()) for m in pattern.finditer(lowered)]


def categories_in(text: str) -> list[str]:
    """Distinct category ids named in `text`, in order of first mention."""
    seen: list[str] = []
    for cat, _, _ in find_terms(text):
        if cat not in seen:
            seen.append(cat)
    return seen
