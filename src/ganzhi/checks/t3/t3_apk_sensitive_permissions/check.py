"""Static part of 敏感权限同步告知: which requested permissions need a purpose notice, and whether one is possible."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.apk import ApkStatic, PermissionInfo
from ganzhi.evidence.base import EvidenceSet

#: Android permission group → the class names the notice uses.
GROUP_CLASS = {
    "STORAGE": "相册",
    "READ_MEDIA": "相册",
    "CONTACTS": "通讯录",
    "LOCATION": "位置",
    "CAMERA": "相机",
    "MICROPHONE": "麦克风",
    "PHONE": "电话",
    "SMS": "短信",
    "CALENDAR": "日历",
    "CALL_LOG": "通话记录",
}


def permission_class(info: PermissionInfo) -> str | None:
    """The notice's class of a permission (by its Android group), or None."""
    return GROUP_CLASS.get(info.group or "")


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL when install-time grants make a notice impossible; MANUAL per permission to verify in the UI."""
    static = evidence.one(ApkStatic)
    if "permissions" not in static.analyses:
        return [
            Outcome.manual(
                "APK证据未包含权限敏感性分析，请用 ganzhi scan apk 重新采集",
                "the APK evidence lacks the permission analysis; re-collect it with `ganzhi scan apk`",
                permission=None,
                reason="ANALYSIS_MISSING",
            )
        ]
    classes = set(params.strings("required_permission_classes")) | set(params.strings("extended_permission_classes"))
    wanted = [(p, permission_class(p)) for p in static.permission_info if p.sensitive]
    found = [(p, cls) for p, cls in wanted if cls in classes]
    if not found:
        return [
            Outcome.passed(
                "未申请需同步告知目的的敏感权限",
                "requests no sensitive permission that needs a purpose notice",
                permission=None,
                reason="NONE_REQUESTED",
            )
        ]
    runtime_level = params.number("min_target_sdk_runtime_permissions")
    target = static.target_sdk if static.target_sdk is not None else static.min_sdk
    names = [p.name for p, _ in found]
    if target is None or target < runtime_level:
        return [
            Outcome.failed(
                f"targetSdkVersion为{target}，低于{runtime_level:g}：{len(names)}项敏感权限在安装时即被授予，无法在调用时同步告知目的",
                f"targetSdkVersion {target} is below {runtime_level:g}: {len(names)} sensitive permissions are granted "
                "at install, so no purpose can be shown at request time",
                permission=None,
                reason="INSTALL_TIME_GRANT",
                target_sdk=target,
                permissions=names,
            )
        ]
    outcomes = [
        Outcome.passed(
            f"targetSdkVersion为{target}，敏感权限在运行时申请",
            f"targetSdkVersion {target}: sensitive permissions are requested at run time",
            permission=None,
            reason="RUNTIME_PERMISSIONS",
        )
    ]
    for info, cls in found:
        outcomes.append(
            Outcome.manual(
                f"申请{cls}类敏感权限 {info.name}（{info.pi_category or '个人信息'}），"
                "请以界面采集核实申请时是否同步告知目的",
                f"requests the {cls} permission {info.name} ({info.pi_category or 'PI'}); verify from UI captures that "
                "its purpose is shown with the system dialog",
                permission=info.name,
                reason="VERIFY_PURPOSE_NOTICE",
                permission_class=cls,
                pi_category=info.pi_category,
            )
        )
    return outcomes
