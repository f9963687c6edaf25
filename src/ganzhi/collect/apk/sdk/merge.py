"""Merge our China table with the third-party signature sets into one deduplicated SDK list.

Order of authority: our table first, then LibChecker, LibRadar, Exodus. An external group joins an
existing SDK when its name is a known alias (`MiPush(JPush Proxy)` counts as `MiPush`) or, failing
that, when its signatures fall inside signatures an SDK already owns. Every signature value belongs
to one SDK only: the first source that claims it keeps it. Platform and general-purpose libraries
(`not_data_sdks` in the table) are dropped, as are prefixes of fewer than two segments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from ganzhi.collect.apk.sdk.china_table import ChinaTable
from ganzhi.collect.apk.sdk.external import ExternalGroup, ExternalSet
from ganzhi.collect.apk.sdk.models import SdkEntry, Signatures
from ganzhi.collect.apk.sdk.names import (
    is_plain_dotted,
    is_specific_prefix,
    is_under,
    label_key,
    slug,
    strip_proxy,
)

_PREFIX_FIELDS = ("class_prefixes", "exodus_prefixes")
_OWNED_FIELDS = {
    "class_prefixes": "prefix",
    "exodus_prefixes": "prefix",
    "components": "component",
    "native_libs": "native",
    "meta_data": "meta",
    "component_suffixes": "component_suffix",
    "component_patterns": "component_pattern",
    "native_lib_patterns": "native_pattern",
    "authority_suffixes": "authority",
    "exodus_patterns": "exodus_pattern",
}


def merge_sources(table: ChinaTable, externals: Sequence[ExternalSet]) -> list[SdkEntry]:
    """Curated entries enriched by, then followed by, the external groups that are new SDKs."""
    merger = _Merger(table)
    for external in externals:
        for group in external.groups:
            merger.add(group)
    return [entry for entry in merger.entries if not entry.signatures.is_empty()]


class _Merger:
    def __init__(self, table: ChinaTable) -> None:
        self.entries: list[SdkEntry] = []
        self._aliases: dict[str, int] = {}
        self._owned: dict[tuple[str, str], int] = {}
        self._ids: set[str] = set()
        self._not_data_prefixes = table.not_data_prefixes
        self._not_data_labels = tuple(label_key(label) for label in table.not_data_labels)
        for entry in table.entries:
            index = len(self.entries)
            self.entries.append(entry.model_copy(deep=True))
            self._ids.add(entry.id)
            for name in (entry.id, entry.name, entry.name_en, *entry.aliases):
                if name:
                    self._aliases.setdefault(label_key(name), index)
            self._claim(index, entry.signatures, append=False)

    def add(self, group: ExternalGroup) -> None:
        key = label_key(group.name)
        if any(key.startswith(label) for label in self._not_data_labels):
            return
        signatures = self._filtered(group.signatures)
        if signatures.is_empty():
            return
        target = self._find(group, signatures)
        if target is None:
            if group.category == "library":
                return
            target = self._new_entry(group)
        self._absorb(target, group, signatures)

    def _filtered(self, signatures: Signatures) -> Signatures:
        kept = signatures.model_copy(deep=True)
        for field in _PREFIX_FIELDS:
            setattr(
                kept,
                field,
                [p for p in getattr(kept, field) if is_specific_prefix(p) and not self._is_platform(p)],
            )
        kept.components = [c for c in kept.components if is_plain_dotted(c) and not self._is_platform(c)]
        return kept

    def _is_platform(self, name: str) -> bool:
        return any(is_under(name, prefix) for prefix in self._not_data_prefixes)

    def _find(self, group: ExternalGroup, signatures: Signatures) -> int | None:
        for name in (strip_proxy(group.name), group.name):
            found = self._aliases.get(label_key(name))
            if found is not None:
                return found
        votes: Counter[int] = Counter()
        for owner in self._signature_owners(signatures):
            if owner is not None:
                votes[owner] += 1
        return votes.most_common(1)[0][0] if votes else None

    def _signature_owners(self, signatures: Signatures) -> Iterable[int | None]:
        for field in _PREFIX_FIELDS:
            for prefix in getattr(signatures, field):
                yield self._prefix_owner(prefix)
        for component in signatures.components:
            yield self._owned.get(("component", component), self._prefix_owner(component))
        for lib in signatures.native_libs:
            yield self._owned.get(("native", lib))
        for key in signatures.meta_data:
            yield self._owned.get(("meta", key))

    def _prefix_owner(self, name: str) -> int | None:
        """Owner of the longest owned prefix containing `name` (only ≥2-segment prefixes count)."""
        parts = name.split(".")
        for end in range(len(parts), 1, -1):
            owner = self._owned.get(("prefix", ".".join(parts[:end])))
            if owner is not None:
                return owner
        return None

    def _new_entry(self, group: ExternalGroup) -> int:
        base = f"{group.source}:{slug(group.name)}"
        entry_id, counter = base, 2
        while entry_id in self._ids:
            entry_id, counter = f"{base}-{counter}", counter + 1
        self._ids.add(entry_id)
        self.entries.append(SdkEntry(id=entry_id, name=group.name, aliases=[group.name], category=group.category))
        return len(self.entries) - 1

    def _absorb(self, index: int, group: ExternalGroup, signatures: Signatures) -> None:
        entry = self.entries[index]
        self._claim(index, signatures)
        if group.source not in entry.sources:
            entry.sources.append(group.source)
        entry.vendor = entry.vendor or group.vendor
        entry.website = entry.website or group.website
        if entry.category == "unknown" and group.category not in ("unknown", "library"):
            entry.category = group.category
        self._aliases.setdefault(label_key(group.name), index)

    def _claim(self, index: int, signatures: Signatures, *, append: bool = True) -> None:
        """Give every not-yet-owned signature to entry `index` (appending it unless it is already there)."""
        entry = self.entries[index]
        for field, family in _OWNED_FIELDS.items():
            mine: list[str] = getattr(entry.signatures, field)
            for value in list(getattr(signatures, field)):
                if (family, value) in self._owned:
                    continue
                self._owned[(family, value)] = index
                if append:
                    mine.append(value)
        for key in signatures.meta_data_shared:
            if key not in entry.signatures.meta_data_shared:
                entry.signatures.meta_data_shared.append(key)
