"""Third-party SDK inventory: our China SDK table merged with LibChecker, LibRadar and Exodus signatures.

Public API::

    match_sdks(SdkFacts(class_names=..., components=..., native_libs=..., meta_data_keys=...,
                        provider_authorities=...)) -> list[SdkMatch]
    inventory(facts) -> SdkInventory          # matches + sources_loaded + attributions
    load_index(signature_dir, cache_dir) / build_index(signature_dir) / default_index()
"""

from __future__ import annotations

from ganzhi.collect.apk.sdk.build import build_index, default_index, default_signature_dir, load_index
from ganzhi.collect.apk.sdk.exodus import EXODUS_ATTRIBUTION
from ganzhi.collect.apk.sdk.index import SdkIndex
from ganzhi.collect.apk.sdk.matcher import match_sdks
from ganzhi.collect.apk.sdk.models import MatchEvidence, SdkEntry, SdkFacts, SdkInventory, SdkMatch
from ganzhi.collect.apk.sdk.vocab import category_label


def inventory(facts: SdkFacts, index: SdkIndex | None = None) -> SdkInventory:
    """Matches of one app together with the provenance a report must show."""
    used = index if index is not None else default_index()
    return SdkInventory(
        matches=match_sdks(facts, used),
        sources_loaded=list(used.sources_loaded),
        source_errors=list(used.source_errors),
        attributions=list(used.attributions),
    )


__all__ = [
    "EXODUS_ATTRIBUTION",
    "MatchEvidence",
    "SdkEntry",
    "SdkFacts",
    "SdkIndex",
    "SdkInventory",
    "SdkMatch",
    "build_index",
    "category_label",
    "default_index",
    "default_signature_dir",
    "inventory",
    "load_index",
    "match_sdks",
]
