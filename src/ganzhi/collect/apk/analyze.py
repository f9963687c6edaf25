"""Full static analysis of one APK: read it, then derive what the T3/T6/T7/T11 checks need.

`read_apk` gives manifest, signers, DEX stats and PI/start API call sites; this module adds the
permission sensitivity, the SDK inventory, the owner (app or SDK) of every call, 自启动, 关联启动,
the before-consent call graph and packers, and returns one `apk_static` payload. DEX bytes are
kept only while the call graph runs and released before returning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ganzhi.collect.apk.assocstart import find_associated_start
from ganzhi.collect.apk.attribution import Attributor
from ganzhi.collect.apk.callgraph import reachable_pi_calls
from ganzhi.collect.apk.callsites import CallSite
from ganzhi.collect.apk.dexset import DexSet
from ganzhi.collect.apk.limits import ApkLimits
from ganzhi.collect.apk.packers import detect_packers, stub_class_candidates
from ganzhi.collect.apk.permissions import PermissionTable, classify_permissions
from ganzhi.collect.apk.pi_apis import pi_category
from ganzhi.collect.apk.reader import ApkFacts, read_apk
from ganzhi.collect.apk.sdk import SdkFacts, SdkIndex, SdkMatch, default_index, match_sdks
from ganzhi.collect.apk.selfstart import find_self_start
from ganzhi.evidence.apk import ApiCall, ApkStatic, PreConsentCall, SdkRef

ANALYSES = ("permissions", "sdks", "attribution", "self_start", "associated_start", "pre_consent", "packers")


@dataclass(frozen=True)
class AnalysisOptions:
    """Bounds and data of the derived analyses (collector safety limits, not compliance thresholds)."""

    max_graph_methods: int = 200_000
    index: SdkIndex | None = None
    permission_table: PermissionTable | None = None


def sdk_facts(static: ApkStatic, descriptors: Iterable[str]) -> SdkFacts:
    """The SDK matcher's input from the manifest and the DEX class list."""
    meta_keys = list(static.meta_data)
    for comp in static.components:
        meta_keys.extend(comp.meta_data)
    return SdkFacts(
        class_names=list(descriptors),
        components=[(c.kind, c.name) for c in static.components],
        native_libs=[lib for libs in static.native_libs.values() for lib in libs],
        meta_data_keys=meta_keys,
        provider_authorities=[a for c in static.components if c.kind == "provider" for a in c.authorities],
    )


def sdk_ref(match: SdkMatch) -> SdkRef:
    """Condense an inventory match for evidence."""
    return SdkRef(
        id=match.id,
        name=match.name,
        vendor=match.vendor,
        category=match.category,
        confidence=match.confidence,
        matched_by=[f"{e.kind}:{e.value}" for e in match.matched_by][:10],
        purpose=match.purpose,
        pi_collected=sorted(match.pi_collected),
        privacy_policy_url=match.privacy_policy_url,
    )


def _attributed_calls(calls: list[ApiCall], sites: list[CallSite], who: Attributor) -> list[ApiCall]:
    strings: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for site in sites:
        strings.setdefault((site.api, site.caller_class, site.caller_method), site.strings)
    out = []
    for call in calls:
        owner, sdk = who.owner(call.caller_class)
        category = pi_category(call.api, strings.get((call.api, call.caller_class, call.caller_method), ()))
        out.append(call.model_copy(update={"owner": owner, "sdk_id": sdk, "pi_category": category}))
    return out


def analyse_facts(facts: ApkFacts, options: AnalysisOptions | None = None) -> ApkStatic:
    """Derive every analysis from facts read with `keep_dex=True`; returns the enriched payload."""
    options = options or AnalysisOptions()
    static = facts.static
    problems = list(static.problems)
    index = options.index or default_index()
    who = Attributor(index, static.package)
    descriptors = [d for names in facts.class_descriptors for d in names]
    matches = match_sdks(sdk_facts(static, descriptors), index)
    dexset = DexSet(facts.dex_files, facts.class_descriptors)
    walk = reachable_pi_calls(static, dexset, max_methods=options.max_graph_methods)
    problems.extend(walk.problems)
    pre_consent = []
    for reach in walk.reaches:
        owner, sdk = who.owner(reach.caller_class)
        pre_consent.append(
            PreConsentCall(
                entry=str(reach.entry.method),
                entry_kind=reach.entry.kind,
                api=reach.api,
                pi_category=reach.pi_category,
                path=list(reach.path),
                caller_class=reach.caller_class,
                owner=owner,
                sdk_id=sdk,
            )
        )
    stubs = stub_class_candidates(descriptors)
    if static.application_class:
        stubs.append(static.application_class)
    libs = [lib for names in static.native_libs.values() for lib in names]
    update = {
        "api_calls": _attributed_calls(static.api_calls, facts.call_sites, who),
        "permission_info": classify_permissions(static.permissions, options.permission_table),
        "sdks": [sdk_ref(m) for m in matches],
        "self_start": find_self_start(static, facts.call_sites, who, dexset, problems),
        "associated_start": find_associated_start(
            static, facts.call_sites, who, {m.id for m in matches if m.category == "push"}
        ),
        "pre_consent": pre_consent,
        "packers": detect_packers(libs, stubs, facts.entry_names),
        "analyses": list(ANALYSES),
        "problems": problems,
    }
    return static.model_copy(update=update)


def analyze_apk(
    path: Path | str, *, limits: ApkLimits | None = None, options: AnalysisOptions | None = None
) -> ApkFacts:
    """Read and fully analyze one APK; the returned facts hold no DEX bytes."""
    facts = read_apk(path, limits=limits, keep_dex=True)
    try:
        facts.static = analyse_facts(facts, options)
    finally:
        facts.release()
    return facts
