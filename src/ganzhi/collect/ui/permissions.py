"""Runtime-permission dialogs: which system packages show them, and which permission class a text names.

Class names are the catalog's (T3 `required_permission_classes` / `extended_permission_classes`).
"""

from __future__ import annotations

import re

PERMISSION_PACKAGES = frozenset(
    {
        "com.android.permissioncontroller",
        "com.google.android.permissioncontroller",
        "com.android.packageinstaller",
        "com.google.android.packageinstaller",
        "com.lbe.security.miui",
        "com.coloros.securitypermission",
        "com.oplus.securitypermission",
        "com.huawei.systemmanager",
        "com.vivo.permissionmanager",
    }
)
PERMISSION_ACTIVITY = re.compile(r"GrantPermissions|PermissionActivity|PermissionDialog", re.IGNORECASE)
PERMISSION_IDS = ("permission_message", "permission_allow_button", "permission_deny_button")

#: Keywords of each class, in Chinese UI text (the survey's table, ui.md §5.4).
CLASS_KEYWORDS: dict[str, tuple[str, ...]] = {
    "位置": ("位置", "定位"),
    "相机": ("拍摄照片", "录制视频", "相机", "拍摄", "拍照", "扫码", "摄像头"),
    "相册": ("相册", "照片", "图片", "媒体", "存储", "文件", "视频"),
    "通讯录": ("通讯录", "联系人"),
    "麦克风": ("麦克风", "录音", "录制音频"),
    "通话记录": ("通话记录",),
    "电话": ("拨打电话", "电话", "设备信息"),
    "短信": ("短信",),
    "日历": ("日历",),
}
ANDROID_PERMISSION_CLASS: dict[str, str] = {
    "ACCESS_FINE_LOCATION": "位置",
    "ACCESS_COARSE_LOCATION": "位置",
    "ACCESS_BACKGROUND_LOCATION": "位置",
    "READ_EXTERNAL_STORAGE": "相册",
    "WRITE_EXTERNAL_STORAGE": "相册",
    "READ_MEDIA_IMAGES": "相册",
    "READ_MEDIA_VIDEO": "相册",
    "READ_CONTACTS": "通讯录",
    "WRITE_CONTACTS": "通讯录",
    "CAMERA": "相机",
    "RECORD_AUDIO": "麦克风",
    "READ_PHONE_STATE": "电话",
    "CALL_PHONE": "电话",
    "READ_CALL_LOG": "通话记录",
    "SEND_SMS": "短信",
    "READ_SMS": "短信",
    "READ_CALENDAR": "日历",
    "WRITE_CALENDAR": "日历",
}
PURPOSE_CUE = re.compile(r"用于|用来|以便|为了|便于|需要.{0,12}(功能|服务)|目的|以提供|帮助你|帮助您|方便你|方便您")


def classes_named(text: str) -> list[str]:
    """Permission classes a text names, in the table's order (通话记录 is not also 电话)."""
    found = []
    rest = text
    for name, keywords in CLASS_KEYWORDS.items():
        if any(keyword in rest for keyword in keywords):
            found.append(name)
            for keyword in keywords:
                rest = rest.replace(keyword, "")
    return found


def class_of_permission(permission: str | None) -> str | None:
    """`android.permission.CAMERA` → 相机; None when unknown."""
    if not permission:
        return None
    return ANDROID_PERMISSION_CLASS.get(permission.rsplit(".", 1)[-1])


def has_purpose(text: str) -> bool:
    """True when the text states a purpose (用于…, 以便…, 为了…)."""
    return PURPOSE_CUE.search(text) is not None
