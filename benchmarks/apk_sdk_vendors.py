"""SDK vendor precision/recall on real Chinese apps (`apks/cn/truth.json`) and on SDK jars (`sdk-jars/`).

Truth: vendors measured from the class names of each APK's DEX (≥ 5 classes under the vendor's well-known
prefixes, the app's own packages excluded). Ours: `analyze_apk`'s SDK inventory, counting only SDKs whose
code is present (`presence == "code"`), each mapped to a vendor by the namespaces it matched. Vendors the
truth names under `other_cn_prefix_counts` (code present, but not in its vendor list: Meizu push, Tencent
MTA …) are neutral: neither a hit nor a false report. A vendor the truth file measures in no APK at all
(its prefix list does not have it, e.g. OPPO push's `com.heytap.mcssdk`) cannot be scored by it: such
vendors are listed as "unmeasured" and printed with the strict figure that counts them as false. Jars
are not APKs: their class names (read from the .class entries, aar → classes.jar and libs/*.jar) go
through the same SDK matcher, without DEX conversion (Debian ships no d8). The anchor is the truth file
itself; there is no other tool's figure to run here.
Targets (issue 16): vendor precision and recall ≥ 0.95.
Usage: `python -m benchmarks.apk_sdk_vendors`.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

CN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "apk" / "apks" / "cn"
#: Vendor → namespaces (the truth file's vendor keys; our own summary of each vendor's published packages).
VENDORS: dict[str, tuple[str, ...]] = {
    "Alipay": ("com.alipay.",),
    "AMap": ("com.amap.", "com.autonavi.", "com.loc."),
    "Bugly": ("com.tencent.bugly.",),
    "Umeng": ("com.umeng.",),
    "TBS_X5": ("com.tencent.smtt.",),
    "WeChat_OpenSDK": ("com.tencent.mm.opensdk.", "com.tencent.mm.sdk."),
    "Weibo": ("com.sina.weibo.", "com.weibo."),
    "QQ_Connect": ("com.tencent.connect.", "com.tencent.open.", "com.tencent.tauth."),
    "Pangle": ("com.bytedance.sdk.openadsdk.", "com.bytedance.pangle.", "com.pgl."),
    "GDT": ("com.qq.e.",),
    "Xiaomi_Push": ("com.xiaomi.mipush.", "com.xiaomi.push."),
    "Huawei_HMS": ("com.huawei.hms.", "com.huawei.android.hms.", "com.huawei.agconnect."),
    "vivo_Push": ("com.vivo.push.",),
    "MobSDK": ("com.mob.",),
    "SensorsData": ("com.sensorsdata.",),
    "JiGuang": ("cn.jpush.", "cn.jiguang.", "cn.jcore."),
    "Getui": ("com.igexin.", "com.getui."),
    "GrowingIO": ("com.growingio.",),
    "Meizu_Push": ("com.meizu.cloud.pushsdk.", "com.meizu."),
    "OPPO_Push": ("com.heytap.", "com.coloros.mcssdk."),
    "Tencent_MTA": ("com.tencent.stat.", "com.tencent.wxop."),
    "Alibaba_UT": ("com.ut.", "com.ta.utdid2."),
    "Baidu": ("com.baidu.",),
}
#: Truth `other_cn_prefix_counts` key prefixes → the vendor they name (neutral for that APK).
_OTHER = {
    "Meizu_Push": "Meizu_Push",
    "Tencent_MTA": "Tencent_MTA",
    "Alibaba_UT": "Alibaba_UT",
    "QQ_OpenSDK": "QQ_Connect",
    "Sina_other": "Weibo",
    "Alipay_other": "Alipay",
    "AMap_other": "AMap",
    "Xiaomi_other": "Xiaomi_Push",
}
MAX_JAR_ENTRIES = 200_000


def vendor_of(name: str) -> str | None:
    """Vendor of a dotted class or package name (longest namespace wins)."""
    best: tuple[int, str | None] = (0, None)
    dotted = name if name.endswith(".") else name + "."
    for vendor, prefixes in VENDORS.items():
        for prefix in prefixes:
            if dotted.startswith(prefix) and len(prefix) > best[0]:
                best = (len(prefix), vendor)
    return best[1]


def _vendors_of_refs(refs: list[Any]) -> set[str]:
    found: set[str] = set()
    for ref in refs:
        if ref.presence != "code":
            continue
        for item in ref.matched_by:
            kind, _, value = item.partition(":")
            vendor = vendor_of(value) if kind in ("class_prefix", "exodus_regex") else None
            if vendor is not None:
                found.add(vendor)
    return found


def _jar_classes(path: Path) -> list[str]:
    """Dotted class names of a jar, or of an aar's classes.jar and libs/*.jar."""
    names: list[str] = []

    def walk(zf: zipfile.ZipFile, depth: int) -> None:
        for info in zf.infolist()[:MAX_JAR_ENTRIES]:
            if info.filename.endswith(".class"):
                names.append(info.filename[: -len(".class")].replace("/", "."))
            elif info.filename.endswith(".jar") and depth == 0:
                with zipfile.ZipFile(io.BytesIO(zf.read(info))) as inner:
                    walk(inner, 1)

    with zipfile.ZipFile(path) as zf:
        walk(zf, 0)
    return names


