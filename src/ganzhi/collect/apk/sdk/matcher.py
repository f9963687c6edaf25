"""Match an app's facts against the SDK index.

Class names are grouped by package first, so each package is looked up in the prefix trie once;
the total cost is linear in the length of the names. Confidence follows the number of independent
kinds of evidence: code (class prefixes, Exodus regexes), manifest (components, provider
authorities), native libraries and meta-data keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ganzhi.collect.apk.sdk.index import Rule, SdkIndex
from ganzhi.collect.apk.sdk.models import Confidence, MatchEvidence, MatchKind, SdkFacts, SdkMatch
from ganzhi.collect.apk.sdk.names import lib_basename, to_dotted

MAX_NAME_LENGTH = 1024
MAX_EXAMPLES = 3

_FAMILY: dict[str, str] = {
    "class_prefix": "code",
    "exodus_regex": "code",
    "component": "manifest",
    "provider_authority": "manifest",
    "native_lib": "native",
    "meta_data": "meta",
}
_RANK: dict[Confidence, int] = {"high": 0, "medium": 1, "low": 2}


@dataclass(slots=True)
class _Hit:
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str, count: int = 1) -> None:
        self.count += count
        if len(self.examples) < MAX_EXAMPLES and example not in self.examples:
            self.examples.append(example)


class _Collector:
    """Evidence per entry: {entry position: {(kind, signature value): hit}}."""

    def __init__(self) -> None:
        self.by_entry: dict[int, dict[tuple[MatchKind, str], _Hit]] = {}

    def add(self, rules: Iterable[Rule], example: str, count: int = 1) -> None:
        for position, kind, value in rules:
            hits = self.by_entry.setdefault(position, {})
            hit = hits.get((kind, value))
            if hit is None:
                hit = hits[(kind, value)] = _Hit()
            hit.add(example, count)


def match_sdks(facts: SdkFacts, index: SdkIndex | None = None) -> list[SdkMatch]:
    """The SDKs whose signatures occur in `facts`, strongest evidence first."""
    if index is None:
        from ganzhi.collect.apk.sdk.build import default_index

        index = default_index()
    collector = _Collector()
    _match_classes(facts.class_names, index, collector)
    for _kind, name in facts.components:
        if name and not name.startswith(".") and len(name) <= MAX_NAME_LENGTH:
            collector.add(index.component_rules(name), name)
    for raw in dict.fromkeys(facts.native_libs):
        lib = lib_basename(raw)
        if lib and len(lib) <= MAX_NAME_LENGTH:
            collector.add(index.native_rules(lib), raw)
    for key in dict.fromkeys(facts.meta_data_keys):
        collector.add(index.meta_rules(key), key)
    for authority in dict.fromkeys(facts.provider_authorities):
        collector.add(index.authority_rules(authority), authority)
    for key in dict.fromkeys(facts.meta_data_keys):
        for position in index.shared_meta_owners(key):
            if position in collector.by_entry:
                collector.add([(position, "meta_data", key)], key)
    matches = [_to_match(index, position, hits) for position, hits in collector.by_entry.items()]
    matches.sort(key=lambda m: (_RANK[m.confidence], not m.curated, m.id))
    return matches


def _match_classes(class_names: Iterable[str], index: SdkIndex, collector: _Collector) -> None:
    package_counts: dict[str, int] = {}
    package_examples: dict[str, str] = {}
    dotted_names: list[str] = []
    class_level = index.class_level_map.get
    for raw in class_names:
        if len(raw) > MAX_NAME_LENGTH:
            continue
        if raw[:1] == "L" and raw[-1:] == ";":
            name = raw[1:-1].replace("/", ".")
        elif "/" in raw or raw[-1:] == ";":
            name = to_dotted(raw)
        else:
            name = raw
        dotted_names.append(name)
        cut = name.rfind(".")
        package = name[:cut] if cut > 0 else ""
        by_class = class_level(package)
        if by_class is not None:
            simple = name[cut + 1 :]
            found = by_class.get(simple.split("$", 1)[0])
            if found:
                collector.add(found, name)
                continue
        seen = package_counts.get(package)
        if seen is None:
            package_counts[package] = 1
            package_examples[package] = name
        else:
            package_counts[package] = seen + 1
    for package, count in package_counts.items():
        rules = index.package_rules(package)
        if rules:
            collector.add(rules, package_examples[package], count)
    _match_name_patterns(dotted_names, index, collector)


def _match_name_patterns(names: list[str], index: SdkIndex, collector: _Collector) -> None:
    """Regex signatures: skip a pattern at C speed unless its required literal occurs at all."""
    if not index.name_patterns or not names:
        return
    text = "\n".join(names)
    for pattern, literal, rule in index.name_patterns:
        if literal and literal not in text:
            continue
        for name in names:
            if pattern.search(name):
                collector.add([rule], name)


def _confidence(kinds: set[MatchKind]) -> Confidence:
    families = {_FAMILY[kind] for kind in kinds}
    if len(families) >= 2 or families & {"manifest", "meta"}:
        return "high"
    if kinds & {"class_prefix", "native_lib"}:
        return "medium"
    return "low"


def _to_match(index: SdkIndex, position: int, hits: dict[tuple[MatchKind, str], _Hit]) -> SdkMatch:
    entry = index.entries[position]
    evidence = [
        MatchEvidence(kind=kind, value=value, count=hit.count, examples=hit.examples)
        for (kind, value), hit in sorted(hits.items())
    ]
    return SdkMatch(
        id=entry.id,
        name=entry.name,
        name_en=entry.name_en,
        vendor=entry.vendor,
        category=entry.category,
        purpose=entry.purpose,
        pi_collected={k: list(v) for k, v in entry.pi.items()},
        privacy_policy_url=entry.privacy_policy_url,
        uncertain_fields=list(entry.uncertain),
        matched_by=evidence,
        confidence=_confidence({kind for kind, _ in hits}),
        sources=list(entry.sources),
        curated=entry.curated,
    )
