"""SDK precision: the app's own namespace is never an SDK, and an SDK without code behind it is only declared.

Why: a vendor's demo app sits under the vendor's namespace (`cn.jiguang.jmlinkdemo`) without holding the
vendor's SDK; manifest entries can name an SDK whose code is absent; push channels ship a handful of stub
classes. Each SDK is reported with the number of its classes found in the DEX (own packages excluded) and
a presence: "code" (at least `MIN_SDK_CLASSES`), "stub" (fewer) or "declared" (none: manifest, native or
meta-data only). Stub and declared SDKs get low confidence and do not count in T7's list cross-check.
The version is reported where the SDK's own code states it (`sdk_version`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

from ganzhi.collect.apk.binary import FormatError
from ganzhi.collect.apk.dexset import DexSet, MethodRef
from ganzhi.collect.apk.sdk import SdkMatch
from ganzhi.evidence.apk import ApkStatic, SdkPresence, SdkRef

#: Classes an SDK needs in the DEX to count as present code (configurable default; the cn truth set
#: counts a vendor from 5 classes).
MIN_SDK_CLASSES = 5
_CODE_KINDS = ("class_prefix", "exodus_regex")


def own_packages(static: ApkStatic) -> list[str]:
    """The app's own namespaces: the manifest package and the packages of its launcher activities."""
    found = [static.package]
    for name in static.launcher_activities:
        package = name.rpartition(".")[0]
        if package:
            found.append(package)
    return [p for p in dict.fromkeys(found) if p]


def is_own(descriptor: str, own: Sequence[str]) -> bool:
    """True when a class (descriptor or dotted) sits in one of the app's own packages."""
    name = descriptor[1:-1].replace("/", ".") if descriptor.startswith("L") and descriptor.endswith(";") else descriptor
    return any(name == p or name.startswith(p + ".") for p in own)


def without_own(descriptors: Iterable[str], own: Sequence[str]) -> list[str]:
    """Class names outside the app's own packages (what the SDK matcher may see)."""
    return [d for d in descriptors if not is_own(d, own)]


def presence(match: SdkMatch, min_classes: int = MIN_SDK_CLASSES) -> tuple[SdkPresence, int]:
    """Presence of one matched SDK and the number of its classes."""
    classes = sum(e.count for e in match.matched_by if e.kind in _CODE_KINDS)
    if classes >= min_classes:
        return "code", classes
    return ("stub" if classes else "declared"), classes


def sdk_ref(match: SdkMatch, min_classes: int = MIN_SDK_CLASSES) -> SdkRef:
    """Condense an inventory match for evidence, with its presence (stub/declared → low confidence)."""
    state, classes = presence(match, min_classes)
    return SdkRef(
        id=match.id,
        name=match.name,
        vendor=match.vendor,
        category=match.category,
        confidence=match.confidence if state == "code" else "low",
        matched_by=[f"{e.kind}:{e.value}" for e in match.matched_by][:10],
        purpose=match.purpose,
        pi_collected=sorted(match.pi_collected),
        privacy_policy_url=match.privacy_policy_url,
        presence=state,
        classes=classes,
    )


def sdk_refs(matches: Iterable[SdkMatch], min_classes: int = MIN_SDK_CLASSES) -> list[SdkRef]:
    """Every match condensed; SDKs with code first."""
    refs = [sdk_ref(m, min_classes) for m in matches]
    order = {"code": 0, "stub": 1, "declared": 2}
    return sorted(refs, key=lambda r: order[r.presence])


def counted(refs: Iterable[SdkRef]) -> list[SdkRef]:
    """SDKs whose code is present: the ones T7's list cross-check holds the app to."""
    return [r for r in refs if r.presence == "code"]


#: A version string as SDKs state it ("4.3.5.9", "6.2.0-beta", "V3.3.12.0").
_VERSION = re.compile(r"^[vV]?\d{1,3}(\.\d{1,4}){1,3}([-_.][A-Za-z0-9]{1,12})?$")
#: Public methods that give an SDK's version (obfuscated SDKs keep them: they are public API).
VERSION_METHODS = (
    "getVersion",
    "getSdkVersion",
    "getSDKVersion",
    "getVersionName",
    "getSdkVersionName",
    "getSDKVersionName",
    "getLibVersion",
    "getAgentVersion",
    "getVersionString",
    "getPluginVersion",
)
_STRING_RETURN = ")Ljava/lang/String;"
#: Candidate methods decoded per SDK (bound on the search).
MAX_VERSION_METHODS = 40


def _version_methods(dexset: DexSet, slashed: tuple[str, ...]) -> list[MethodRef]:
    """String-returning version getters defined under the SDK's packages, found through the method-id table
    (a binary search per name, no class parsed), so the cost does not grow with the SDK's size."""
    found: list[MethodRef] = []
    for dex in dexset.dexes:
        for name in VERSION_METHODS:
            idx = dex.find_string(name)
            if idx is None:
                continue
            for row in np.flatnonzero(dex.method_name == idx).tolist():
                cls = dex.type_name(int(dex.method_class[row]))
                name_proto = dex.method_name_proto(int(row))
                if cls.startswith(slashed) and name_proto.endswith(_STRING_RETURN) and dexset.defines(cls):
                    found.append(MethodRef(cls, name_proto))
                if len(found) >= MAX_VERSION_METHODS:
                    return found
    return found


def sdk_version(dexset: DexSet, descriptors: Iterable[str], prefixes: Sequence[str]) -> str | None:
    """The version an SDK's code states: a version-looking const-string in one of its `getVersion()`-like
    String methods, else in the `<clinit>` of a class named for it (`…Version`, `BuildConfig`)."""
    slashed = tuple("L" + p.replace(".", "/").rstrip("/") + "/" for p in prefixes if p)
    if not slashed:
        return None
    refs = _version_methods(dexset, slashed)
    holders = [
        d
        for d in descriptors
        if d.startswith(slashed) and ("Version" in d.rsplit("/", 1)[-1] or d.endswith("/BuildConfig;"))
    ]
    refs += [MethodRef(d, "<clinit>()V") for d in holders[:MAX_VERSION_METHODS]]
    for ref in refs[: 2 * MAX_VERSION_METHODS]:
        found = dexset.resolve(ref)
        if found is None or not found[2]:
            continue
        try:
            strings = dexset.decode(found[0].dex, found[2]).strings
        except FormatError:
            continue
        for text in strings:
            if _VERSION.match(text):
                return text
    return None


def with_versions(refs: list[SdkRef], dexset: DexSet, descriptors: Sequence[str]) -> list[SdkRef]:
    """SDK refs with the version their code states (SDKs with code only)."""
    out = []
    for ref in refs:
        prefixes = [m.split(":", 1)[1] for m in ref.matched_by if m.startswith("class_prefix:")]
        version = sdk_version(dexset, descriptors, prefixes) if ref.presence == "code" else None
        out.append(ref.model_copy(update={"version": version}) if version else ref)
    return out
