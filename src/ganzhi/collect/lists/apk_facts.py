"""Turn `apk_static` evidence and the SDK inventory into `app_pi_facts` for the T6/T7 cross-checks."""

from __future__ import annotations

from typing import get_args

from ganzhi.collect.apk.sdk import MatchEvidence, SdkFacts, SdkMatch, match_sdks
from ganzhi.collect.apk.sdk.models import MatchKind
from ganzhi.collect.apk.sdkpresence import MIN_SDK_CLASSES, counted, is_own, own_packages, presence
from ganzhi.evidence.apk import ApkStatic, SdkRef
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


#: The signature kinds an inventory match can carry (read off `MatchKind`, not kept by hand).
_MATCH_KINDS = frozenset(get_args(MatchKind))


def as_match(ref: SdkRef) -> SdkMatch:
    """The SDK inventory form of an evidence SDK (when the inventory no longer knows it by id)."""
    evidence = []
    for item in ref.matched_by:
        kind, _, value = item.partition(":")
        if kind in _MATCH_KINDS and value:
            evidence.append(MatchEvidence(kind=kind, value=value))
    return SdkMatch(
        id=ref.id,
        name=ref.name,
        vendor=ref.vendor,
        category=ref.category,
        purpose=ref.purpose,
        privacy_policy_url=ref.privacy_policy_url,
        matched_by=evidence,
        confidence=ref.confidence,
        sources=[],
    )


def _class_names(apk: ApkStatic) -> list[str]:
    """Stand-in class names per package outside the app's own, as many as presence needs to count."""
    own = own_packages(apk)
    names: list[str] = []
    for package, classes in apk.packages.items():
        if not is_own(package, own):
            names.extend(f"{package}.C{i}" for i in range(min(classes, MIN_SDK_CLASSES)))
    return names


def counted_matches(apk: ApkStatic) -> list[SdkMatch]:
    """The SDKs T6/T7 hold the app to: those whose code is present, with the inventory's full entries.

    Where the scan judged an SDK's presence its verdict stands; any other match is judged the same way from
    the evidence's package class counts: the app's own namespace is never an SDK (a vendor's demo app), and
    manifest-only ("declared") or few-class ("stub") SDKs do not count.
    """
    components = [(c.kind, c.name) for c in apk.components]
    facts = SdkFacts(class_names=_class_names(apk), components=components, meta_data_keys=list(apk.meta_data))
    matches = match_sdks(facts)
    judged = {ref.id: ref.presence for ref in apk.sdks}
    kept = [m for m in matches if judged.get(m.id, presence(m)[0]) == "code"]
    known = {m.id for m in matches}
    return kept + [as_match(ref) for ref in counted(apk.sdks) if ref.id not in known]


def app_pi_facts(apk: ApkStatic, sdk_matches: list[SdkMatch] | None = None) -> AppPiFacts:
    """PI sources (permissions, API calls with SDK attribution) and SDKs of one APK."""
    if sdk_matches is None:
        sdk_matches = counted_matches(apk)
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
