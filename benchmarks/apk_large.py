"""A forged large APK: full ganzhi analysis vs the floor (read and inflate every DEX entry), same run.

Targets (issue 3): full scan ≤ 3× the floor; peak RSS ≤ largest DEX + 300 MB. Each side runs in its
own child process. Default sizes are quick; the issue's full size (≥ 80 MB, ≥ 8 DEX, ≥ 150k classes,
≥ 20M instructions) is `python -m benchmarks.apk_large --classes 150000 --invokes 45 --assets-mb 48
--apk /tmp/large.apk` (DEX deflated like real bytecode; the assets make up the rest of the file,
as in real large apps; `--apk` keeps the forged file for later runs).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._child import peak_rss_mb, run_child
from benchmarks._result import write_result

FILLER = "Ljava/lang/String;->length()I"
PLANTED = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"


def forge(path: Path, classes: int, dex_files: int, invokes: int, stored: bool, assets_mb: int = 0) -> dict[str, int]:
    """Write the APK; every 97th class calls a PI API, every method makes `invokes` filler calls.

    Filler calls go to pseudo-random methods of other classes in the same DEX (as real code calls
    its own app), so method indices vary and the DEX deflates about as well as real bytecode does
    instead of collapsing to nothing; the floor then includes realistic inflate work.
    """
    from ganzhi.forge.apk.builder import write_apk
    from ganzhi.forge.apk.spec import ApkSpec, ClassSpec, DexSpec, InvokeSpec, ManifestSpec, MethodSpec

    rng = random.Random(524)
    per_dex: list[list[int]] = [list(range(d, classes, dex_files)) for d in range(dex_files)]
    dex_specs = []
    for members in per_dex:
        pool = [
            InvokeSpec(f"Lcom/big/p{c % 50}/C{c};->m{m}()V", "virtual") for c in members[:4096] for m in range(3)
        ] or [InvokeSpec(FILLER, "virtual")]
        specs = []
        for i in members:
            methods = [MethodSpec(f"m{m}", "()V", invokes=tuple(rng.choices(pool, k=invokes))) for m in range(3)]
            if i % 97 == 0:
                methods.append(MethodSpec("sensitive", "()V", invokes=(InvokeSpec(PLANTED, "virtual"),)))
            specs.append(ClassSpec(f"com.big.p{i % 50}.C{i}", methods=tuple(methods)))
        dex_specs.append(DexSpec(tuple(specs)))
    assets = {"assets/bundle.bin": rng.randbytes(assets_mb << 20)} if assets_mb else {}
    spec = ApkSpec(manifest=ManifestSpec(package="com.big"), dex=tuple(dex_specs), files=assets)
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


def _paired_runs(apk: Path, runs: int) -> tuple[dict[str, float], dict[str, float], float]:
    """Floor and full scan alternately in fresh children; medians of each and of the per-pair ratio.

    Pairing keeps a burst of load from other processes from landing on one side only.
    """
    floors, fulls = [], []
    for _ in range(runs):
        floors.append(run_child("benchmarks.apk_large", "floor", str(apk)))
        fulls.append(run_child("benchmarks.apk_large", "full", str(apk)))
    ratio = statistics.median(b["seconds"] / max(a["seconds"], 1e-6) for a, b in zip(floors, fulls, strict=True))

    def med(rows: list[dict[str, float]]) -> dict[str, float]:
        return {k: statistics.median(r[k] for r in rows) for k in ("seconds", "rss_mb", "largest", "calls")}

    return med(floors), med(fulls), ratio


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "APK"))
    parser.add_argument("--classes", type=int, default=20_000)
    parser.add_argument("--dex", type=int, default=8)
    parser.add_argument("--invokes", type=int, default=8, help="filler invokes per method")
    parser.add_argument("--stored", action="store_true", help="store DEX uncompressed (file ≥ DEX size)")
    parser.add_argument("--assets-mb", type=int, default=0, help="incompressible asset bytes, as real big APKs have")
    parser.add_argument("--apk", type=Path, help="forge here and keep it; reuse it when it already exists")
    parser.add_argument("--runs", type=int, default=3, help="child runs per side; medians are reported")
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        apk = args.apk or Path(tmp) / "large.apk"
        started = time.perf_counter()
        if args.apk is None or not apk.exists():
            facts = forge(apk, args.classes, args.dex, args.invokes, args.stored, args.assets_mb)
            print(f"forged {apk.stat().st_size / 2**20:.1f} MiB in {time.perf_counter() - started:.1f} s")
        facts = {
            "instructions": args.classes * 3 * (args.invokes + 1) + (args.classes // 97 + 1) * 2,
            "apk_bytes": apk.stat().st_size,
        }
        floor, full, ratio = _paired_runs(apk, args.runs)
    budget = full["largest"] / 2**20 + 300
    figures = {
        "classes": args.classes,
        "dex_files": args.dex,
        **facts,
        "apk_mib": round(facts["apk_bytes"] / 2**20, 1),
        "largest_dex_mib": round(full["largest"] / 2**20, 1),
        "runs": args.runs,
        "floor_s": round(floor["seconds"], 3),
        "full_s": round(full["seconds"], 3),
        "time_ratio": round(ratio, 2),  # median of per-pair ratios
        "target_time_ratio": 3,
        "floor_rss_mb": round(floor["rss_mb"], 1),
        "full_rss_mb": round(full["rss_mb"], 1),
        "rss_budget_mb": round(budget, 1),
        "planted_calls_found": full["calls"],
        "planted_calls": args.classes // 97 + 1,
    }
    print(json.dumps(figures, indent=2))
    print(
        f"median of {args.runs} paired runs: full scan {full['seconds']:.2f} s vs floor {floor['seconds']:.2f} s; "
        f"ratio {ratio:.2f}× (target ≤ 3×); peak RSS {full['rss_mb']:.0f} MiB vs budget {budget:.0f} MiB "
        f"(largest DEX + 300)"
    )
    print(f"wrote {write_result('apk_large', figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
