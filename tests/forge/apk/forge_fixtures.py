"""Shared forged-APK specs with known ground truth for the APK reader and forge tests."""

from __future__ import annotations

from ganzhi.forge.apk.spec import (
    ApkSpec,
    ClassSpec,
    ComponentSpec,
    DataSpec,
    DexSpec,
    IntentFilterSpec,
    InvokeSpec,
    ManifestSpec,
    MethodSpec,
    QueriesSpec,
)

GET_APPS = "Landroid/content/pm/PackageManager;->getInstalledApplications(I)Ljava/util/List;"
LAST_LOC = "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;"
DEVICE_ID = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
WIDE_STATIC = "Lcom/example/app/Util;->wide(JJJ)J"
OBJECT_INIT = "Ljava/lang/Object;-><init>()V"
BOOT = "android.intent.action.BOOT_COMPLETED"


def sample_manifest(target_sdk: int = 30) -> ManifestSpec:
    """A manifest exercising every fact the reader extracts."""
    return ManifestSpec(
        package="com.example.app",
        version_code=42,
        version_name="4.2.0",
        min_sdk=21,
        target_sdk=target_sdk,
        permissions=(
            "android.permission.INTERNET",
            "android.permission.READ_PHONE_STATE",
            "android.permission.RECEIVE_BOOT_COMPLETED",
        ),
        permissions_sdk23=("android.permission.ACCESS_FINE_LOCATION",),
        application_name=".App",
        meta_data=(("UMENG_APPKEY", "5f0000000000000000000001"), ("UMENG_CHANNEL", "huawei")),
        components=(
            ComponentSpec(
                "activity",
                ".Main",
                exported=True,
                intent_filters=(
                    IntentFilterSpec(
                        actions=("android.intent.action.MAIN",), categories=("android.intent.category.LAUNCHER",)
                    ),
                ),
            ),
            ComponentSpec(
                "activity",
                "Detail",
                intent_filters=(
                    IntentFilterSpec(
                        actions=("android.intent.action.VIEW",),
                        categories=("android.intent.category.DEFAULT",),
                        data=(DataSpec(scheme="https", host="example.com", path="/item"),),
                    ),
                ),
            ),
            ComponentSpec(
                "receiver",
                "com.example.app.BootReceiver",
                intent_filters=(IntentFilterSpec(actions=(BOOT,), priority=1000),),
            ),
            ComponentSpec(
                "service",
                "com.igexin.sdk.PushService",
                exported=True,
                process=":pushservice",
                meta_data=(("channel", "getui"),),
            ),
            ComponentSpec("provider", ".data.Provider", authorities="com.example.app.data;com.example.app.alt"),
        ),
        queries=QueriesSpec(
            packages=("com.tencent.mm", "com.eg.android.AlipayGphone"),
            intents=(
                IntentFilterSpec(actions=("android.intent.action.SEND",), data=(DataSpec(mime_type="text/plain"),)),
            ),
            providers=("com.other.provider",),
        ),
    )


def sample_dex(sdk_classes: int = 1) -> tuple[DexSpec, DexSpec]:
    """Two DEX files with planted call sites (ground truth in `SAMPLE_CALLS`).

    `sdk_classes`: classes of the Getui SDK in the second DEX (one is a stub; five or more are its code).
    """
    first = DexSpec(
        classes=(
            ClassSpec(
                "com.example.app.App",
                superclass="android.app.Application",
                methods=(
                    MethodSpec(
                        "<init>", "()V", invokes=(InvokeSpec("Landroid/app/Application;-><init>()V", "direct"),)
                    ),
                    MethodSpec("onCreate", "()V", invokes=(InvokeSpec(DEVICE_ID), InvokeSpec(WIDE_STATIC, "static"))),
                ),
            ),
            ClassSpec(
                "com.example.app.Main",
                superclass="android.app.Activity",
                interfaces=("java.lang.Runnable",),
                methods=(
                    MethodSpec("<init>", "()V", invokes=(InvokeSpec("Landroid/app/Activity;-><init>()V", "direct"),)),
                    MethodSpec(
                        "run", "()V", invokes=(InvokeSpec(GET_APPS), InvokeSpec(GET_APPS)), strings=("com.tencent.mm",)
                    ),
                    MethodSpec("count", "()I"),
                ),
            ),
            ClassSpec(
                "com.example.app.Util",
                methods=(
                    MethodSpec("wide", "(JJJ)J", static=True),
                    MethodSpec(
                        "helper",
                        "(Ljava/lang/String;)Ljava/lang/Object;",
                        private=True,
                        invokes=(InvokeSpec(LAST_LOC),),
                    ),
                ),
            ),
            ClassSpec("com.example.app.Sub", superclass="com.example.app.Main"),
        )
    )
    second = DexSpec(
        classes=(
            ClassSpec(
                "com.igexin.sdk.PushService",
                superclass="android.app.Service",
                methods=(
                    MethodSpec("<init>", "()V", invokes=(InvokeSpec("Landroid/app/Service;-><init>()V", "direct"),)),
                    MethodSpec("onCreate", "()V", invokes=(InvokeSpec(DEVICE_ID), InvokeSpec(LAST_LOC))),
                ),
            ),
            *(ClassSpec(f"com.igexin.sdk.PushHelper{i}") for i in range(1, sdk_classes)),
        )
    )
    return first, second


#: (api, caller class, caller method, count) planted by `sample_dex`.
SAMPLE_CALLS = {
    (DEVICE_ID, "com.example.app.App", "onCreate()V", 1),
    (GET_APPS, "com.example.app.Main", "run()V", 2),
    (LAST_LOC, "com.example.app.Util", "helper(Ljava/lang/String;)Ljava/lang/Object;", 1),
    (DEVICE_ID, "com.igexin.sdk.PushService", "onCreate()V", 1),
    (LAST_LOC, "com.igexin.sdk.PushService", "onCreate()V", 1),
}


def sample_apk(sdk_classes: int = 1) -> ApkSpec:
    """The full sample APK: manifest, two DEX files, native libs and an asset."""
    return ApkSpec(
        manifest=sample_manifest(),
        dex=sample_dex(sdk_classes),
        native_libs={"arm64-v8a": ("libjiagu.so", "libapp.so"), "armeabi-v7a": ("libapp.so",)},
        files={"assets/config.json": b'{"k": 1}'},
    )
