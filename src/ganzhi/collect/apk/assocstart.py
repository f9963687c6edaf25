"""关联启动 (associated start): code and declarations that start, bind or wake other apps.

Signals (reference/app-analysis.md §4.2.6): `getLaunchIntentForPackage`; explicit intents
(`setComponent`/`setClassName`/`setPackage`, `startActivity`/`startService`/`bindService`) whose
calling method holds another app's package name; ContentResolver calls on another app's
authority; broadcasts carrying push-SDK wake-up actions; exported push-SDK services with intent
filters (cross-app wake-up targets); and `<queries>` package declarations. Target strings are the
const-strings of the calling method, the best a static reader can see of the intent's target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ganzhi.collect.apk.attribution import Attributor
from ganzhi.collect.apk.callsites import CallSite
from ganzhi.collect.apk.judge import TriggerFinder
from ganzhi.collect.apk.pi_apis import split_api
from ganzhi.evidence.apk import ApkStatic, AssociatedStart, AssociatedStartKind

_PACKAGE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)+$")
_NOT_PACKAGE = re.compile(
    r"\.(action|intent|permission|category|extra|provider)\.|\.(java|class|so|xml|json|png|html)$"
)
_SYSTEM_AUTHORITIES = re.compile(
    r"^(settings|media|telephony|sms|mms|mms-sms|call_log|contacts|com\.android\.[a-z.]+|downloads|user_dictionary|"
    r"icc|browser|com\.google\.android\.[a-z.]+)$"
)
PUSH_WAKEUP_MARKERS = (
    "cn.jpush.android.intent",
    "com.igexin.sdk.action",
    "com.getui",
    "com.xiaomi.mipush",
    "org.agoo.android.intent",
    "com.taobao.accs.intent",
    "com.tencent.android.tpush.action",
    "com.baidu.android.pushservice.action",
    "com.umeng.message.",
    "com.huawei.android.push.intent",
)
_CONTEXTS = ("Landroid/content/Context;", "Landroid/content/ContextWrapper;", "Landroid/app/Activity;")
_LAUNCH = {("Landroid/content/pm/PackageManager;", "getLaunchIntentForPackage")}
_EXPLICIT = {
    ("Landroid/content/Intent;", "setComponent"),
    ("Landroid/content/Intent;", "setClassName"),
    ("Landroid/content/Intent;", "setPackage"),
    ("Landroid/content/ComponentName;", "<init>"),
    ("Landroid/app/Activity;", "startActivityForResult"),
    *((c, m) for c in _CONTEXTS for m in ("startActivity", "startActivities")),
}
_SERVICE = {
    *((c, m) for c in _CONTEXTS for m in ("startService", "startForegroundService", "bindService")),
    *((c, "bindIsolatedService") for c in _CONTEXTS),
    ("Landroidx/core/content/ContextCompat;", "startForegroundService"),
    ("Landroid/support/v4/content/ContextCompat;", "startForegroundService"),
}
_BROADCAST = {(c, m) for c in _CONTEXTS for m in ("sendBroadcast", "sendOrderedBroadcast", "sendStickyBroadcast")}
_RESOLVER = {("Landroid/content/ContentResolver;", "query"), ("Landroid/content/ContentResolver;", "call")}


def _own(name: str, own_prefixes: Sequence[str]) -> bool:
    """Own code or data: the package itself, its sub-packages and names built on it (`pkg_prefs`); compared
    without case, since an action like `a2dp.vol.service.RUNNING` of app `a2dp.Vol` is the app's own."""
    lowered = name.lower()
    return any(lowered.startswith(p.lower()) for p in own_prefixes)


def foreign_packages(strings: Iterable[str], own_prefixes: Sequence[str]) -> list[str]:
    """Strings that look like another app's package or class name."""
    out = []
    for text in strings:
        looks_like = len(text) <= 200 and _PACKAGE.match(text) and not _NOT_PACKAGE.search(text)
        system = text.startswith(("android.", "java.", "javax.", "dalvik."))
        if looks_like and not system and not _own(text, own_prefixes):
            out.append(text)
    return list(dict.fromkeys(out))


