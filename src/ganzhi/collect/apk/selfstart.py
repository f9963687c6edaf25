"""自启动 (self-start): the ways an app or its SDKs get the system to start them without the user.

Static signals (reference/app-analysis.md §4.2.5): receivers for boot and other system events,
JobService / SyncAdapter / AccountAuthenticator services (keep-alive vectors), calls that schedule
work (AlarmManager, JobScheduler, WorkManager), and services whose `onStartCommand` returns
START_STICKY (1), which makes the system restart them after they are killed. The collector records
every such signal with its owner; which actions count as unjustified is the check's param.
"""

from __future__ import annotations

from collections.abc import Iterable

from ganzhi.collect.apk.attribution import Attributor
from ganzhi.collect.apk.binary import FormatError
from ganzhi.collect.apk.callsites import CallSite
from ganzhi.collect.apk.dexset import DexSet, MethodRef
from ganzhi.collect.apk.pi_apis import split_api
from ganzhi.evidence.apk import ApkStatic, SelfStart, SelfStartKind

_A = "android.intent.action."
SYSTEM_EVENT_ACTIONS = frozenset(
    {
        _A + "BOOT_COMPLETED",
        _A + "LOCKED_BOOT_COMPLETED",
        _A + "QUICKBOOT_POWERON",
        "com.htc.intent.action.QUICKBOOT_POWERON",
        _A + "MY_PACKAGE_REPLACED",
        _A + "USER_PRESENT",
        _A + "USER_UNLOCKED",
        "android.net.conn.CONNECTIVITY_CHANGE",
        "android.net.wifi.STATE_CHANGE",
        "android.net.wifi.WIFI_STATE_CHANGED",
        _A + "ACTION_POWER_CONNECTED",
        _A + "ACTION_POWER_DISCONNECTED",
        _A + "BATTERY_CHANGED",
        _A + "BATTERY_LOW",
        _A + "BATTERY_OKAY",
        _A + "PACKAGE_ADDED",
        _A + "PACKAGE_REMOVED",
        _A + "PACKAGE_REPLACED",
        _A + "PACKAGE_CHANGED",
        _A + "PACKAGE_RESTARTED",
        _A + "TIME_SET",
        _A + "TIMEZONE_CHANGED",
        _A + "DATE_CHANGED",
        _A + "TIME_TICK",
        _A + "SCREEN_ON",
        _A + "SCREEN_OFF",
        _A + "MEDIA_MOUNTED",
        _A + "NEW_OUTGOING_CALL",
        _A + "PHONE_STATE",
        _A + "ACTION_SHUTDOWN",
        _A + "HEADSET_PLUG",
        _A + "AIRPLANE_MODE",
        "android.provider.Telephony.SMS_RECEIVED",
        "android.bluetooth.device.action.ACL_CONNECTED",
        "android.bluetooth.device.action.ACL_DISCONNECTED",
        "android.bluetooth.adapter.action.STATE_CHANGED",
    }
)
SCHEDULER_APIS: dict[str, frozenset[str]] = {
    "Landroid/app/AlarmManager;": frozenset(
        {"set", "setRepeating", "setExact", "setExactAndAllowWhileIdle", "setInexactRepeating", "setAndAllowWhileIdle"}
    ),
    "Landroid/app/job/JobScheduler;": frozenset({"schedule", "enqueue"}),
    "Landroidx/work/WorkManager;": frozenset({"enqueue", "enqueueUniqueWork", "enqueueUniquePeriodicWork"}),
}
ON_START_COMMAND = "onStartCommand(Landroid/content/Intent;II)I"
START_STICKY = 1
_SERVICE_ACTIONS: dict[str, SelfStartKind] = {
    "android.content.SyncAdapter": "sync_adapter",
    "android.accounts.AccountAuthenticator": "account_authenticator",
}


def _receivers(static: ApkStatic, who: Attributor) -> Iterable[SelfStart]:
    for comp in static.components:
        if comp.kind != "receiver" or not comp.enabled:
            continue
        actions = [a for f in comp.intent_filters for a in f.actions if a in SYSTEM_EVENT_ACTIONS]
        if actions:
            owner, sdk = who.component_owner(comp.name)
            yield SelfStart(
                kind="system_event_receiver",
                component=comp.name,
                actions=list(dict.fromkeys(actions)),
                owner=owner,
                sdk_id=sdk,
            )


def _services(static: ApkStatic, who: Attributor, dexset: DexSet | None, problems: list[str]) -> Iterable[SelfStart]:
    for comp in static.components:
        if comp.kind != "service" or not comp.enabled:
            continue
        owner, sdk = who.component_owner(comp.name)
        actions = [a for f in comp.intent_filters for a in f.actions]
        if comp.permission == "android.permission.BIND_JOB_SERVICE":
            yield SelfStart(kind="job_service", component=comp.name, actions=actions, owner=owner, sdk_id=sdk)
        for action, kind in _SERVICE_ACTIONS.items():
            if action in actions:
                yield SelfStart(kind=kind, component=comp.name, actions=[action], owner=owner, sdk_id=sdk)
        if dexset is not None and _is_sticky(dexset, comp.name, problems):
            yield SelfStart(
                kind="sticky_service",
                component=comp.name,
                actions=actions,
                caller_method=ON_START_COMMAND,
                owner=owner,
                sdk_id=sdk,
            )


def _is_sticky(dexset: DexSet, name: str, problems: list[str]) -> bool:
    """True when the service's own (or inherited app) onStartCommand returns START_STICKY."""
    found = dexset.resolve(MethodRef("L" + name.replace(".", "/") + ";", ON_START_COMMAND))
    if found is None or not found[2]:
        return False
    info, _idx, code_off = found
    try:
        return START_STICKY in dexset.decode(info.dex, code_off).returned_constants
    except FormatError as exc:
        problems.append(f"{name}.onStartCommand: {exc}")
        return False


def _scheduler_calls(sites: Iterable[CallSite], who: Attributor) -> Iterable[SelfStart]:
    seen: set[tuple[str, str, str]] = set()
    for site in sites:
        cls, name = split_api(site.api)
        if name not in SCHEDULER_APIS.get(cls, ()):
            continue
        key = (site.api, site.caller_class, site.caller_method)
        if key in seen:
            continue
        seen.add(key)
        owner, sdk = who.owner(site.caller_class)
        yield SelfStart(
            kind="scheduler_call",
            component=site.caller_class,
            api=site.api,
            caller_method=site.caller_method,
            owner=owner,
            sdk_id=sdk,
        )


def find_self_start(
    static: ApkStatic, sites: Iterable[CallSite], who: Attributor, dexset: DexSet | None, problems: list[str]
) -> list[SelfStart]:
    """Every self-start signal of the APK, manifest ones first."""
    return [*_receivers(static, who), *_services(static, who, dexset, problems), *_scheduler_calls(sites, who)]
