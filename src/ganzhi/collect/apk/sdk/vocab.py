"""Controlled vocabularies of the SDK inventory: SDK categories and GB/T 35273-2020 PI categories.

The category codes are ours; the PI category names are the ones of GB/T 35273-2020 表A.1 so the
共享清单 we draft uses the regulator's words.
"""

from __future__ import annotations

from ganzhi.i18n import Text

CATEGORY_LABELS: dict[str, Text] = {
    "push": Text(zh="消息推送", en="Push notifications"),
    "analytics": Text(zh="统计分析", en="Analytics"),
    "ads": Text(zh="广告", en="Advertising"),
    "map_location": Text(zh="地图与定位", en="Maps and location"),
    "payment": Text(zh="支付", en="Payment"),
    "share_login": Text(zh="分享与第三方登录", en="Sharing and social login"),
    "one_click_login": Text(zh="本机号码一键登录", en="One-click phone-number login"),
    "crash_apm": Text(zh="崩溃与性能监控", en="Crash reporting and APM"),
    "device_id": Text(zh="设备标识与基础服务", en="Device identifiers and base services"),
    "im_rtc": Text(zh="即时通信与音视频", en="Instant messaging and RTC"),
    "biometrics_ocr": Text(zh="人脸与证件识别", en="Face and document recognition"),
    "speech": Text(zh="语音", en="Speech"),
    "hotfix": Text(zh="热修复", en="Hot fix"),
    "customer_service": Text(zh="在线客服", en="Customer service"),
    "risk_control": Text(zh="风控与设备指纹", en="Risk control and device fingerprinting"),
    "webview": Text(zh="浏览器内核", en="Web engine"),
    "app_market": Text(zh="应用市场", en="App market"),
    "library": Text(zh="开发库", en="Development library"),
    "unknown": Text(zh="未分类", en="Uncategorised"),
}

# GB/T 35273-2020 附录A 表A.1 categories, in the standard's order.
PI_CATEGORIES: tuple[str, ...] = (
    "个人基本资料",
    "个人身份信息",
    "个人生物识别信息",
    "网络身份标识信息",
    "个人健康生理信息",
    "个人教育工作信息",
    "个人财产信息",
    "个人通信信息",
    "联系人信息",
    "个人上网记录",
    "个人常用设备信息",
    "个人位置信息",
    "其他信息",
)

# Exodus tracker categories and LibRadar library types mapped onto our category codes.
EXODUS_CATEGORY_MAP: dict[str, str] = {
    "Analytics": "analytics",
    "Advertisement": "ads",
    "Location": "map_location",
    "Profiling": "analytics",
    "Identification": "device_id",
    "Crash reporting": "crash_apm",
}

LIBRADAR_TYPE_MAP: dict[str, str] = {
    "Advertisement": "ads",
    "Mobile Analytics": "analytics",
    "Payment": "payment",
    "Social Network": "share_login",
    "Map/LBS": "map_location",
    "Digital Identity": "share_login",
    "App Market": "app_market",
}


def category_label(code: str) -> Text:
    """The bilingual label of a category code (unknown codes fall back to 未分类)."""
    return CATEGORY_LABELS.get(code, CATEGORY_LABELS["unknown"])
