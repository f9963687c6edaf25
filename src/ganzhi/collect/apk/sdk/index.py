"""The compiled SDK index: lookup structures built once from the merged entries.

Class prefixes live in a trie of package segments, so matching a name costs one dict step per
segment and the matcher can cache the answer per package (an app's 150k+ classes sit in a few
thousand packages). The deepest matching prefix wins: `com.tencent.map.geolocation.X` goes to the
location SDK even though a broader `com.tencent.map` belongs to the map SDK.

An index loaded from the on-disk cache keeps its entries compact (each one's JSON text, its
signatures as plain lists, and (id, name, curated) for attribution); a pydantic `SdkEntry` is
built only for an entry a match reports. Hundreds of validated models cost a scan several MiB
and most of them are never looked at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import overload

from ganzhi.collect.apk.sdk.models import MatchKind, SdkEntry, Signatures

SIGNATURE_FIELDS = tuple(Signatures.model_fields)
SignatureLists = Mapping[str, Sequence[str]]
"""Signature type → values, as `Signatures` holds them (absent types are empty)."""

Rule = tuple[int, MatchKind, str]
"""(entry position, match kind, signature value)."""


class _Node:
    __slots__ = ("children", "rules")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.rules: list[Rule] = []


@dataclass(slots=True)
class _Compiled:
    root: _Node = field(default_factory=_Node)
    class_level: dict[str, dict[str, list[Rule]]] = field(default_factory=dict)
    components: dict[str, list[Rule]] = field(default_factory=dict)
    component_suffixes: list[tuple[str, Rule]] = field(default_factory=list)
    component_patterns: list[tuple[re.Pattern[str], Rule]] = field(default_factory=list)
    native_libs: dict[str, list[Rule]] = field(default_factory=dict)
    native_patterns: list[tuple[re.Pattern[str], Rule]] = field(default_factory=list)
    meta_data: dict[str, list[Rule]] = field(default_factory=dict)
    meta_shared: dict[str, list[int]] = field(default_factory=dict)
    authority_suffixes: list[tuple[str, Rule]] = field(default_factory=list)
    name_patterns: list[tuple[re.Pattern[str], str, Rule]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CompactEntry:
    """An index entry without its model: the fields attribution needs, its JSON text (signatures left out)
    and its signatures."""

    id: str
    name: str
    curated: bool
    text: str
    signatures: SignatureLists

    def model(self) -> SdkEntry:
        """The validated entry."""
        entry = SdkEntry.model_validate_json(self.text)
        entry.signatures = Signatures.model_validate(dict(self.signatures))
        return entry


class _Entries(Sequence[SdkEntry]):
    """Entries as a sequence of models built on first access (from `CompactEntry`s) and kept."""

    def __init__(self, compact: Sequence[CompactEntry]) -> None:
        self._compact = compact
        self._models: dict[int, SdkEntry] = {}

    def __len__(self) -> int:
        return len(self._compact)

    @overload
    def __getitem__(self, index: int) -> SdkEntry: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[SdkEntry]: ...
    def __getitem__(self, index: int | slice) -> SdkEntry | Sequence[SdkEntry]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        found = self._models.get(index)
        if found is None:
            found = self._models[index] = self._compact[index].model()
        return found

    def __iter__(self) -> Iterator[SdkEntry]:
        return (self[i] for i in range(len(self)))


class SdkIndex:
    """Merged SDK entries plus where they came from, compiled for fast matching."""

    def __init__(
        self,
        entries: Sequence[SdkEntry],
        *,
        sources_loaded: Sequence[str],
        source_errors: Sequence[str] = (),
        attributions: Sequence[str] = (),
        record_counts: dict[str, int] | None = None,
    ) -> None:
        self.entries: Sequence[SdkEntry] = tuple(entries)
        self._heads: Sequence[tuple[str, str, bool]] = [(e.id, e.name, e.curated) for e in self.entries]
        self.sources_loaded: tuple[str, ...] = tuple(sources_loaded)
        self.source_errors: tuple[str, ...] = tuple(source_errors)
        self.attributions: tuple[str, ...] = tuple(attributions)
        self.record_counts: dict[str, int] = dict(record_counts or {})
        self._c = _compile(_signature_lists(e.signatures) for e in self.entries)

    @classmethod
    def compact(
        cls,
        entries: Sequence[CompactEntry],
        *,
        sources_loaded: Sequence[str],
        source_errors: Sequence[str] = (),
        attributions: Sequence[str] = (),
        record_counts: dict[str, int] | None = None,
    ) -> SdkIndex:
        """An index over compact entries (the on-disk cache's form): models are built only when asked for."""
        index = cls.__new__(cls)
        index.entries = _Entries(entries)
        index._heads = [(e.id, e.name, e.curated) for e in entries]
        index.sources_loaded = tuple(sources_loaded)
        index.source_errors = tuple(source_errors)
        index.attributions = tuple(attributions)
        index.record_counts = dict(record_counts or {})
        index._c = _compile(e.signatures for e in entries)
        return index

    def head(self, position: int) -> tuple[str, str, bool]:
        """(id, name, curated) of the entry at `position`, without building its model."""
        return self._heads[position]

    def entry(self, sdk_id: str) -> SdkEntry:
        """The entry with id `sdk_id`; KeyError names the id when it is unknown."""
        for position, (entry_id, _, _) in enumerate(self._heads):
            if entry_id == sdk_id:
                return self.entries[position]
        raise KeyError(f"unknown SDK id {sdk_id!r}")

    # ---- lookups used by the matcher -------------------------------------------------------
    def package_rules(self, package: str) -> list[Rule]:
        """Rules of the deepest prefix that contains `package` (empty when none does)."""
        node = self._c.root
        best: list[Rule] = []
        for segment in package.split("."):
            child = node.children.get(segment)
            if child is None:
                break
            node = child
            if node.rules:
                best = node.rules
        return best

    def class_level(self, package: str) -> dict[str, list[Rule]] | None:
        """Signatures that end exactly at a class directly inside `package`."""
        return self._c.class_level.get(package)

    @property
    def class_level_map(self) -> dict[str, dict[str, list[Rule]]]:
        """package → {simple class name → rules}; exposed so the hot loop can bind `.get` once."""
        return self._c.class_level

    def component_rules(self, name: str) -> list[Rule]:
        """Rules for a manifest component: exact name, app-side suffix, regex, then package prefix."""
        exact = self._c.components.get(name)
        if exact:
            return exact
        hits = [rule for suffix, rule in self._c.component_suffixes if name.endswith("." + suffix)]
        hits += [rule for pattern, rule in self._c.component_patterns if pattern.fullmatch(name)]
        if hits:
            return _first_per_entry(hits)
        package, _, simple = name.rpartition(".")
        by_class = self.class_level(package)
        if by_class is not None:
            found = by_class.get(simple.split("$", 1)[0])
            if found:
                return [(i, "component", name) for i, _, _ in found]
        return [(i, "component", name) for i, _, _ in self.package_rules(package)]

    def native_rules(self, lib: str) -> list[Rule]:
        """Rules for a native library file name (exact first, then patterns)."""
        exact = self._c.native_libs.get(lib)
        if exact:
            return exact
        return _first_per_entry(rule for pattern, rule in self._c.native_patterns if pattern.fullmatch(lib))

    def meta_rules(self, key: str) -> list[Rule]:
        """Rules for a manifest meta-data key owned by one SDK."""
        return self._c.meta_data.get(key, [])

    def shared_meta_owners(self, key: str) -> list[int]:
        """Entries a vendor-wide meta-data key corroborates (never a match on its own)."""
        return self._c.meta_shared.get(key, [])

    def authority_rules(self, authority: str) -> list[Rule]:
        """Rules for a content-provider authority such as `com.example.DataProvider`."""
        return [
            rule
            for suffix, rule in self._c.authority_suffixes
            if authority == suffix or authority.endswith("." + suffix)
        ]

    @property
    def name_patterns(self) -> list[tuple[re.Pattern[str], str, Rule]]:
        """Regex signatures run on class names, each with a literal that must occur for a hit."""
        return self._c.name_patterns


_LITERAL = re.compile(r"[A-Za-z0-9_]+")


def _first_per_entry(rules: Iterable[Rule]) -> list[Rule]:
    """One rule per SDK: two patterns of one SDK matching the same name are one piece of evidence."""
    seen: set[int] = set()
    kept: list[Rule] = []
    for rule in rules:
        if rule[0] not in seen:
            seen.add(rule[0])
            kept.append(rule)
    return kept


def _signature_lists(sig: Signatures) -> SignatureLists:
    return {name: getattr(sig, name) for name in SIGNATURE_FIELDS}


def _compile(signatures: Iterable[SignatureLists]) -> _Compiled:
    c = _Compiled()
    none: Sequence[str] = ()
    for i, sig in enumerate(signatures):
        prefix_lists: tuple[tuple[MatchKind, Sequence[str]], ...] = (
            ("class_prefix", sig.get("class_prefixes", none)),
            ("exodus_regex", sig.get("exodus_prefixes", none)),
        )
        for kind, prefixes in prefix_lists:
            for prefix in prefixes:
                _insert(c, prefix, (i, kind, prefix))
        for name in sig.get("components", none):
            c.components.setdefault(name, []).append((i, "component", name))
        c.component_suffixes += [(s, (i, "component", s)) for s in sig.get("component_suffixes", none)]
        c.component_patterns += [(re.compile(p), (i, "component", p)) for p in sig.get("component_patterns", none)]
        for lib in sig.get("native_libs", none):
            c.native_libs.setdefault(lib, []).append((i, "native_lib", lib))
        c.native_patterns += [(re.compile(p), (i, "native_lib", p)) for p in sig.get("native_lib_patterns", none)]
        for key in sig.get("meta_data", none):
            c.meta_data.setdefault(key, []).append((i, "meta_data", key))
        for key in sig.get("meta_data_shared", none):
            c.meta_shared.setdefault(key, []).append(i)
        c.authority_suffixes += [(s, (i, "provider_authority", s)) for s in sig.get("authority_suffixes", none)]
        for pattern in sig.get("exodus_patterns", none):
            literal = max(_LITERAL.findall(pattern), key=len, default="")
            c.name_patterns.append((re.compile(pattern), literal, (i, "exodus_regex", pattern)))
    return c


def _insert(c: _Compiled, prefix: str, rule: Rule) -> None:
    node = c.root
    for segment in prefix.split("."):
        node = node.children.setdefault(segment, _Node())
    node.rules.append(rule)
    package, _, simple = prefix.rpartition(".")
    c.class_level.setdefault(package, {}).setdefault(simple, []).append(rule)
