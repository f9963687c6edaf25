"""自启动 (self-start): the ways an app or its SDKs get the system to start them without the user.

Static signals (reference/app-analysis.md §4.2.5): receivers for boot and other system events,
JobService / SyncAdapter / AccountAuthenticator services (keep-alive vectors), calls that schedule
work (AlarmManager, JobScheduler, WorkManager), and services whose `onStartCommand` returns
START_STICKY (1), which makes the system restart them after they are killed. The collector records
every such signal with its owner; which actions count as unjustified is the check's param.
"""

from __future__ import annotations

from collections.abc import Iterable

from ganzhi.collect.apk.api_table import MAX_LEVEL, default_api_table
from ganzhi.collect.apk.assocstart import PUSH_WAKEUP_MARKERS
from ganzhi.collect.apk.attribution import Attributor
from ganzhi.collect.apk.binary import FormatError
from ganzhi.collect.apk.callsites import CallSite
from ganzhi.collect.apk.dexset import DexSet, MethodRef
from ganzhi.collect.apk.pi_apis import split_api
from ganzhi.evidence.apk import ApkStatic, Origin, SelfStart, SelfStartKind

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
#: Scheduling APIs (the derived table's "schedule" family, without PendingIntent factories, which only
#: wrap an intent) → the trigger a finding keeps.
_SCHEDULER_TRIGGER = {
    "Landroid/app/AlarmManager;": "alarm",
    "Landroid/app/job/JobScheduler;": "job",
    "Landroidx/core/app/JobIntentService;": "job",
    "Landroid/support/v4/app/JobIntentService;": "job",
    "Landroidx/work/WorkManager;": "work",
    "Landroidx/work/WorkContinuation;": "work",
}
SCHEDULER_APIS: dict[str, frozenset[str]] = {
    cls: frozenset(name for (c, name) in default_api_table().available_at(MAX_LEVEL, "schedule") if c == cls)
    for cls in _SCHEDULER_TRIGGER
}
#: System event action → the trigger name findings keep (other actions keep their own short name).
ACTION_TRIGGERS = {
    _A + "BOOT_COMPLETED": "boot",
    _A + "LOCKED_BOOT_COMPLETED": "boot",
    _A + "QUICKBOOT_POWERON": "boot",
    "com.htc.intent.action.QUICKBOOT_POWERON": "boot",
    _A + "MY_PACKAGE_REPLACED": "package_replaced",
    _A + "PACKAGE_REPLACED": "package_replaced",
    _A + "PACKAGE_ADDED": "package_added",
    _A + "PACKAGE_REMOVED": "package_removed",
    "android.net.conn.CONNECTIVITY_CHANGE": "connectivity",
    "android.net.wifi.STATE_CHANGE": "connectivity",
    "android.net.wifi.WIFI_STATE_CHANGED": "connectivity",
    _A + "USER_PRESENT": "unlock",
    _A + "USER_UNLOCKED": "unlock",
    _A + "SCREEN_ON": "screen",
    _A + "SCREEN_OFF": "screen",
}


def action_trigger(action: str) -> str:
    """Short trigger name of a system event or push action."""
    if action in ACTION_TRIGGERS:
        return ACTION_TRIGGERS[action]
    if action.startswith(PUSH_WAKEUP_MARKERS):
        return "push_wakeup"
    return action.rsplit(".", 1)[-1].lower()


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
        actions = [
            a
            for f in comp.intent_filters
            for a in f.actions
            if a in SYSTEM_EVENT_ACTIONS or a.startswith(PUSH_WAKEUP_MARKERS)
        ]
        if actions:
            owner, sdk, origin = _component(who, comp.name)
            actions = list(dict.fromkeys(actions))
            yield SelfStart(
                kind="system_event_receiver",
                component=comp.name,
                actions=actions,
                owner=owner,
                sdk_id=sdk,
                origin=origin,
                triggers=list(dict.fromkeys(action_trigger(a) for a in actions)),
            )


def _component(who: Attributor, name: str) -> tuple[str, str | None, Origin]:
    """Owner of a manifest component: a library's (WorkManager's boot receiver …), an SDK's or the app's."""
    label = who.library(name)
    if label is not None:
        return label, None, "library"
    owner, sdk = who.component_owner(name)
    return owner, sdk, ("sdk" if sdk is not None else "app")


def _services(static: ApkStatic, who: Attributor, dexset: DexSet | None, problems: list[str]) -> Iterable[SelfStart]:
    for comp in static.components:
        if comp.kind != "service" or not comp.enabled:
            continue
        owner, sdk, origin = _component(who, comp.name)
        actions = [a for f in comp.intent_filters for a in f.actions]
        if comp.permission == "android.permission.BIND_JOB_SERVICE":
            yield SelfStart(
                kind="job_service",
                component=comp.name,
                actions=actions,
                owner=owner,
                sdk_id=sdk,
                origin=origin,
                triggers=["job"],
            )
        for action, kind in _SERVICE_ACTIONS.items():
            if action in actions:
                yield SelfStart(
                    kind=kind,
                    component=comp.name,
                    actions=[action],
                    owner=owner,
                    sdk_id=sdk,
                    origin=origin,
                    triggers=[kind.split("_", 1)[0]],
                )
        if dexset is not None and _is_sticky(dexset, comp.name, problems):
            yield SelfStart(
                kind="sticky_service",
                component=comp.name,
                actions=actions,
                caller_method=ON_START_COMMAND,
                owner=owner,
                sdk_id=sdk,
                origin=origin,
                triggers=["service_restart"],
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
        owner, sdk, origin = who.attribute(site.caller_class)
        yield SelfStart(
            kind="scheduler_call",
            component=site.caller_class,
            api=site.api,
            caller_method=site.caller_method,
            owner=owner,
            sdk_id=sdk,
            origin=origin,
            triggers=[_SCHEDULER_TRIGGER[cls]],
        )


def find_self_start(
    static: ApkStatic, sites: Iterable[CallSite], who: Attributor, dexset: DexSet | None, problems: list[str]
) -> list[SelfStart]:
    """Every self-start signal of the APK, manifest ones first."""
    return [*_receivers(static, who), *_services(static, who, dexset, problems), *_scheduler_calls(sites, who)]
