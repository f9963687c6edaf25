"""风险SDK: SDKs on the configured risky list fail; SDKs with risky behaviour warn."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t11.apk_common import missing_analysis, unless_packed
from ganzhi.evidence.apk import ApkStatic
from ganzhi.evidence.base import EvidenceSet


def _behaviours(static: ApkStatic) -> dict[str, set[str]]:
    """SDK id → risky behaviours seen in its own code or components."""
    seen: dict[str, set[str]] = {}
    for item in static.self_start:
        if item.sdk_id:
            seen.setdefault(item.sdk_id, set()).add("自启动")
    for assoc in static.associated_start:
        if assoc.sdk_id:
            seen.setdefault(assoc.sdk_id, set()).add("关联启动")
    for call in static.pre_consent:
        if call.sdk_id:
            seen.setdefault(call.sdk_id, set()).add("同意前调用个人信息接口")
    return seen


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per risky SDK; PASS when no SDK is on the list or behaves riskily."""
    static = evidence.one(ApkStatic)
    missing = missing_analysis(static, "sdks")
    if missing is not None:
        return [missing]
    risky = {s.lower() for s in params.strings("risky_sdk_ids")}
    behaviours = _behaviours(static)
    outcomes = []
    for sdk in static.sdks:
        data = {"sdk_id": sdk.id, "name": sdk.name, "vendor": sdk.vendor}
        if sdk.id.lower() in risky or sdk.name.lower() in risky:
            outcomes.append(
                Outcome.failed(
                    f"使用了风险SDK名单中的 {sdk.name}（{sdk.vendor or '提供方未知'}）",
                    f"uses {sdk.name} ({sdk.vendor or 'vendor unknown'}), which is on the risky-SDK list",
                    reason="ON_RISKY_LIST",
                    **data,
                )
            )
        elif sdk.id in behaviours:
            found = sorted(behaviours[sdk.id])
            outcomes.append(
                Outcome.warned(
                    f"SDK {sdk.name} 存在风险行为：{'、'.join(found)}",
                    f"SDK {sdk.name} shows risky behaviour: {', '.join(found)}",
                    reason="RISKY_BEHAVIOUR",
                    behaviours=found,
                    **data,
                )
            )
    if not outcomes:
        outcomes.append(
            Outcome.passed(
                f"{len(static.sdks)}个SDK均不在风险名单中且未见风险行为",
                f"none of the {len(static.sdks)} SDKs is on the risky list or behaves riskily",
                sdk_id=None,
            )
        )
    return unless_packed(static, outcomes, "SDK风险", "SDK risk")
