"""T7.sdk.listed: every SDK found in the APK appears on the third-party sharing list."""

from __future__ import annotations

import re

from ganzhi.catalog.params import Params
from ganzhi.checks.lists_supplied import missing_list
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.pi_lists import AppPiFacts, AppSdk, PiList

#: words that describe what an SDK does or who publishes it, not which SDK it is ("友盟统计" and "友盟+ SDK"
#: are one SDK; "腾讯" alone names a vendor of many SDKs). Stripped from the edges of a name only.
_GENERIC_EDGE = (
    "sdk",
    "开放平台",
    "平台",
    "统计",
    "推送",
    "定位",
    "地图",
    "分析",
    "服务",
    "广告",
    "消息",
    "分享",
    "登录",
    "开发包",
    "组件",
    "插件",
    "腾讯",
    "阿里巴巴",
    "阿里",
    "百度",
    "华为",
    "小米",
    "+",
    "＋",
    "·",
    "-",
    "_",
)
_GENERIC_LATIN = frozenset(
    {
        "sdk",
        "tencent",
        "alibaba",
        "baidu",
        "huawei",
        "xiaomi",
        "analytics",
        "push",
        "location",
        "opensdk",
        "open",
        "kit",
        "the",
        "u-app",
        "map",
        "maps",
        "pay",
        "share",
        "login",
        "ads",
        "ad",
    }
)
_ORG_SUFFIX = re.compile(r"(?:有限责任公司|股份有限公司|有限公司|公司|集团)$")
_REGION = re.compile(r"[（(][\u4e00-\u9fa5]{2,3}[)）]")


def _norm(text: str) -> str:
    return "".join(text.lower().split())


def _strip_edges(text: str) -> str:
    """`text` without generic words at either end; the last form of 2+ characters if stripping eats it all."""
    current = text
    while True:
        shorter = current
        for word in _GENERIC_EDGE:
            if shorter.startswith(word):
                shorter = shorter[len(word) :]
            if shorter.endswith(word):
                shorter = shorter[: -len(word)]
        if shorter == current or len(shorter) < 2:
            return current
        current = shorter


def _core(piece: str) -> str:
    words = [w for w in piece.lower().split() if w not in _GENERIC_LATIN]
    return _strip_edges("".join(words))


def _keys(sdk: AppSdk) -> set[str]:
    """Distinctive names of an SDK: its name and aliases without generic words, split at brackets, and its
    package prefixes; latin keys need 3+ letters, Chinese ones 2+ characters."""
    keys: set[str] = set()
    for raw in (sdk.name, *sdk.aliases):
        for piece in re.split(r"[()（）/]", raw):
            core = _core(piece)
            if (re.fullmatch(r"[a-z0-9_]+", core) and len(core) >= 3) or (
                re.search(r"[\u4e00-\u9fa5]", core) and len(core) >= 2
            ):
                keys.add(core)
    keys.update(_norm(p) for p in sdk.package_prefixes if p)
    return keys


def _vendor_core(vendor: str) -> str:
    return _ORG_SUFFIX.sub("", _REGION.sub("", _norm(vendor)))


def _listed(sdk: AppSdk, rows: list[tuple[str, str]], vendor_unique: bool) -> bool:
    """Named on some row (by a distinctive key), or — when it is the app's only SDK of its vendor — on a row
    whose recipient or developer is that vendor."""
    keys = _keys(sdk)
    if any(key in name for key in keys for name, _ in rows):
        return True
    if vendor_unique and sdk.vendor:
        core = _vendor_core(sdk.vendor)
        return len(core) >= 4 and any(core in _vendor_core(name) or core in _vendor_core(dev) for name, dev in rows)
    return False


def _vendor_rows(sdk: AppSdk, rows: list[tuple[str, str]], sdks: list[AppSdk]) -> list[str]:
    """Rows naming the SDK's vendor but no SDK of the app by name: they might cover it, or not."""
    core = _vendor_core(sdk.vendor or "")
    if len(core) < 4:
        return []
    others = [k for other in sdks for k in _keys(other)]
    return [
        name or dev
        for name, dev in rows
        if (core in _vendor_core(name) or core in _vendor_core(dev)) and not any(k in name for k in others)
    ]


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One FAIL per SDK missing from every sharing list (fingerprinted by SDK id); MANUAL when only an unnamed
    row of its vendor might cover it; PASS when all are listed."""
    facts = evidence.one(AppPiFacts)
    missing = missing_list(evidence, "shared", sdk="*")
    if missing is not None:
        return [missing]
    lists = [x for x in evidence.all(PiList) if x.kind == "shared"]
    rows = [
        (
            _norm(" ".join([r.cells.get("third_party", ""), r.cells.get("sdk_package", "")])),
            _norm(r.cells.get("developer", "")),
        )
        for x in lists
        for r in x.rows
    ]
    vendors = [s.vendor for s in facts.sdks if s.vendor]
    out: list[Outcome] = []
    for sdk in facts.sdks:
        if _listed(sdk, rows, vendors.count(sdk.vendor) == 1 if sdk.vendor else False):
            continue
        vague = _vendor_rows(sdk, rows, facts.sdks)
        if vague:
            out.append(
                Outcome.manual(
                    f"SDK“{sdk.name}”未按名称列入清单，但清单有其开发者“{sdk.vendor}”的未写明SDK名称的条目；"
                    "无法判断该条目是否涵盖此SDK，需要企业说明或清单补充SDK名称",
                    f"SDK {sdk.name!r} is not named on the list, but a row names its vendor {sdk.vendor!r} without an "
                    "SDK name; cannot tell whether that row covers it — needs the SDK name on the list",
                    needs="清单中的SDK名称 / the SDK name on the list",
                    reason="VENDOR_ONLY",
                    sdk=sdk.id,
                    name=sdk.name,
                    vendor=sdk.vendor,
                    rows=vague[:5],
                )
            )
            continue
        out.append(
            Outcome.failed(
                f"SDK“{sdk.name}”（{sdk.vendor or '开发者未知'}）未列入第三方共享清单",
                f"SDK {sdk.name!r} ({sdk.vendor or 'unknown vendor'}) is not on the sharing list",
                reason="SDK_NOT_LISTED",
                sdk=sdk.id,
                name=sdk.name,
                vendor=sdk.vendor,
            )
        )
    if not out:
        out.append(
            Outcome.passed(
                f"APP内嵌的{len(facts.sdks)}个SDK均已列入清单",
                f"All {len(facts.sdks)} embedded SDKs are listed",
                sdk="*",
            )
        )
    return out
