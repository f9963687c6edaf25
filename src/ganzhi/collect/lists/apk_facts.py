"""Turn `apk_static` evidence and the SDK inventory into `app_pi_facts` for the T6/T7 cross-checks."""

from __future__ import annotations

from ganzhi.collect.apk.sdk import SdkFacts, SdkMatch, match_sdks
from ganzhi.evidence.apk import ApkStatic
from ganzhi.evidence.pi_lists import AppPiFacts, AppPiSource, AppSdk
from ganzhi.rules.policy.pi_lexicon import (
    API_CATEGORIES,
    PERMISSION_CATEGORIES,
    SENSITIVE_PERMISSIONS,
    api_method,
    permission_short,
)


def _sdk_for(caller_class: str, sdks: list[AppSdk]) -> str | None:
    dotted = caller_class.strip("L;").replace("/", ".")
    for sdk in sdks:
        if any(dotted.startswith(prefix) for prefix in sdk.package_prefixes):
            return sdk.name
    return None


def _as_app_sdk(match: SdkMatch) -> AppSdk:
    prefixes = sorted({m.value.rstrip(".") for m in match.matched_by if m.kind == "class_prefix"})
    aliases = [a for a in (match.name_en, match.id) if a]
    return AppSdk(id=match.id, name=match.name, aliases=aliases, vendor=match.vendor, package_prefixes=prefixes)


def app_pi_facts(apk: ApkStatic, sdk_matches: list[SdkMatch] | None = None) -> AppPiFacts:
    """PI sources (permissions, API calls with SDK attribution) and SDKs of one APK."""
    if sdk_matches is None:
        classes = [f"{pkg}.X" for pkg in apk.packages]
        components = [(c.kind, c.name) for c in apk.components]
        sdk_matches = match_sdks(
            SdkFacts(class_names=classes, components=components, meta_data_keys=list(apk.meta_data))
        )
    sdks = [_as_app_sdk(m) for m in sdk_matches]
    sources: list[AppPiSource] = []
    seen: set[tuple[str, str, str | None]] = set()
    key: tuple[str, str, str | None]
    for name in apk.permission_names():
        short = permission_short(name)
        for category in PERMISSION_CATEGORIES.get(short, ()):
            key = (category, name, None)
            if key not in seen:
                seen.add(key)
                sources.append(
                    AppPiSource(
                        category=category,
                        via=name,
                        kind="permission",
                        sensitive_permission=short in SENSITIVE_PERMISSIONS,
                    )
                )
    for call in apk.api_calls:
        method = api_method(call.api)
        for category in API_CATEGORIES.get(method, ()):
            sdk = _sdk_for(call.caller_class, sdks)
            key = (category, method, sdk)
            if key not in seen:
                seen.add(key)
                sources.append(AppPiSource(category=category, via=call.api, kind="api", sdk=sdk))
    return AppPiFacts(package=apk.package, sources=sources, sdks=sdks)
