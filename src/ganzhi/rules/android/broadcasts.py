"""Which system broadcasts still reach a receiver declared in the manifest, by the app's targetSdk.

Why: a receiver that listens for a broadcast Android no longer delivers to manifest receivers cannot start
the app. Android 7 (API 24) stopped delivering CONNECTIVITY_CHANGE to manifest receivers of apps targeting
it; Android 8 (API 26) stopped delivering implicit broadcasts to them except a published exemption list
(developer.android.com/guide/components/broadcast-exceptions: boot, locale, time zone, USB, SMS, accounts,
package data cleared / fully removed, media mounts, ...). These are platform facts, not compliance
thresholds; a device on an older Android still delivers them, which the check says.
"""

from __future__ import annotations

#: targetSdk from which a manifest receiver no longer gets the broadcast on a current Android.
_STOPPED_AT = {"android.net.conn.CONNECTIVITY_CHANGE": 24}
#: Implicit broadcasts Android 8+ still delivers to manifest receivers (the exemption list, abridged to the
#: ones that can start an app in the background).
IMPLICIT_EXEMPT = frozenset(
    {
        "android.intent.action.BOOT_COMPLETED",
        "android.intent.action.LOCKED_BOOT_COMPLETED",
        "android.intent.action.USER_INITIALIZE",
        "android.intent.action.USER_ADDED",
        "android.intent.action.USER_REMOVED",
        "android.intent.action.TIME_SET",
        "android.intent.action.TIMEZONE_CHANGED",
        "android.app.action.NEXT_ALARM_CLOCK_CHANGED",
        "android.intent.action.LOCALE_CHANGED",
        "android.hardware.usb.action.USB_ACCESSORY_ATTACHED",
        "android.hardware.usb.action.USB_ACCESSORY_DETACHED",
        "android.hardware.usb.action.USB_DEVICE_ATTACHED",
        "android.hardware.usb.action.USB_DEVICE_DETACHED",
        "android.bluetooth.headset.profile.action.CONNECTION_STATE_CHANGED",
        "android.bluetooth.a2dp.profile.action.CONNECTION_STATE_CHANGED",
        "android.bluetooth.device.action.ACL_CONNECTED",
        "android.bluetooth.device.action.ACL_DISCONNECTED",
        "android.telephony.action.CARRIER_CONFIG_CHANGED",
        "android.intent.action.PHONE_STATE",
        "android.intent.action.NEW_OUTGOING_CALL",
        "android.accounts.LOGIN_ACCOUNTS_CHANGED",
        "android.accounts.action.ACCOUNT_REMOVED",
        "android.intent.action.PACKAGE_DATA_CLEARED",
        "android.intent.action.PACKAGE_FULLY_REMOVED",
        "android.provider.Telephony.SMS_RECEIVED",
        "android.provider.Telephony.WAP_PUSH_RECEIVED",
        "android.intent.action.MEDIA_MOUNTED",
        "android.intent.action.MEDIA_CHECKING",
        "android.intent.action.MEDIA_UNMOUNTED",
        "android.intent.action.MEDIA_EJECT",
        "android.intent.action.MEDIA_UNMOUNTABLE",
        "android.intent.action.MEDIA_REMOVED",
        "android.intent.action.MEDIA_BAD_REMOVAL",
        "android.intent.action.MY_PACKAGE_REPLACED",
    }
)
IMPLICIT_LIMIT_SDK = 26
#: The Android release of each API level a limit above starts at.
_RELEASES = {24: "7.0", 26: "8.0"}


def release(api_level: int) -> str:
    """The Android release an API level names ("8.0" for 26), for messages."""
    return _RELEASES.get(api_level, f"API {api_level}")


def stopped_at(action: str) -> int | None:
    """The targetSdk from which Android stops delivering `action` to manifest receivers (None: never)."""
    if action in _STOPPED_AT:
        return _STOPPED_AT[action]
    if action.startswith("android.") and action not in IMPLICIT_EXEMPT:
        return IMPLICIT_LIMIT_SDK
    return None


def reaches_manifest_receiver(action: str, target_sdk: int | None) -> bool:
    """True when a current Android still delivers the system broadcast to a manifest receiver of the app.

    An unknown targetSdk counts as delivered (the old behaviour applies to apps that do not declare one).
    """
    limit = stopped_at(action)
    return limit is None or target_sdk is None or target_sdk < limit