def _score(rows: list[dict[str, Any]], strict: bool = False) -> dict[str, Any]:
    """Precision/recall; `strict` also counts vendors the truth file does not measure as false reports."""
    tp = sum(len(r["hits"]) for r in rows)
    fp = sum(len(r["false"]) + (len(r["unmeasured"]) if strict else 0) for r in rows)
    fn = sum(len(r["missed"]) for r in rows)
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
    }


def measured_vendors(truth: dict[str, Any]) -> set[str]:
    """Vendors the truth file measures somewhere (counted, below its threshold, or under `other_cn_prefix_counts`)."""
    found: set[str] = set()
    for item in truth.values():
        found |= set(item.get("sdks", {})) | set(item.get("sdks_below_threshold", {}))
        found |= {v for k, v in _OTHER.items() for key in item.get("other_cn_prefix_counts", {}) if key.startswith(k)}
    return found


def _apk_rows(truth: dict[str, Any]) -> list[dict[str, Any]]:
    from ganzhi.collect.apk.analyze import analyze_apk

    measured = measured_vendors(truth)
    rows = []
    for name, item in sorted(truth.items()):
        static = analyze_apk(CN / name).static
        ours = _vendors_of_refs(static.sdks)
        expected = set(item["sdks"])
        neutral = {v for k, v in _OTHER.items() for key in item.get("other_cn_prefix_counts", {}) if key.startswith(k)}
        rows.append(
            {
                "apk": name,
                "truth": sorted(expected),
                "ours": sorted(ours),
                "hits": sorted(ours & expected),
                "false": sorted((ours - expected - neutral) & measured),
                "unmeasured": sorted(ours - expected - neutral - measured),
                "missed": sorted(expected - ours),
                "neutral": sorted((ours - expected) & neutral),
                "declared_or_stub": sorted(
                    f"{s.name}:{s.presence}:{s.classes}" for s in static.sdks if s.presence != "code"
                ),
            }
        )
    return rows


def _jar_rows(truth: dict[str, Any]) -> list[dict[str, Any]]:
    from ganzhi.collect.apk.sdk import SdkFacts, match_sdks
    from ganzhi.collect.apk.sdkpresence import sdk_refs

    rows = []
    for name, item in sorted(truth.items()):
        refs = sdk_refs(match_sdks(SdkFacts(class_names=_jar_classes(CN / "sdk-jars" / name))))
        ours = _vendors_of_refs(refs)
        expected = set(item["sdks"])
        rows.append(
            {
                "apk": f"sdk-jars/{name}",
                "truth": sorted(expected),
                "ours": sorted(ours),
                "hits": sorted(ours & expected),
                "false": sorted(ours - expected),
                "unmeasured": [],
                "missed": sorted(expected - ours),
                "neutral": [],
                "declared_or_stub": [],
            }
        )
    return rows


def main(argv: list[str]) -> int:
    del argv
    from benchmarks._result import write_result

    truth_file = CN / "truth.json"
    if not truth_file.exists():
        print(f"no truth file at {truth_file} (../shared/data)", file=sys.stderr)
        return 2
    rows = _apk_rows(json.loads(truth_file.read_text(encoding="utf-8")))
    jar_truth = CN / "sdk-jars" / "jars_truth.json"
    jar_rows = _jar_rows(json.loads(jar_truth.read_text(encoding="utf-8"))) if jar_truth.exists() else []
    scores = {
        "apks": _score(rows),
        "jars": _score(jar_rows),
        "all": _score(rows + jar_rows),
        "all, unmeasured vendors counted as false": _score(rows + jar_rows, strict=True),
    }
    summary: dict[str, Any] = {**scores, "target": 0.95, "rows": rows + jar_rows}
    print(f"{'input':<48} {'truth':<44} {'false':<14} {'missed':<10} unmeasured by the truth")
    for r in rows + jar_rows:
        print(
            f"{r['apk']:<48} {','.join(r['truth']):<44} {','.join(r['false']) or '-':<14} "
            f"{','.join(r['missed']) or '-':<10} {','.join(r['unmeasured']) or '-'}"
        )
    for part, s in scores.items():
        print(
            f"{part}: precision {s['precision']} recall {s['recall']} (tp {s['tp']} fp {s['fp']} fn {s['fn']}); "
            "target ≥ 0.95"
        )
    print(f"wrote {write_result('apk_sdk_vendors', summary)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
