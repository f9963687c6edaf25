"""A forged APK with known self-start, associated-start, before-consent and packer ground truth."""

from __future__ import annotations

from pathlib import Path

from ganzhi.forge.apk.builder import write_apk
from ganzhi.forge.apk.spec import (
    ApkSpec,
    ClassSpec,
    ComponentSpec,
    DexSpec,
    IntentFilterSpec,
    InvokeSpec,
    ManifestSpec,
    MethodSpec,
    QueriesSpec,
)

PKG = "com.forge.demo"
GET_DEVICE_ID = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
LAST_LOCATION = (
    "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;"
)
LAUNCH = "Landroid/content/pm/PackageManager;->getLaunchIntentForPackage(Ljava/lang/String;)Landroid/content/Intent;"
SET_CLASS = "Landroid/content/Intent;->setClassName(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;"
ALARM = "Landroid/app/AlarmManager;->set(IJLandroid/app/PendingIntent;)V"
INIT = "Ljava/lang/Object;-><init>()V"
BOOT = "android.intent.action.BOOT_COMPLETED"


def _cls(
    name: str, *methods: MethodSpec, superclass: str = "java.lang.Object", interfaces: tuple[str, ...] = ()
) -> ClassSpec:
    ctor = MethodSpec("<init>", "()V", invokes=(InvokeSpec(INIT, "direct"),))
    return ClassSpec(name, superclass=superclass, interfaces=interfaces, methods=(ctor, *methods))


def demo_spec(*, packed: bool = False) -> ApkSpec:
    """App → Umeng init → getDeviceId before consent; Runnable dispatch → location; JPush boot receiver..."""
    app_classes = (
        _cls(
            f"{PKG}.App",
            MethodSpec(
                "onCreate",
                invokes=(
                    InvokeSpec("Lcom/umeng/analytics/MobclickAgent;->init()V", "static"),
                    InvokeSpec(f"L{PKG.replace('.', '/')}/Worker;-><init>()V", "direct"),
                    InvokeSpec("Ljava/lang/Thread;->start()V", "virtual"),
                ),
            ),
            superclass="android.app.Application",
        ),
        _cls(
            f"{PKG}.Worker",
            MethodSpec("run", invokes=(InvokeSpec(LAST_LOCATION, "virtual"),)),
            interfaces=("java.lang.Runnable",),
        ),
        _cls(f"{PKG}.Unreached", MethodSpec("leak", invokes=(InvokeSpec(GET_DEVICE_ID, "virtual"),))),
        _cls(
            f"{PKG}.Opener",
            MethodSpec("open", invokes=(InvokeSpec(LAUNCH, "virtual"),)),
            MethodSpec(
                "wake", invokes=(InvokeSpec(SET_CLASS, "virtual"),), strings=("com.other.app", "com.other.app.Svc")
            ),
        ),
        _cls(f"{PKG}.BootReceiver", MethodSpec("onReceive", "(Landroid/content/Context;Landroid/content/Intent;)V")),
        _cls(
            f"{PKG}.KeepService",
            MethodSpec("onStartCommand", "(Landroid/content/Intent;II)I", returns=1),
            superclass="android.app.Service",
        ),
        _cls(
            "com.umeng.analytics.MobclickAgent",
            MethodSpec("init", static=True, invokes=(InvokeSpec(GET_DEVICE_ID, "virtual"),)),
        ),
        _cls("cn.jpush.android.service.PushReceiver", MethodSpec("schedule", invokes=(InvokeSpec(ALARM, "virtual"),))),
    )
    manifest = ManifestSpec(
        package=PKG,
        target_sdk=33,
        permissions=("android.permission.READ_PHONE_STATE", "android.permission.INTERNET"),
        application_name=f"{PKG}.App",
        components=(
            ComponentSpec(
                "receiver", f"{PKG}.BootReceiver", exported=True, intent_filters=(IntentFilterSpec(actions=(BOOT,)),)
            ),
            ComponentSpec(
                "receiver",
                "cn.jpush.android.service.PushReceiver",
                exported=False,
                intent_filters=(IntentFilterSpec(actions=("android.intent.action.USER_PRESENT", BOOT)),),
            ),
            ComponentSpec("service", f"{PKG}.KeepService", exported=False),
        ),
        queries=QueriesSpec(packages=("com.tencent.mm",)),
    )
    libs: dict[str, tuple[str, ...]] = {"arm64-v8a": ("libjiagu_a64.so",)} if packed else {}
    return ApkSpec(manifest=manifest, dex=(DexSpec(app_classes[:4]), DexSpec(app_classes[4:])), native_libs=libs)


def write_demo(tmp: Path, *, packed: bool = False, name: str = "demo.apk") -> Path:
    """Write the demo APK under `tmp`."""
    return write_apk(demo_spec(packed=packed), tmp / name)