def foreign_authorities(strings: Iterable[str], own_prefixes: Sequence[str]) -> list[str]:
    """Authorities of `content://` URIs that belong neither to this app nor to the system."""
    out = []
    for text in strings:
        if text.startswith("content://"):
            authority = text[len("content://") :].split("/", 1)[0]
            if authority and not _own(authority, own_prefixes) and not _SYSTEM_AUTHORITIES.match(authority):
                out.append(authority)
    return list(dict.fromkeys(out))


def _from_calls(sites: Iterable[CallSite], who: Attributor, own: Sequence[str]) -> Iterable[AssociatedStart]:
    seen: set[tuple[str, str, str]] = set()
    for site in sites:
        key = (site.api, site.caller_class, site.caller_method)
        if key in seen:
            continue
        seen.add(key)
        api = split_api(site.api)
        kind: AssociatedStartKind | None = None
        targets: list[str] = []
        if api in _LAUNCH:
            kind, targets = "launch_intent", foreign_packages(site.strings, own)
        elif api in _EXPLICIT or api in _SERVICE:
            targets = foreign_packages(site.strings, own)
            kind = ("explicit_intent" if api in _EXPLICIT else "foreign_service") if targets else None
        elif api in _BROADCAST:
            targets = [s for s in site.strings if s.startswith(PUSH_WAKEUP_MARKERS)]
            kind = "push_wakeup" if targets else None
        elif api in _RESOLVER:
            targets = foreign_authorities(site.strings, own)
            kind = "foreign_provider" if targets else None
        if kind is None:
            continue
        owner, sdk, origin = who.attribute(site.caller_class)
        yield AssociatedStart(
            kind=kind,
            caller_class=site.caller_class,
            caller_method=site.caller_method,
            api=site.api,
            targets=targets,
            owner=owner,
            sdk_id=sdk,
            origin=origin,
        )


def _from_manifest(static: ApkStatic, who: Attributor, push_sdk_ids: set[str]) -> Iterable[AssociatedStart]:
    for comp in static.components:
        if comp.kind != "service" or not comp.exported or not comp.intent_filters:
            continue
        owner, sdk = who.component_owner(comp.name)
        if sdk is not None and sdk in push_sdk_ids:
            actions = [a for f in comp.intent_filters for a in f.actions]
            yield AssociatedStart(
                kind="push_wakeup",
                caller_class=comp.name,
                targets=actions,
                owner=owner,
                sdk_id=sdk,
                origin="sdk",
                trigger="background",
                trigger_detail="push_wakeup",
            )
    q = static.queries
    if q.packages or q.providers:
        yield AssociatedStart(
            kind="queries", caller_class=static.package, targets=[*q.packages, *q.providers], owner="app"
        )


def with_triggers(items: list[AssociatedStart], finder: TriggerFinder) -> list[AssociatedStart]:
    """Set the trigger of every call-based item (user handler, background callback or unknown)."""
    keys = [(i.caller_class, i.caller_method) for i in items if i.caller_method and i.trigger == "unknown"]
    found = finder.classify([(c, m) for c, m in keys if m is not None])
    out = []
    for item in items:
        hit = found.get((item.caller_class, item.caller_method or ""))
        if hit is not None and item.trigger == "unknown":
            out.append(item.model_copy(update={"trigger": hit[0], "trigger_detail": hit[1]}))
        else:
            out.append(item)
    return out


def find_associated_start(
    static: ApkStatic, sites: Iterable[CallSite], who: Attributor, push_sdk_ids: set[str]
) -> list[AssociatedStart]:
    """Every associated-start signal; `push_sdk_ids` are SDK ids of the push category."""
    own = [static.package]
    return [*_from_calls(sites, who, own), *_from_manifest(static, who, push_sdk_ids)]
