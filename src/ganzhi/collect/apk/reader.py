"""Read one APK into `apk_static` facts: ZIP, manifest, signers, every DEX, chosen API call sites.

Bad input never crashes: an unreadable ZIP or manifest is an `InputError` naming the file and
the problem; a broken DEX or signature becomes an entry in `problems` and the rest goes on. DEX
files are processed one at a time and released, so memory stays near the largest DEX.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ganzhi.collect.apk.binary import FormatError
from ganzhi.collect.apk.callers import DexScan, parse_targets, scan_dex_bytes, scan_dex_entries
from ganzhi.collect.apk.callsites import CallSite, MethodTarget
from ganzhi.collect.apk.dex import DexFile
from ganzhi.collect.apk.limits import ApkLimits
from ganzhi.collect.apk.manifest import read_manifest
from ganzhi.collect.apk.signers import (
    V1_SIGNATURE,
    fingerprint,
    pkcs7_certificates,
    read_signing_block,
    signing_block_certificates,
)
from ganzhi.collect.apk.zipread import ApkArchive
from ganzhi.errors import InputError
from ganzhi.evidence.apk import ApiCall, ApkStatic, DexStats, Signer
from ganzhi.evidence.base import Evidence, Subject

MANIFEST = "AndroidManifest.xml"
__all__ = ["ApkFacts", "DexScan", "apk_evidence", "read_apk", "scan_dex_bytes"]
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


def hash_in_background(path: Path) -> Callable[[], str]:
    """Start hashing `path` in a thread (hashlib releases the GIL) and return a function that waits for it.

    The hash of a 100 MB APK costs about as much as inflating a DEX; overlapping it with the
    DEX scan keeps it off the critical path. A read error surfaces as `InputError` when waited for.
    """
    outcome: list[str | OSError] = []

    def run() -> None:
        try:
            outcome.append(file_sha256(path))
        except OSError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, name="apk-sha256", daemon=True)
    thread.start()

    def wait() -> str:
        thread.join()
        value = outcome[0]
        if isinstance(value, OSError):
            raise InputError(str(path), f"cannot hash the file: {value.strerror or value}")
        return value

    return wait


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


def unreadable_code(archive: ApkArchive, read_dex: set[str], problems: list[str]) -> list[str]:
    """Code entries (DEX, native `.so`) whose content the analysis could not read, in archive order.

    A DEX is unreadable when scanning it failed or it was beyond `max_dex_files`; a `.so` (we only
    list native libraries) when its entry cannot be located inside the file.
    """
    missing = [name for name in archive.dex_names() if name not in read_dex]
    for name in archive.names:
        if name.lower().endswith(".so"):
            problem = archive.entry_problem(name)
            if problem is not None:
                missing.append(name)
                problems.append(f"native library {problem}")
    return missing


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
    parsed_targets = parse_targets(targets)
    with ApkArchive(path, limits) as archive:
        sha256 = hash_in_background(path)
        if not archive.has(MANIFEST):
            raise InputError(str(path), f"no {MANIFEST} entry (found {len(archive.names)} entries)")
        manifest = read_manifest(
            archive.read(MANIFEST, limits.max_manifest_bytes),
            f"{path}!{MANIFEST}",
            max_nodes=limits.max_axml_nodes,
        )
        problems: list[str] = []
        signers = read_signers(archive, problems)
        stats: list[DexStats] = []
        packages: Counter[str] = Counter()
        sites: list[CallSite] = []
        kept: list[DexFile] = []
        descriptors: list[list[str]] = []
        for scan in scan_dex_entries(archive, parsed_targets, problems, keep=keep_dex):
            stats.append(DexStats(**asdict(scan.stats)))
            if keep_dex and scan.dex is not None:
                kept.append(scan.dex)
                descriptors.append(scan.descriptors)
            packages.update(scan.packages)
            sites.extend(scan.call_sites)
            problems.extend(scan.problems)
        unreadable = unreadable_code(archive, {s.name for s in stats}, problems)
        static = ApkStatic(
            package=manifest.package,
            version_name=manifest.version_name,
            version_code=manifest.version_code,
            min_sdk=manifest.min_sdk,
            target_sdk=manifest.target_sdk,
            application_class=manifest.application_class,
            sha256=sha256(),
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
            irregularities=manifest.irregularities,
            problems=problems,
            unreadable_code=unreadable,
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
