"""SDK清点: every detected SDK must be named in the 与第三方共享个人信息清单.

Only SDKs whose code is present count; "declared" (manifest entries only) and "stub" (a handful of classes)
SDKs are listed in a note with low confidence and never fail the cross-check.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t11.apk_common import missing_analysis, unless_packed
from ganzhi.evidence.apk import ApkStatic, SdkRef
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.pi_lists import PiList

_RANK = {"high": 0, "medium": 1, "low": 2}


def _listed(sdk: SdkRef, texts: list[str]) -> bool:
    names = [n.lower() for n in (sdk.name, sdk.id) if n and len(n) >= 2]
    return any(name in text for text in texts for name in names)


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL per detected SDK missing from the shared list; MANUAL inventory when there is no list."""
    static = evidence.one(ApkStatic)
    missing = missing_analysis(static, "sdks")
    if missing is not None:
        return [missing]
    floor = _RANK.get(str(params.get("min_sdk_confidence")), 1)
    sdks = [s for s in static.sdks if _RANK[s.confidence] <= floor and s.presence == "code"]
    weak = [s for s in static.sdks if s.presence != "code"]
    note = (
        [
            Outcome.passed(
                f"{len(weak)}个SDK仅有清单声明或少量桩代码（{'、'.join(s.name for s in weak[:10])}），"
                "低置信度，不计入核对",
                f"{len(weak)} SDK(s) are only declared or stubs ({', '.join(s.name for s in weak[:10])}): "
                "low confidence, not cross-checked",
                reason="DECLARED_OR_STUB",
                sdks=[{"id": s.id, "name": s.name, "presence": s.presence, "classes": s.classes} for s in weak],
            )
        ]
        if weak
        else []
    )
    lists = [pl for pl in evidence.all(PiList) if pl.kind == "shared"]
    if not sdks:
        return unless_packed(
            static,
            [Outcome.passed("未检出第三方SDK", "no third-party SDK detected"), *note],
            "SDK清点",
            "SDK inventory",
        )
    if not lists:
        return [
            Outcome.manual(
                f"检出{len(sdks)}个SDK：{'、'.join(s.name for s in sdks)}；缺少第三方共享清单，请人工核对",
                f"{len(sdks)} SDKs detected: {', '.join(s.name for s in sdks)}; no sharing list to compare with",
                sdk_id=None,
                sdks=[s.model_dump(mode="json") for s in sdks],
                reason="NO_SHARED_LIST",
            ),
            *note,
        ]
    texts = [" ".join(row.cells.values()).lower() for pl in lists for row in pl.rows]
    outcomes = []
    for sdk in sdks:
        data = {"sdk_id": sdk.id, "name": sdk.name, "vendor": sdk.vendor, "matched_by": sdk.matched_by}
        if _listed(sdk, texts):
            outcomes.append(Outcome.passed(f"SDK {sdk.name} 已列入共享清单", f"SDK {sdk.name} is listed", **data))
        else:
            outcomes.append(
                Outcome.failed(
                    f"APK中检出SDK {sdk.name}（{sdk.vendor or '提供方未知'}），但第三方共享清单未列出",
                    f"SDK {sdk.name} ({sdk.vendor or 'vendor unknown'}) is in the APK but not in the sharing list",
                    **data,
                )
            )
    return unless_packed(static, [*outcomes, *note], "SDK清点", "SDK inventory")
