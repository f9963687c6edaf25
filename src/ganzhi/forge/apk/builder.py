"""Write an `ApkSpec` to a real APK (ZIP) file: manifest, classes*.dex, lib/<abi>/*.so, other files."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from ganzhi.forge.apk.axml_writer import write_manifest
from ganzhi.forge.apk.dex_writer import write_dex
from ganzhi.forge.apk.spec import ApkSpec

_ELF_MACHINE = {"armeabi-v7a": 40, "armeabi": 40, "arm64-v8a": 183, "x86": 3, "x86_64": 62}


def dex_entry_name(index: int) -> str:
    """`classes.dex`, `classes2.dex`, … for the 0-based DEX index."""
    return "classes.dex" if index == 0 else f"classes{index + 1}.dex"


def elf_stub(abi: str) -> bytes:
    """A minimal ELF header for `abi` so `.so` entries look like shared objects to file sniffers."""
    is64 = abi in ("arm64-v8a", "x86_64")
    ident = b"\x7fELF" + bytes((2 if is64 else 1, 1, 1)) + b"\x00" * 9
    return ident + struct.pack("<HHI", 3, _ELF_MACHINE.get(abi, 0), 1)  # ET_DYN, machine, EV_CURRENT


def build_entries(spec: ApkSpec) -> dict[str, bytes]:
    """Every ZIP entry of the APK, in the order they are written."""
    entries: dict[str, bytes] = {}
    if spec.manifest is not None:
        entries["AndroidManifest.xml"] = write_manifest(spec.manifest)
    for i, dex in enumerate(spec.dex):
        entries[dex_entry_name(i)] = write_dex(dex)
    for abi, names in sorted(spec.native_libs.items()):
        for name in names:
            entries[f"lib/{abi}/{name}"] = elf_stub(abi)
    for name, data in spec.files.items():
        if name in entries:
            raise ValueError(f"file entry {name!r} collides with a generated entry")
        entries[name] = data
    return entries


def write_apk(spec: ApkSpec, path: Path, *, compress: bool = True) -> Path:
    """Write `spec` to `path` (deflated by default); returns the path."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    entries = build_entries(spec)  # before opening: an invalid spec leaves no partial file behind
    with zipfile.ZipFile(path, "w", compression=method, compresslevel=1 if compress else None) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = method
            zf.writestr(info, data)
    return path
