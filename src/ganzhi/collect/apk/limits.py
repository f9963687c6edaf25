"""Resource bounds for reading one untrusted APK (collector safety limits, not compliance thresholds)."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1 << 20


@dataclass(frozen=True)
class ApkLimits:
    """Configurable defaults: an APK breaking any bound becomes an `InputError`, never a crash or OOM."""

    max_apk_bytes: int = 4096 * MIB
    max_entries: int = 200_000
    max_entry_bytes: int = 512 * MIB
    max_total_inflated: int = 4096 * MIB
    max_ratio: int = 200
    ratio_floor_bytes: int = 4 * MIB
    max_manifest_bytes: int = 16 * MIB
    max_dex_files: int = 256
    max_signature_bytes: int = 16 * MIB
    max_axml_nodes: int = 500_000
    max_call_sites: int = 100_000
