"""A forged large APK: full ganzhi analysis vs the floor (read and inflate every DEX entry), same run.

Targets (issue 3): full scan ≤ 3× the floor; peak RSS ≤ largest DEX + 300 MB. Each side runs in its
own child process. Default sizes are quick; the issue's full size (≥ 80 MB, ≥ 8 DEX, ≥ 150k classes,
≥ 20M instructions) is `python -m benchmarks.apk_large --classes 150000 --invokes 33 --stored`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._child import peak_rss_mb, run_child
from benchmarks._result import write_result

FILLER = "Ljava/lang/String;->length()I"
PLANTED = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"


def forge(path: Path, classes: int, dex_files: int, invokes: int, stored: bool) -> dict[str, int]:
    """Write the APK; every method calls the filler `invokes` times, every 97th class calls a PI API."""
    from ganzhi.forge.apk.builder import write_apk
    from ganzhi.forge.apk.spec import ApkSpec, ClassSpec, DexSpec, InvokeSpec, ManifestSpec, MethodSpec

    filler = tuple(InvokeSpec(FILLER, "virtual") for _ in range(invokes))
    per_dex: list[list[ClassSpec]] = [[] for _ in range(dex_files)]
    for i in range(classes):
        methods = [MethodSpec(f"m{m}", "()V", invokes=filler) for m in range(3)]
        if i % 97 == 0:
            methods.append(MethodSpec("sensitive", "()V", invokes=(InvokeSpec(PLANTED, "virtual"),)))
        per_dex[i % dex_files].append(ClassSpec(f"com.big.p{i % 50}.C{i}", methods=tuple(methods)))
    spec = ApkSpec(manifest=ManifestSpec(package="com.big"), dex=tuple(DexSpec(tuple(c)) for c in per_dex))
    write_apk(spec, path, compress=not stored)
    return {"instructions": classes * 3 * (invokes + 1) + (classes // 97 + 1) * 2, "apk_bytes": path.stat().st_size}


def child(side: str, path: str) -> None:
    from ganzhi.collect.apk.analyze import analyze_apk
    from ganzhi.collect.apk.sdk import default_index
    from ganzhi.collect.apk.zipread import ApkArchive

    default_index()
    started = time.perf_counter()
    largest = 0
    if side == "floor":
        with ApkArchive(Path(path)) as archive:
            for name in archive.dex_names():
                largest = max(largest, len(archive.read(name)))
        calls = 0
    else:
        static = analyze_apk(path).static
        calls = len(static.api_calls)
        largest = max(d.size for d in static.dex)
    print(
        json.dumps(
            {"seconds": time.perf_counter() - started, "rss_mb": peak_rss_mb(), "largest": largest, "calls": calls}
        )
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "APK"))
    parser.add_argument("--classes", type=int, default=20_000)
    parser.add_argument("--dex", type=int, default=8)
    parser.add_argument("--invokes", type=int, default=8, help="filler invokes per method")
    parser.add_argument("--stored", action="store_true", help="store DEX uncompressed (file ≥ DEX size)")
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        apk = Path(tmp) / "large.apk"
        started = time.perf_counter()
        facts = forge(apk, args.classes, args.dex, args.invokes, args.stored)
        print(
            f"forged {apk.stat().st_size / 2**20:.1f} MiB, {args.classes} classes, {facts['instructions']} "
            f"instructions in {time.perf_counter() - started:.1f} s"
        )
        floor = run_child("benchmarks.apk_large", "floor", str(apk))
        full = run_child("benchmarks.apk_large", "full", str(apk))
    ratio = full["seconds"] / max(floor["seconds"], 1e-6)
    budget = full["largest"] / 2**20 + 300
    figures = {
        "classes": args.classes,
        "dex_files": args.dex,
        **facts,
        "floor_s": round(floor["seconds"], 3),
        "full_s": round(full["seconds"], 3),
        "time_ratio": round(ratio, 2),
        "target_time_ratio": 3,
        "full_rss_mb": round(full["rss_mb"], 1),
        "rss_budget_mb": round(budget, 1),
        "planted_calls_found": full["calls"],
        "planted_calls": args.classes // 97 + 1,
    }
    print(json.dumps(figures, indent=2))
    print(
        f"full scan {full['seconds']:.2f} s vs floor {floor['seconds']:.2f} s → {ratio:.2f}× (target ≤ 3×); "
        f"peak RSS {full['rss_mb']:.0f} MiB vs budget {budget:.0f} MiB"
    )
    print(f"wrote {write_result('apk_large', figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
