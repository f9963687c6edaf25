"""Call-site facts of one APK without the analysis layer: package, DEX sizes, callers of chosen APIs.

Why a separate path: jobs that only need "who calls which API" (batch triage, the androguard
comparison) should not pay for pydantic, the SDK index or the call graph. This module imports the
ZIP, AXML and DEX readers and numpy, nothing else; `read_apk` builds its evidence on the same
per-DEX scan. Each DEX is parsed, scanned and dropped before the next is inflated, unless the
caller asks to keep it for further analysis.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ganzhi.collect.apk.axml import parse_axml
from ganzhi.collect.apk.binary import FormatError
from ganzhi.collect.apk.callsites import CallSite, CallSiteScanner, MethodTarget
from ganzhi.collect.apk.dex import DexFile, open_dex
from ganzhi.collect.apk.invokeindex import invoke_index_of
from ganzhi.collect.apk.limits import ApkLimits
from ganzhi.collect.apk.targets import default_targets
from ganzhi.collect.apk.zipread import ApkArchive
from ganzhi.errors import InputError

MANIFEST = "AndroidManifest.xml"


@dataclass(frozen=True, slots=True)
class DexSummary:
    """Size and table counts of one DEX entry (plain data; `DexStats` is its evidence form)."""

    name: str
    size: int
    version: str
    classes: int
    methods: int
    strings: int
    types: int


@dataclass
class DexScan:
    """What one DEX entry contributed: summary, class counts per package, call sites, problems."""

    stats: DexSummary
    packages: Counter[str]
    call_sites: list[CallSite]
    problems: list[str]
    dex: DexFile | None = None
    descriptors: list[str] = field(default_factory=list)


def package_counts(descriptors: list[str]) -> Counter[str]:
    """Classes per dotted package name (`La/b/C;` counts for `a.b`)."""
    raw = Counter(d[1 : max(d.rfind("/"), 1)] for d in descriptors)
    packages: Counter[str] = Counter()
    for pkg, n in raw.items():
        packages[pkg.replace("/", ".")] += n
    return packages


def scan_dex_bytes(
    data: bytes | bytearray, name: str, targets: list[MethodTarget], source: str, *, keep: bool = True
) -> DexScan:
    """Parse one DEX and scan it; only `InputError` escapes (for a file that is not DEX at all).

    With `keep=False` the parsed file and its class list are not returned, so the caller holds
    nothing of this DEX once the call sites are extracted.
    """
    dex = open_dex(data, source, name)
    h = dex.header
    problems: list[str] = []
    stats = DexSummary(
        name, h.file_size, h.version, dex.class_count, h.method_ids.size, h.string_ids.size, h.type_ids.size
    )
    descriptors: list[str] = []
    packages: Counter[str] = Counter()
    try:
        descriptors = dex.class_descriptors()
        packages = package_counts(descriptors)
    except FormatError as exc:
        problems.append(f"{name}: class names: {exc}")
    sites: list[CallSite] = []
    if targets:
        try:  # a DEX kept for the analyses is indexed whole now: the call graph and triggers need it anyway
            result = CallSiteScanner(dex).scan(targets, invoke_index_of(dex) if keep else None)
            problems.extend(result.problems)
            sites = result.call_sites
        except FormatError as exc:
            problems.append(f"{name}: call-site scan: {exc}")
    if not keep:
        return DexScan(stats, packages, sites, problems)
    return DexScan(stats, packages, sites, problems, dex, descriptors)


def parse_targets(targets: Iterable[str | MethodTarget] | None) -> list[MethodTarget]:
    """Targets as `MethodTarget`s (default: every PI/start API of `default_targets()`)."""
    return [
        t if isinstance(t, MethodTarget) else MethodTarget.parse(t)
        for t in (default_targets() if targets is None else targets)
    ]


def manifest_package(archive: ApkArchive, limits: ApkLimits) -> str:
    """The `<manifest package=…>` of the APK; `InputError` naming the file when missing or malformed."""
    where = f"{archive.path}!{MANIFEST}"
    if not archive.has(MANIFEST):
        raise InputError(str(archive.path), f"no {MANIFEST} entry (found {len(archive.names)} entries)")
    try:
        root = parse_axml(archive.read(MANIFEST, limits.max_manifest_bytes), max_nodes=limits.max_axml_nodes)
    except FormatError as exc:
        raise InputError(where, f"binary XML is malformed: {exc}") from None
    value = root.plain.get("package", root.attrs.get("package"))
    package = value if isinstance(value, str) else None
    if not package:
        raise InputError(where, "the <manifest> element has no package attribute")
    return package


@dataclass
class CallerFacts:
    """Who calls which target API in one APK, plus the DEX summaries and any problem met."""

    path: Path
    package: str
    dex: list[DexSummary] = field(default_factory=list)
    call_sites: list[CallSite] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def callers(self) -> set[tuple[str, str]]:
        """(target API, calling class in dotted form) pairs."""
        return {(site.target, site.caller_class) for site in self.call_sites}


def scan_dex_entries(
    archive: ApkArchive, targets: list[MethodTarget], problems: list[str], *, keep: bool
) -> list[DexScan]:
    """Scan every DEX entry (up to `max_dex_files`) one at a time; unreadable ones become problems."""
    limits = archive.limits
    names = archive.dex_names()
    if len(names) > limits.max_dex_files:
        problems.append(f"{len(names)} DEX entries, only the first {limits.max_dex_files} are read")
        names = names[: limits.max_dex_files]
    scans: list[DexScan] = []
    for name in names:
        try:
            scans.append(scan_dex_bytes(archive.read_buffer(name), name, targets, f"{archive.path}!{name}", keep=keep))
        except InputError as exc:
            problems.append(str(exc))
    return scans


def read_callers(
    path: Path | str, *, limits: ApkLimits | None = None, targets: Iterable[str | MethodTarget] | None = None
) -> CallerFacts:
    """Package and call sites of `targets` in the APK at `path`; `InputError` for an unreadable APK."""
    path = Path(path)
    limits = limits or ApkLimits()
    parsed = parse_targets(targets)
    with ApkArchive(path, limits) as archive:
        facts = CallerFacts(path=path, package=manifest_package(archive, limits))
        for scan in scan_dex_entries(archive, parsed, facts.problems, keep=False):
            facts.dex.append(scan.stats)
            facts.call_sites.extend(scan.call_sites)
            facts.problems.extend(scan.problems)
    return facts
