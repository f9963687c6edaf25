"""T7.sdk.listed: every SDK found in the APK appears on the third-party sharing list."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.pi_lists import AppPiFacts, AppSdk, PiList


def _norm(text: str) -> str:
    return "".join(text.lower().split())


def _listed(sdk: AppSdk, cells: list[str]) -> bool:
    names = [_norm(n) for n in (sdk.name, *sdk.aliases, *sdk.package_prefixes) if n]
    return any(name and name in cell for cell in cells for name in names)


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One FAIL per SDK missing from every sharing list (fingerprinted by SDK id); PASS when all are listed."""
    facts = evidence.one(AppPiFacts)
    lists = [x for x in evidence.all(PiList) if x.kind == "shared"]
    if not lists:
        return [
            Outcome.failed(
                "未提供与第三方共享个人信息清单，无法核对APP内嵌SDK",
                "No third-party sharing list supplied to match the embedded SDKs against",
                reason="NO_LIST",
                sdk="*",
            )
        ]
    cells = [
        _norm(" ".join([r.cells.get("third_party", ""), r.cells.get("sdk_package", "")])) for x in lists for r in x.rows
    ]
    out = [
        Outcome.failed(
            f"SDK“{sdk.name}”（{sdk.vendor or '开发者未知'}）未列入第三方共享清单",
            f"SDK {sdk.name!r} ({sdk.vendor or 'unknown vendor'}) is not on the sharing list",
            reason="SDK_NOT_LISTED",
            sdk=sdk.id,
            name=sdk.name,
            vendor=sdk.vendor,
        )
        for sdk in facts.sdks
        if not _listed(sdk, cells)
    ]
    if not out:
        out.append(
            Outcome.passed(
                f"APP内嵌的{len(facts.sdks)}个SDK均已列入清单",
                f"All {len(facts.sdks)} embedded SDKs are listed",
                sdk="*",
            )
        )
    return out
