"""Full static analysis of one APK: read it, then derive what the T3/T6/T7/T11 checks need.

`read_apk` gives manifest, signers, DEX stats and PI/start API call sites; this module adds the
permission sensitivity, the SDK inventory, the owner (app or SDK) of every call, 自启动, 关联启动,
the before-consent call graph and packers, and returns one `apk_static` payload. DEX bytes are
kept only while the call graph runs and released before returning.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ganzhi.collect.apk.api_table import ApiTable, default_api_table, table_pi_category
from ganzhi.collect.apk.assocstart import find_associated_start, with_triggers
from ganzhi.collect.apk.attribution import Attributor
from ganzhi.collect.apk.callgraph import WalkResult, reachable_pi_calls
from ganzhi.collect.apk.callsites import CallSite
from ganzhi.collect.apk.dexset import DexSet
from ganzhi.collect.apk.judge import TriggerFinder, declared_permissions, path_owner, reachable
from ganzhi.collect.apk.limits import ApkLimits
from ganzhi.collect.apk.packers import detect_packers, stub_class_candidates
from ganzhi.collect.apk.permissions import PermissionTable, classify_permissions
from ganzhi.collect.apk.reader import ApkFacts, read_apk
from ganzhi.collect.apk.sdk import SdkFacts, SdkIndex, SdkMatch, default_index, match_sdks
from ganzhi.collect.apk.sdkpresence import own_packages, sdk_refs, with_versions, without_own
from ganzhi.collect.apk.sdkpresence import sdk_ref as presence_ref
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
    """Condense an inventory match for evidence (with its presence: code, stub or declared)."""
    return presence_ref(match)


def _attributed_calls(
    calls: list[ApiCall], sites: list[CallSite], who: Attributor, table: ApiTable, held: set[str]
) -> list[ApiCall]:
    strings: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for site in sites:
        strings.setdefault((site.api, site.caller_class, site.caller_method), site.strings)
    out = []
    for call in calls:
        owner, sdk, origin = who.attribute(call.caller_class)
        category = table_pi_category(call.api, strings.get((call.api, call.caller_class, call.caller_method), ()))
        row = table.row(call.api)
        guards = sorted(row.permissions) if row is not None else []
        update = {
            "owner": owner,
            "sdk_id": sdk,
            "origin": origin,
            "pi_category": category,
            "family": row.family if row is not None else None,
            "permissions": guards,
            "reachable": reachable(guards, held),
        }
        out.append(call.model_copy(update=update))
    return out


def _pre_consent(static: ApkStatic, walk: WalkResult, who: Attributor, table: ApiTable) -> list[PreConsentCall]:
    """Every reach with the party it counts against and whether the app can use the API at all."""
    held = declared_permissions(static.permissions, static.target_sdk)
    out = []
    for reach in walk.reaches:
        counted = path_owner(reach.path, who)
        guards = sorted(table.permissions_of(reach.api))
        out.append(
            PreConsentCall(
                entry=str(reach.entry.method),
                entry_kind=reach.entry.kind,
                api=reach.api,
                pi_category=reach.pi_category,
                path=list(reach.path),
                caller_class=reach.caller_class,
                owner=counted.owner,
                sdk_id=counted.sdk_id,
                origin=counted.origin,
                via_library=counted.via_library,
                permissions=guards,
                reachable=reachable(guards, held),
            )
        )
    return out


def analyse_facts(facts: ApkFacts, options: AnalysisOptions | None = None) -> ApkStatic:
    """Derive every analysis from facts read with `keep_dex=True`; returns the enriched payload."""
    options = options or AnalysisOptions()
    static = facts.static
    problems = list(static.problems)
    index = options.index or default_index()
    who = Attributor(index, static.package)
    descriptors = [d for names in facts.class_descriptors for d in names]
    matches = match_sdks(sdk_facts(static, without_own(descriptors, own_packages(static))), index)
    dexset = DexSet(facts.dex_files, facts.class_descriptors)
    walk = reachable_pi_calls(static, dexset, max_methods=options.max_graph_methods)
    problems.extend(walk.problems)
    table = default_api_table()
    pre_consent = _pre_consent(static, walk, who, table)
    finder = TriggerFinder(static, facts.dex_files, dexset=dexset)
    associated = with_triggers(
        find_associated_start(static, facts.call_sites, who, {m.id for m in matches if m.category == "push"}),
        finder,
    )
    problems.extend(finder.problems)
    held = declared_permissions(static.permissions, static.target_sdk)
    stubs = stub_class_candidates(descriptors)
    if static.application_class:
        stubs.append(static.application_class)
    libs = [lib for names in static.native_libs.values() for lib in names]
    update = {
        "api_calls": _attributed_calls(static.api_calls, facts.call_sites, who, table, held),
        "permission_info": classify_permissions(static.permissions, options.permission_table),
        "sdks": with_versions(sdk_refs(matches), dexset, descriptors),
        "self_start": find_self_start(static, facts.call_sites, who, dexset, problems),
        "associated_start": associated,
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
    with paused_gc():
        facts = read_apk(path, limits=limits, keep_dex=True)
        try:
            facts.static = analyse_facts(facts, options)
        finally:
            facts.release()
    return facts


@contextmanager
def paused_gc() -> Iterator[None]:
    """Keep the cyclic garbage collector off while an analysis runs.

    The analysis allocates tens of thousands of small, acyclic, long-lived objects (names, refs,
    plans); each allocation burst makes the collector traverse the whole heap (pydantic models,
    the SDK index) again, which cost a fifth of the run while finding nothing to free. Reference
    counting still frees everything; the collector runs again as soon as the analysis ends.
    Nested or concurrent pauses leave the collector as the outermost caller found it.
    """
    with _PAUSE_LOCK:
        if _PAUSE["depth"] == 0:
            _PAUSE["was_enabled"] = gc.isenabled()
            gc.disable()
        _PAUSE["depth"] += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _PAUSE["depth"] -= 1
            if _PAUSE["depth"] == 0 and _PAUSE["was_enabled"]:
                gc.enable()


_PAUSE_LOCK = threading.Lock()
_PAUSE = {"depth": 0, "was_enabled": True}  # nesting depth of `paused_gc`; the collector's state before it
