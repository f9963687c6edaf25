"""Read one APK into `apk_static` facts: ZIP, manifest, signers, every DEX, chosen API call sites.

Bad input never crashes: an unreadable ZIP or manifest is an `InputError` naming the file and
the problem; a broken DEX or signature becomes an entry in `problems` and the rest goes on. DEX
files are processed one at a time and released, so memory stays near the largest DEX.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ganzhi.collect.apk.binary import FormatError
from ganzhi.collect.apk.callsites import CallSite, CallSiteScanner, MethodTarget
from ganzhi.collect.apk.dex import DexFile, open_dex
from ganzhi.collect.apk.limits import ApkLimits
from ganzhi.collect.apk.manifest import read_manifest
from ganzhi.collect.apk.signers import (
    V1_SIGNATURE,
    fingerprint,
    pkcs7_certificates,
    read_signing_block,
    signing_block_certificates,
)
from ganzhi.collect.apk.targets import default_targets
from ganzhi.collect.apk.zipread import ApkArchive
from ganzhi.errors import InputError
from ganzhi.evidence.apk import ApiCall, ApkStatic, DexStats, Signer
from ganzhi.evidence.base import Evidence, Subject

MANIFEST = "AndroidManifest.xml"
HASH_CHUNK = 1 << 20


@dataclass
class ApkFacts:
    """The `apk_static` payload plus detail that does not go into evidence (every call site offset)."""

    static: ApkStatic
    path: Path
    call_sites: list[CallSite] = field(default_factory=list)
    dex_files: list[DexFile] = field(default_factory=list, repr=False)
    class_descriptors: list[list[str]] = field(default_factory=list, repr=False)
    entry_names: list[str] = field(default_factory=list, repr=False)

    def release(self) -> None:
        """Drop the DEX bytes and class lists kept for further analysis."""
        self.dex_files = []
        self.class_descriptors = []


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_signers(archive: ApkArchive, problems: list[str]) -> list[Signer]:
    """Every v1 and v2/v3 signer certificate (deduplicated per scheme)."""
    signers: list[Signer] = []
    seen: set[tuple[str, str]] = set()

    def add(scheme: str, der: bytes, source: str) -> None:
        fp = fingerprint(der)
        if (scheme, fp) not in seen:
            seen.add((scheme, fp))
            signers.append(Signer(scheme=scheme, sha256=fp, source=source))

    for name in archive.names:
        if V1_SIGNATURE.match(name):
            try:
                blob = archive.read(name, archive.limits.max_signature_bytes)
                for der in pkcs7_certificates(blob):
                    add("v1", der, name)
            except (InputError, FormatError) as exc:
                problems.append(f"v1 signature {name}: {exc}")
    try:
        block = read_signing_block(archive.read_at, archive.central_directory_offset)
        if block is not None:
            for scheme, der in signing_block_certificates(block):
                add(scheme, der, "APK Signing Block")
    except (InputError, FormatError) as exc:
        problems.append(f"APK Signing Block: {exc}")
    return signers


@dataclass
class DexScan:
    """What one DEX entry contributed: stats, class counts per package, call sites, problems."""

    stats: DexStats
    packages: Counter[str]
    call_sites: list[CallSite]
    problems: list[str]
    dex: DexFile | None = None
    descriptors: list[str] = field(default_factory=list)


def scan_dex_bytes(data: bytes, name: str, targets: list[MethodTarget], source: str) -> DexScan:
    """Parse one DEX and scan it; only `InputError` escapes (for a file that is not DEX at all)."""
    dex = open_dex(data, source, name)
    problems: list[str] = []
    stats = DexStats(
        name=name,
        size=dex.header.file_size,
        version=dex.header.version,
        classes=dex.class_count,
        methods=dex.header.method_ids.size,
        strings=dex.header.string_ids.size,
        types=dex.header.type_ids.size,
    )
    packages: Counter[str] = Counter()
    descriptors: list[str] = []
    try:
        descriptors = dex.class_descriptors()
        raw = Counter(d[1 : max(d.rfind("/"), 1)] for d in descriptors)
        for pkg, n in raw.items():
            packages[pkg.replace("/", ".")] += n
    except FormatError as exc:
        problems.append(f"{name}: class names: {exc}")
    sites: list[CallSite] = []
    if targets:
        try:
            result = CallSiteScanner(dex).scan(targets)
            problems.extend(result.problems)
            sites = result.call_sites
        except FormatError as exc:
            problems.append(f"{name}: call-site scan: {exc}")
    return DexScan(stats, packages, sites, problems, dex, descriptors)


def _api_calls(sites: list[CallSite], limit: int, problems: list[str]) -> list[ApiCall]:
    counts = Counter((s.api, s.caller_class, s.caller_method, s.dex) for s in sites)
    if len(counts) > limit:
        problems.append(f"{len(counts)} distinct API call sites, only the first {limit} are kept")
    return [
        ApiCall(api=api, caller_class=cls, caller_method=meth, dex=dex, count=n)
        for (api, cls, meth, dex), n in sorted(counts.items())[:limit]
    ]


def read_apk(
    path: Path | str,
    *,
    limits: ApkLimits | None = None,
    targets: Iterable[str | MethodTarget] | None = None,
    keep_dex: bool = False,
) -> ApkFacts:
    """Read an APK; `targets` are the APIs whose call sites are recorded (default: `default_targets()`).

    With `keep_dex` the parsed DEX files, class descriptors and entry names stay in the result for
    the analyses that need code (call graph, sticky services); call `facts.release()` after.
    """
    path = Path(path)
    limits = limits or ApkLimits()
    parsed_targets = [
        t if isinstance(t, MethodTarget) else MethodTarget.parse(t)
        for t in (default_targets() if targets is None else targets)
    ]
    with ApkArchive(path, limits) as archive:
        if not archive.has(MANIFEST):
            raise InputError(str(path), f"no {MANIFEST} entry (found {len(archive.names)} entries)")
        manifest = read_manifest(
            archive.read(MANIFEST, limits.max_manifest_bytes),
            f"{path}!{MANIFEST}",
            max_nodes=limits.max_axml_nodes,
        )
        problems: list[str] = []
        signers = read_signers(archive, problems)
        dex_names = archive.dex_names()
        if len(dex_names) > limits.max_dex_files:
            problems.append(f"{len(dex_names)} DEX entries, only the first {limits.max_dex_files} are read")
            dex_names = dex_names[: limits.max_dex_files]
        packages: Counter[str] = Counter()
        stats: list[DexStats] = []
        sites: list[CallSite] = []
        kept: list[DexFile] = []
        descriptors: list[list[str]] = []
        for name in dex_names:
            try:
                scan = scan_dex_bytes(archive.read(name), name, parsed_targets, f"{path}!{name}")
            except InputError as exc:
                problems.append(str(exc))
                continue
            stats.append(scan.stats)
            if keep_dex and scan.dex is not None:
                kept.append(scan.dex)
                descriptors.append(scan.descriptors)
            packages.update(scan.packages)
            sites.extend(scan.call_sites)
            problems.extend(scan.problems)
        static = ApkStatic(
            package=manifest.package,
            version_name=manifest.version_name,
            version_code=manifest.version_code,
            min_sdk=manifest.min_sdk,
            target_sdk=manifest.target_sdk,
            application_class=manifest.application_class,
            sha256=file_sha256(path),
            size=archive.size,
            dex_bytes=sum(s.size for s in stats),
            permissions=manifest.permissions,
            components=manifest.components,
            launcher_activities=manifest.launcher_activities,
            queries=manifest.queries,
            meta_data=manifest.meta_data,
            native_libs=archive.native_libs(),
            signers=signers,
            dex=stats,
            packages=dict(sorted(packages.items())),
            api_calls=_api_calls(sites, limits.max_call_sites, problems),
            anomalies=archive.anomalies + manifest.anomalies,
            problems=problems,
        )
        entry_names = list(archive.names) if keep_dex else []
    return ApkFacts(
        static=static,
        path=path,
        call_sites=sites,
        dex_files=kept,
        class_descriptors=descriptors,
        entry_names=entry_names,
    )


def apk_evidence(facts: ApkFacts, *, source: str | None = None, collected_at: dt.datetime | None = None) -> Evidence:
    """Wrap `facts` as `apk_static` evidence about the app version (subject type `app`)."""
    s = facts.static
    version = s.version_name or (str(s.version_code) if s.version_code is not None else None)
    subject = Subject(type="app", id=s.package, version=version)
    return Evidence.of(s, subject, source or f"apk:{facts.path.name}", collected_at=collected_at)
